import Foundation

/// A query result: `{"tables":[…]}` from the App Insights / Log Analytics query API, or Kusto v1
/// `{"Tables":[…]}`. The first table's rows (or the one named `PrimaryResult`) are read one row at a
/// time with the result's column types; a row with an `itemType` column goes to that item's
/// classic table (`request` → `requests`), as a record of the same shape would.
struct QueryResultTables: DocumentFormat {
    func read(_ s: RecordStream, into job: IngestJob) throws {
        var found = false
        job.streamObject(s) { key in
            guard key == "tables" || key == "Tables", s.peekSkippingWhitespace() == 0x5B else { return false }
            var index = 0
            job.streamArray(s) { column in
                defer { index += 1 }
                guard s.peekSkippingWhitespace() == 0x7B else { return job.nextValue(s, column: column) { _, _, _ in } }
                var name: String? = nil
                var table: ResultTableReader? = nil
                job.streamObject(s) { k in
                    switch k {
                    case "name", "TableName": _ = job.nextParsed(s) { v, _, _ in name = v.stringValue }; return true
                    case "columns", "Columns": _ = job.nextParsed(s) { v, _, _ in table = ResultTableReader(columns: v.arrayValue ?? []) }; return true
                    case "rows", "Rows":
                        guard !found, index == 0 || name == "PrimaryResult", let t = table else { return false }
                        found = true
                        job.streamArray(s) { _ in job.nextParsed(s) { row, line, offset in job.ingestResultRow(row, t, line: line, offset: offset) } }
                        return true
                    default: return false
                    }
                }
                return true
            }
            return true
        }
        if !found { job.reject(line: 1, offset: 0, reason: "a query result without a table whose columns come before its rows", text: []) }
    }
}

/// The typed columns of a result table being read, and the tables its rows went to.
final class ResultTableReader {
    let schema: [ColumnSchema]
    let names: [String]
    let itemTypeIndex: Int?
    var declaredIn: Set<String> = []
    var rowNumber = 0

    init(columns: [JSONValue]) {
        schema = columns.map { c in
            let name = (c["name"] ?? c["ColumnName"])?.stringValue ?? "Column"
            let typeName = (c["type"] ?? c["ColumnType"] ?? c["DataType"])?.stringValue ?? "string"
            return ColumnSchema(name: name, type: KustoType(name: typeName) ?? .string)
        }
        names = schema.map(\.name)
        itemTypeIndex = names.firstIndex(of: "itemType")
    }
}

extension IngestJob {
    /// One result row (an array of cells) into its table: `--table`, else its `itemType`'s classic
    /// table, else the file's name.
    func ingestResultRow(_ row: JSONValue, _ t: ResultTableReader, line: Int, offset: Int) {
        t.rowNumber += 1
        guard let cells = row.arrayValue else {
            reject(line: line, offset: offset, reason: "result row \(t.rowNumber) is not an array (a partial-failure error?)", text: row.jsonBytes)
            return
        }
        guard cells.count == t.schema.count else {
            reject(line: line, offset: offset, reason: "result row \(t.rowNumber) has \(cells.count) cells for \(t.schema.count) columns", text: row.jsonBytes)
            return
        }
        var table = options.table ?? defaultTable
        if options.table == nil, let k = t.itemTypeIndex, case .string(let itemType) = cells[k], let routed = KnownSchemas.tableForItemType(itemType) {
            table = routed
        }
        if !t.declaredIn.contains(table) { builder(for: table).declare(t.schema); t.declaredIn.insert(table) }
        ingestFields(Array(zip(t.names, cells)), into: table, line: line, offset: offset)
    }
}
