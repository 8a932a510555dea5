import Foundation

/// Shreds JSON records of one table straight from their bytes into column builders.
///
/// A table has at most `maxColumns` columns; keys past that go, with their values as JSON, into one
/// dynamic bag column, `overflowColumn`, so that a file of 100,000 distinct keys stays a table of
/// bounded width (it was 100,000 columns, quadratic in time and memory). Columns are filled with
/// nulls lazily, so a row costs its own fields.
final class TableBuilder {
    /// Shredded columns per table (declared ones included); the overflow bag comes on top.
    static let maxColumns = 1000
    static let overflowColumn = "_ExtraFields"

    let table: String
    private(set) var columns: [ColumnBuilder] = []
    private var index: [[UInt8]: Int] = [:]
    /// Column expected at each field position: records of one export repeat their key order, so a
    /// byte compare against this guess usually replaces a hash lookup.
    private var expected: [Int] = []
    private(set) var rows = 0
    private var scratch: [UInt8] = []
    private var keyScratch: [UInt8] = []

    /// Keys stored under another column name (diagnostic-settings records: `time` → `TimeGenerated`).
    let aliases: [[UInt8]: String]

    init(table: String, declared: [ColumnSchema]?, aliases: [String: String] = [:]) {
        self.table = table
        self.aliases = Dictionary(uniqueKeysWithValues: aliases.map { (Array($0.key.utf8), $0.value) })
        for c in declared ?? [] { _ = addColumn(c.name, declared: c.type) }
    }

