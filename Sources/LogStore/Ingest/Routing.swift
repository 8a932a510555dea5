import Foundation

extension IngestJob {
    /// Shreds one record into its table; a bad record becomes a reject. The table is `--table`,
    /// else the record's routing key (`itemType`, `Type`, `category`), else the file's name. The
    /// routing value is read during the one shred pass: the record goes first into the table the
    /// previous record went to, and is moved only when its routing value says otherwise.
    func ingestRecord(_ base: UnsafePointer<UInt8>, _ r: Range<Int>, line: Int, offset: Int, routingKeys: [String] = ["itemType", "Type"]) {
        let guess = options.table ?? lastTable ?? defaultTable
        do {
            var b = builder(for: guess)
            try b.shred(base, r)
            var table = guess
            if options.table == nil && !routingKeys.isEmpty {
                table = route(b, keys: routingKeys)
                if table != guess {
                    b.removeLastRow()
                    b = builder(for: table)
                    try b.shred(base, r)
                }
                lastTable = table
            }
            if let problem = Store.tableNameProblem(table) {
                b.removeLastRow()
                throw RecordError(message: problem)
            }
            try rowAdded(to: table, b, line: line, offset: offset)
        } catch let e as StoreError {
            reject(line: line, offset: offset, reason: e.description, text: [])
        } catch {
            reject(line: line, offset: offset, reason: describe(error, base: r.lowerBound),
                   text: Array(UnsafeBufferPointer(start: base + r.lowerBound, count: min(r.count, 1024))))
        }
    }

    /// Parses a record and maps it to rows of their own tables, which go straight into the builders.
    func ingestMapped<M: RecordMapping>(_ base: UnsafePointer<UInt8>, _ r: Range<Int>, line: Int, offset: Int, _ mapping: M.Type) {
        let doc: JSONValue
        do { doc = try JSONValue.parse(base, r) }
        catch { reject(line: line, offset: offset, reason: describe(error, base: r.lowerBound), text: Array(UnsafeBufferPointer(start: base + r.lowerBound, count: min(r.count, 1024)))); return }
        let records = M.rows(of: doc)
        if records.isEmpty { reject(line: line, offset: offset, reason: "no telemetry item in this export record", text: Array(UnsafeBufferPointer(start: base + r.lowerBound, count: min(r.count, 1024)))) }
        for row in records { ingestFields(row.fields, into: options.table ?? row.table, line: line, offset: offset) }
    }

    /// Appends one row of parsed fields to `table`; a value that does not convert rejects the row,
    /// with the row as JSON for its text (what a reject of the same row read from text shows).
    func ingestFields(_ fields: [(String, JSONValue)], into table: String, line: Int, offset: Int) {
        do {
            if let problem = Store.tableNameProblem(table) { throw RecordError(message: problem) }
            let b = builder(for: table)
            try b.append(fields)
            try rowAdded(to: table, b, line: line, offset: offset)
        } catch let e as StoreError {
            reject(line: line, offset: offset, reason: e.description, text: [])
        } catch {
            reject(line: line, offset: offset, reason: describe(error, base: 0), text: Array(JSONValue.object(fields).jsonBytes.prefix(1024)))
        }
    }

    /// Counts a row `b` took, notes the strings it cut, and writes a segment when the table's builder is full.
    private func rowAdded(to table: String, _ b: TableBuilder, line: Int, offset: Int) throws {
        rowsByTable[table, default: 0] += 1
        if !b.truncatedInLastRow.isEmpty {
            truncated += 1
            if truncations.count < 100 {
                let what = b.truncatedInLastRow.map { "'\($0.column)' from \($0.from) bytes" }.joined(separator: ", ")
                truncations.append(IngestReject(file: displayName, line: line, offset: offset,
                                                reason: "kept with strings cut to \(options.maxStringBytes ?? 0) bytes: \(what)", text: ""))
            }
        }
        if b.rows & 1023 == 0 && (b.rows >= min(options.segmentRows, SegmentFormat.maxRows) || b.approximateBytes >= options.segmentBytes) {
            try flush(table: table, builder: b)
        }
    }

    func describe(_ error: Error, base: Int) -> String {
        if let f = error as? JSONScanner.Failure { return "\(f.message) (column \(f.offset - base + 1))" }
        if let e = error as? RecordError { return e.message }
        return "\(error)"
    }

    func route(_ b: TableBuilder, keys: [String]) -> String {
        for key in keys {
            guard let v = b.lastString(key) else { continue }
            if key == "itemType" { if let t = KnownSchemas.tableForItemType(v) { return t } else { continue } }
            return v
        }
        return defaultTable
    }

    func builder(for table: String) -> TableBuilder {
        if let b = builders[table] { return b }
        let b = TableBuilder(table: table, declared: KnownSchemas.declared(table), aliases: keyAliases)
        b.maxStringBytes = options.maxStringBytes
        builders[table] = b
        return b
    }
}

/// A record that cannot be stored as it is (its table name, a key): rejected, with this reason.
struct RecordError: Error { let message: String }

extension Store {
    /// Kusto's limit on an entity name's length.
    public static let maxTableNameCharacters = 1024

    /// Why `name` cannot be a table that ingest writes to, or nil when it can. The built-in
    /// `ingest_rejects` cannot be shadowed: a record routed there is rejected, as is one whose table
    /// name is empty, longer than 1,024 characters, or holds a control character.
    public static func tableNameProblem(_ name: String) -> String? {
        if name == rejectsTable { return "table name '\(rejectsTable)' is reserved for the built-in table of rejected lines" }
        if name.isEmpty { return "empty table name" }
        if name.count > maxTableNameCharacters { return "table name of \(name.count) characters (at most \(maxTableNameCharacters))" }
        if let c = name.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "table name '\(String(name.unicodeScalars.prefix(60).map { Character($0.value < 0x20 ? "?" : $0) }))' holds control character U+\(String(format: "%04X", c.value))"
        }
        return nil
    }
}
