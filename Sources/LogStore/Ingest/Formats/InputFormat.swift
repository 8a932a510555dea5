import Foundation

/// An input shape: how a file lays out its records, and how each record becomes rows.
///
/// `InputSniffer` picks one format per file from the file's first bytes. A line format (NDJSON,
/// Continuous Export) is handed one line at a time, without surrounding white space, while the file
/// streams in; a document format (arrays, wrappers, query results, pretty-printed records) is
/// handed the whole file once it is read, `range` running from the document's first character to
/// the end. `line` and `offset` locate `range.lowerBound` in the file. A bad record becomes a reject
/// (`IngestJob.reject`) and the format goes on; it throws only when the rest of the input cannot be
/// read. Adding a format: one file here with a type conforming to this protocol, and a case in
/// `InputSniffer` that recognises it.
protocol InputFormat {
    func read(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int, into job: IngestJob) throws
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
    /// Parses a whole document (a query result) as a tree; malformed JSON stops the file, naming its line.
    func parseWhole(_ base: UnsafePointer<UInt8>, _ r: Range<Int>) throws -> JSONValue {
        do { return try JSONValue.parse(base, r) }
        catch let f as JSONScanner.Failure {
            let line = lineNumber(UnsafeBufferPointer(start: base, count: f.offset), upTo: f.offset)
            throw StoreError.input(path: displayName + ":\(line)", reason: "malformed JSON: \(f.message)")
        }
    }
}