    /// Declares columns with fixed types (from a query-API result's schema).
    func declare(_ cols: [ColumnSchema]) {
        // A name with a control character is left out: rows naming it are rejected (see `remember`).
        for c in cols where index[Array(c.name.utf8)] == nil && !c.name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            _ = addColumn(c.name, declared: c.type)
        }
    }

    private func addColumn(_ name: String, declared: KustoType?) -> Int {
        let b = ColumnBuilder(name: name, declared: declared)
        columns.append(b)
        index[b.nameBytes] = columns.count - 1
        return columns.count - 1
    }

    /// Bytes held, counting the nulls a column is owed until it is filled (9 bytes a row at most), so
    /// that a wide, sparse table is cut into segments before its padding exists.
    var approximateBytes: Int { columns.reduce(0) { $0 + $1.approximateBytes + (rows - $1.rows) * 9 } }

    /// Shreds the object at `range` of `base` as one row. On error nothing of it is kept.
    func shred(_ base: UnsafePointer<UInt8>, _ range: Range<Int>) throws {
        var s = JSONScanner(base, start: range.lowerBound, end: range.upperBound)
        try appendRow {
            try shredObject(&s)
            s.skipWhitespace()
            guard s.atEnd else { throw s.fail("unexpected text after the record") }
        }
    }

    /// One row written by `fill`: on error nothing of it is kept (values cut back, new columns
    /// dropped); otherwise columns the row did not name get a null.
    private func appendRow(_ fill: () throws -> Void) throws {
        columnsBeforeLastRow = columns.count
        if !truncatedInLastRow.isEmpty { truncatedInLastRow.removeAll() }
        overflow.removeAll(keepingCapacity: true)
        do {
            try fill()
            if !overflow.isEmpty {
                overflow.append(0x7D)
                let b = columns[overflowIndex()]
                if b.rows > rows { b.truncate(to: rows) } // the record named the bag itself: the overflow wins
                b.appendNulls(rows - b.rows)
                try overflow.withUnsafeBufferPointer { try b.appendNested($0) }
            }
        } catch {
            for c in columns { c.truncate(to: rows) }
            dropColumns(from: columnsBeforeLastRow)
            throw error
        }
        rows &+= 1
    }

    /// This row's fields past `maxColumns`, as the text of a JSON object being built (no closing brace yet).
    private var overflow: [UInt8] = []

    private func addOverflow(key: [UInt8], _ write: (inout [UInt8]) -> Void) {
        overflow.append(overflow.isEmpty ? 0x7B : 0x2C)
        appendJSONString(key, to: &overflow)
        overflow.append(0x3A)
        write(&overflow)
    }

    private func overflowIndex() -> Int {
        let name = Array(Self.overflowColumn.utf8)
        if let i = index[name] { return i }
        return addColumn(Self.overflowColumn, declared: nil)
    }

    /// The key of the field `remember` sent to the overflow bag (returned as column -1).
    private var overflowKey: [UInt8] = []

    private func shredObject(_ s: inout JSONScanner) throws {
        try s.expect(0x7B, "'{' (a JSON object)")
        s.skipWhitespace()
        if s.peek() == 0x7D { s.pos &+= 1; return }
        var field = 0
        while true {
            s.skipWhitespace()
            guard s.peek() == 0x22 else { throw s.fail("expected a key string") }
            let col = try lookupKey(&s, field: field)
            try s.expect(0x3A, "':'")
            s.skipWhitespace()
            if col < 0 {
                let r = try s.skipValue()
                addOverflow(key: overflowKey) { $0.append(contentsOf: UnsafeBufferPointer(start: s.base + r.lowerBound, count: r.count)) }
            } else {
                let b = columns[col]
                if b.rows > rows { b.truncate(to: rows) } // a repeated key: the last value wins
                b.appendNulls(rows - b.rows)
                try appendValue(&s, to: b)
            }
            field &+= 1
            s.skipWhitespace()
            let c = s.peek()
            if c == 0x2C { s.pos &+= 1; continue }
            if c == 0x7D { s.pos &+= 1; return }
            throw s.fail(s.atEnd ? "unterminated object" : "expected ',' or '}' after a value")
        }
    }

    /// Appends one row of already-parsed fields (mapped export records, query-result rows) without
    /// rendering it as JSON text. Columns, types, widening and errors are those `shred` gives for the
    /// row written as compact JSON, down to the error's offset in that text. On error nothing of it is kept.
    func append(_ fields: [(String, JSONValue)]) throws {
        try appendRow {
            for (field, (key, value)) in fields.enumerated() {
                let col = try column(forKey: key, field: field)
                if col < 0 { addOverflow(key: overflowKey) { value.write(to: &$0) }; continue }
                let b = columns[col]
                if b.rows > rows { b.truncate(to: rows) } // a repeated key: the last value wins
                b.appendNulls(rows - b.rows)
                do { try b.append(parsed: value, scratch: &scratch) }
                catch let e as ColumnBuilder.ConversionError {
                    throw JSONScanner.Failure(message: "column '\(b.name)': \(e.message)", offset: Self.textEnd(of: fields, through: field))
                }
                if case .string = value, let cap = maxStringBytes, let from = b.truncateLastString(to: cap) { truncatedInLastRow.append((b.name, from)) }
            }
        }
    }

    /// Where field `k`'s value ends in the compact JSON text of `fields` (only built for an error).
    private static func textEnd(of fields: [(String, JSONValue)], through k: Int) -> Int {
        JSONValue.object(Array(fields[...k])).jsonBytes.count - 1
    }

    /// `lookupKey` for a key given as a string: the same guess by position, compared bytewise.
    private func column(forKey key: String, field: Int) throws -> Int {
        if field < expected.count {
            let guess = expected[field]
            let nb = columns[guess].nameBytes
            // Native strings hold contiguous UTF-8: compare in place, as `lookupKey` does.
            let same = key.utf8.withContiguousStorageIfAvailable { k in
                k.count == nb.count && (k.isEmpty || nb.withUnsafeBufferPointer { memcmp($0.baseAddress!, k.baseAddress!, k.count) == 0 })
            } ?? nb.elementsEqual(key.utf8)
            if same { return guess }
        }
        return try remember(Array(key.utf8), field: field)
    }

    @inline(__always)
    private func lookupKey(_ s: inout JSONScanner, field: Int) throws -> Int {
        let keyStart = s.pos &+ 1
        var p = keyStart
        while p < s.end, s.base[p] != 0x22, s.base[p] != 0x5C { p &+= 1 }
        if p < s.end, s.base[p] == 0x22 {
            let len = p - keyStart
            if field < expected.count {
                let guess = expected[field]
                let nb = columns[guess].nameBytes
                if nb.count == len, nb.withUnsafeBufferPointer({ memcmp($0.baseAddress!, s.base + keyStart, len) == 0 }) {
                    s.pos = p &+ 1
                    return guess
                }
            }
            let key = Array(UnsafeBufferPointer(start: s.base + keyStart, count: len))
            try s.skipString() // validates UTF-8 of the key
            return try remember(key, field: field)
        }
        keyScratch.removeAll(keepingCapacity: true)
        try s.readString(into: &keyScratch)
        return try remember(keyScratch, field: field)
    }

    private func remember(_ key: [UInt8], field: Int) throws -> Int {
        let col: Int
        if let c = index[key] { col = c }
        else if let bad = key.first(where: { $0 < 0x20 || $0 == 0x7F }) {
            // NUL would make "a\u0000" and "a" one name in the catalog, and U+001F is the separator of
            // sub-column names (`DynamicPaths`): such a key would fail the batch or vanish.
            var shown: [UInt8] = []
            appendJSONString(key.prefix(60), to: &shown)
            throw RecordError(message: "key \(String(decoding: shown, as: UTF8.self)) holds control character U+\(String(format: "%04X", bad)); the record is rejected")
        }
        else if columns.count >= Self.maxColumns && aliases[key] == nil {
            overflowKey = key
            return -1
        }
        else if let alias = aliases[key] {
            col = index[Array(alias.utf8)] ?? addColumn(alias, declared: nil)
            index[key] = col
        } else { col = addColumn(String(decoding: key, as: UTF8.self), declared: nil) }
        if field < expected.count { expected[field] = col } else if field == expected.count { expected.append(col) }
        return col
    }

    @inline(__always)
    private func appendValue(_ s: inout JSONScanner, to b: ColumnBuilder) throws {
        do {
            switch s.peek() {
            case 0x22:
                try b.appendString(&s, scratch: &scratch)
                if let cap = maxStringBytes, let from = b.truncateLastString(to: cap) { truncatedInLastRow.append((b.name, from)) }
            case 0x7B, 0x5B:
                let r = try s.skipValue()
                try b.appendNested(UnsafeBufferPointer(start: s.base + r.lowerBound, count: r.count))
            case 0x74: try s.literal("true"); try b.appendBool(true)
            case 0x66: try s.literal("false"); try b.appendBool(false)
            case 0x6E: try s.literal("null"); b.appendNull()
            case 0x2D, 0x30...0x39:
                let start = s.pos
                let n = try s.readNumber()
                let raw = UnsafeBufferPointer(start: s.base + start, count: s.pos - start)
                switch n {
                case .integer(let i): try b.appendInteger(i, raw: raw)
                case .real(let d): try b.appendReal(d, raw: raw)
                }
            default:
                throw s.fail(s.atEnd ? "expected a value, found end of input" : "unexpected character '\(Character(Unicode.Scalar(s.peek())))'")
            }
        } catch let e as ColumnBuilder.ConversionError {
            throw JSONScanner.Failure(message: "column '\(b.name)': \(e.message)", offset: s.pos)
        }
    }

    /// Drops the row shredded last (it belonged to another table), with the columns it added.
    func removeLastRow() {
        guard rows > 0 else { return }
        rows -= 1
        for c in columns { c.truncate(to: rows) }
        dropColumns(from: columnsBeforeLastRow)
    }

    private var columnsBeforeLastRow = 0

    /// Strings longer than this are cut (`IngestOptions.maxStringBytes`); the last row's cuts, by column and original length.
    var maxStringBytes: Int? = nil
    private(set) var truncatedInLastRow: [(column: String, from: Int)] = []

    /// Forgets columns a rejected or moved row added, so that they do not appear in this table.
    private func dropColumns(from count: Int) {
        guard columns.count > count else { return }
        columns.removeSubrange(count...)
        index = index.filter { $0.value < count }
        expected = Array(expected.prefix { $0 < count })
    }

    /// The string value the last row has in column `key`, if that column exists and holds strings.
    func lastString(_ key: String) -> String? {
        guard rows > 0, let i = index[Array(key.utf8)] else { return nil }
        let c = columns[i]
        guard c.type == .string, c.rows == rows, c.valid[rows - 1] != 0 else { return nil } // fewer rows: not in the last one
        let r = c.strs.range(rows - 1)
        return r.isEmpty ? nil : String(decoding: c.strs.bytes[r], as: UTF8.self)
    }

    /// The rows shredded so far as columns, ordered by `timeColumn` when there is one; resets the builder.
    func take() -> (schema: [ColumnSchema], columns: [Column], rows: Int) {
        let n = rows
        var schema: [ColumnSchema] = []
        var cols: [Column] = []
        for b in columns {
            b.appendNulls(n - b.rows)
            let c = b.take()
            schema.append(ColumnSchema(name: b.name, type: c.type))
            cols.append(c)
        }
        rows = 0
        return (schema, cols, n)
    }
}
