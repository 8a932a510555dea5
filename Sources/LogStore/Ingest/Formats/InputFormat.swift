import Foundation

/// An input shape: how a file lays out its records, and how each record becomes rows.
///
/// `InputSniffer` picks one format per file from the file's first bytes. A line format (NDJSON,
/// Continuous Export) is an `InputFormat`, handed one line at a time, without surrounding white
/// space, while the file streams in; `line` and `offset` locate `range.lowerBound` in the file. A
/// document format (arrays, wrappers, query results, pretty-printed records) is a `DocumentFormat`
/// reading a `RecordStream`, which hands out one value at a time and never holds more than about
/// `--max-line-bytes` of it. A bad record becomes a reject (`IngestJob.reject`) and the format goes
/// on at the next record; a format throws only when the rest of the input cannot be read. Adding a
/// format: one file here with a type conforming to one of these protocols, and a case in
/// `InputSniffer` that recognises it.
protocol InputFormat {
    func read(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int, into job: IngestJob) throws
}

protocol DocumentFormat {
    func read(_ stream: RecordStream, into job: IngestJob) throws
}

/// A record shape that is not one flat row per object (Continuous Export, OTLP): the record is
/// parsed, then mapped to rows of their own tables, which go straight into the column builders
/// (`IngestJob.ingestMapped`).
protocol RecordMapping {
    /// Whether a record with these top-level keys has this shape.
    static func matches(_ topLevelKeys: [String]) -> Bool
    static func rows(of record: JSONValue) -> [MappedRow]
}

/// One row a `RecordMapping` made: its table, and its fields in column order.
struct MappedRow {
    var table: String
    var fields: [(String, JSONValue)]
}

extension IngestJob {
    /// Walks the array at the cursor: `element` reads one element from the stream and returns
    /// false when it stopped at the start of the next record (after a record cut short), so that no
    /// separator is expected. A break in the array's own structure is rejected and reading resumes
    /// at the next element when one can be found.
    func streamArray(_ s: RecordStream, _ element: (_ column: Int) -> Bool) {
        guard s.peekSkippingWhitespace() == 0x5B else { rejectStructure(s, "expected '['"); return }
        s.pos += 1
        while true {
            guard let c = s.peekSkippingWhitespace() else { rejectStructure(s, "unterminated JSON array"); return }
            if c == 0x5D { s.pos += 1; return }
            let column = s.columnAt(s.pos)
            if !element(column) { continue }
            guard let d = s.peekSkippingWhitespace() else { rejectStructure(s, "unterminated JSON array"); return }
            if d == 0x2C { s.pos += 1; continue }
            if d == 0x5D { s.pos += 1; return }
            rejectStructure(s, "expected ',' or ']' in the JSON array")
            // A missing comma before the next element: go on with it; otherwise skip to the next record.
            if d == 0x7B || d == 0x5B || d == 0x22 { continue }
            s.skipBalanced(resyncColumn: column)
        }
    }

    /// `streamArray` over whole elements: each valid one is handed to `body` with its range in the
    /// stream's window and its line; a malformed or too long one is rejected.
    func forEachArrayElement(_ s: RecordStream, _ body: (UnsafeBufferPointer<UInt8>, Range<Int>, Int) -> Void) {
        streamArray(s) { column in nextValue(s, column: column, body) }
    }

    /// Reads the next value from `s` into `body`, rejecting it when malformed or too long; false
    /// when recovery stopped at the start of the next record.
    @discardableResult
    func nextValue(_ s: RecordStream, column: Int, _ body: (UnsafeBufferPointer<UInt8>, Range<Int>, Int) -> Void) -> Bool {
        switch s.next() {
        case .value(let r, let line):
            s.withBytes { body($0, r, line) }
            return true
        case .tooLong(let line, let offset):
            reject(line: line, offset: offset, reason: "record longer than \(options.lineLimit) bytes (--max-line-bytes)", text: [])
            return true
        case .malformed(let line, let errorLine, let errorColumn, let offset, let message):
            reject(line: line, offset: offset, reason: "malformed JSON: \(message) (" + (errorLine != line ? "line \(errorLine), " : "") + "column \(errorColumn))",
                   text: s.sample(s.pos))
            return !s.recover(column: column)
        case .end:
            return true
        }
    }

    /// Walks the object at the cursor: `member` is given each key with the stream on its value and
    /// returns whether it read the value; values it leaves are skipped.
    func streamObject(_ s: RecordStream, _ member: (String) -> Bool) {
        guard s.peekSkippingWhitespace() == 0x7B else { rejectStructure(s, "expected '{'"); return }
        s.pos += 1
        if s.peekSkippingWhitespace() == 0x7D { s.pos += 1; return }
        while true {
            guard s.peekSkippingWhitespace() == 0x22, case .value(let r, _) = s.next(),
                  let key = (s.withBytes { try? JSONValue.parse($0.baseAddress!, r) })?.stringValue else {
                rejectStructure(s, "expected a key string"); return
            }
            guard s.peekSkippingWhitespace() == 0x3A else { rejectStructure(s, "expected ':' after the key"); return }
            s.pos += 1
            if !member(key) { _ = s.peekSkippingWhitespace(); nextValue(s, column: s.columnAt(s.pos)) { _, _, _ in } }
            guard let d = s.peekSkippingWhitespace() else { rejectStructure(s, "unterminated JSON object"); return }
            if d == 0x2C { s.pos += 1; continue }
            if d == 0x7D { s.pos += 1; return }
            rejectStructure(s, "expected ',' or '}' in the JSON object"); return
        }
    }

    /// The next value parsed as a tree (column lists, table names, query-result rows), or nil
    /// after rejecting it.
    func nextParsed(_ s: RecordStream, _ body: (JSONValue, Int, Int) -> Void) -> Bool {
        nextValue(s, column: s.columnAt(s.pos)) { p, r, line in
            do { body(try JSONValue.parse(p.baseAddress!, r), line, s.offset(r.lowerBound)) }
            catch { reject(line: line, offset: s.offset(r.lowerBound), reason: describe(error, base: r.lowerBound), text: s.sample(r.lowerBound)) }
        }
    }

    func rejectStructure(_ s: RecordStream, _ what: String) {
        let at = s.pos
        reject(line: s.lineAt(at), offset: s.offset(at), reason: "malformed JSON document: \(what)", text: s.sample(at))
    }
}
