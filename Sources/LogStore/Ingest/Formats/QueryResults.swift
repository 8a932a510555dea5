import Foundation

/// A query result: `{"tables":[…]}` from the App Insights / Log Analytics query API, or Kusto v1
/// `{"Tables":[…]}`. The primary table's rows go into one table with the result's column types.
struct QueryResultTables: InputFormat {
    func read(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int, into job: IngestJob) throws {
        try job.ingestResultTables(try job.parseWhole(text.baseAddress!, range))
    }
}

extension IngestJob {
    /// `{"tables":[{"name","columns":[{"name","type"}],"rows"}]}` (App Insights / Log Analytics
    /// query API) and Kusto v1 `{"Tables":[{"TableName","Columns":[{"ColumnName","DataType"|"ColumnType"}],"Rows"}]}`.
    func ingestResultTables(_ doc: JSONValue) throws {
        guard let tables = (doc["tables"] ?? doc["Tables"])?.arrayValue, !tables.isEmpty else {
            throw StoreError.input(path: displayName, reason: "a JSON object that is neither a record list nor a query result")
        }
        let primary = tables.first { ($0["name"] ?? $0["TableName"])?.stringValue == "PrimaryResult" } ?? tables[0]
        try ingestTable(columns: (primary["columns"] ?? primary["Columns"])?.arrayValue ?? [],
                        rows: (primary["rows"] ?? primary["Rows"])?.arrayValue ?? [])
    }

    func ingestTable(columns: [JSONValue], rows: [JSONValue]) throws {
        let schema: [ColumnSchema] = columns.map { c in
            let name = (c["name"] ?? c["ColumnName"])?.stringValue ?? "Column"
            let typeName = (c["type"] ?? c["ColumnType"] ?? c["DataType"])?.stringValue ?? "string"
            return ColumnSchema(name: name, type: KustoType(name: typeName) ?? .string)
        }
        let table = defaultTable
        let b = builder(for: table)
        b.declare(schema)
        let names = schema.map(\.name)
        for (i, row) in rows.enumerated() {
            guard let cells = row.arrayValue else {
                reject(line: i + 1, offset: 0, reason: "result row \(i + 1) is not an array (a partial-failure error?)", text: row.jsonBytes)
                continue
            }
            guard cells.count == schema.count else {
                reject(line: i + 1, offset: 0, reason: "result row \(i + 1) has \(cells.count) cells for \(schema.count) columns", text: row.jsonBytes)
                continue
            }
            ingestFields(Array(zip(names, cells)), into: options.table ?? lastTable ?? defaultTable, line: i + 1, offset: 0)
        }
    }
}
