import Foundation

/// Recognises a file's input shape from its content, never from its name.
enum InputSniffer {
    /// The line format of a file that streams line by line, or nil when the file is one document
    /// to be read whole (then `documentFormat` chooses, once it is all in memory). `buf` holds the
    /// file's first bytes, `start` its first character after a byte-order mark and white space.
    ///
    /// A first `[` is a document. A first `{` is a document when its object is a wrapper
    /// (`records`, `tables`, OTLP), spans several lines (pretty-printed records), or does not end
    /// within the first read and holds no line break there (one big single-line object).
    static func lineFormat(_ buf: [UInt8], from start: Int, eof: Bool) -> (any InputFormat)? {
        let first = start < buf.count ? buf[start] : 0
        if first == 0x5B { return nil }
        guard first == 0x7B else { return NDJSONLines() }
        let shape = buf.withUnsafeBufferPointer { p -> (complete: Bool, wrapper: Bool, continuousExport: Bool) in
            var s = JSONScanner(p.baseAddress!, start: start, end: p.count)
            guard (try? s.skipValue()) != nil else { return (false, false, false) }
            var k = JSONScanner(p.baseAddress!, start: start, end: s.pos)
            let keys = topLevelKeys(&k)
            let multiLine = buf[start..<s.pos].contains(0x0A)
            return (true, keys.contains("records") || keys.contains("tables") || keys.contains("Tables") || OTLP.matches(keys) || multiLine,
                    ContinuousExport.matches(keys))
        }
        if shape.wrapper || (!shape.complete && !eof && !buf[start...].contains(0x0A)) { return nil }
        return shape.continuousExport ? ContinuousExportLines() : NDJSONLines()
    }

    /// The format of a document starting at `start` (`[` or `{`), from its first bytes in `text`.
    static func documentFormat(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> any DocumentFormat {
        let base = text.baseAddress!
        if base[start] == 0x5B {
            // A JSON array: of records, or of Kusto v2 frames (their first frame names its type).
            var probe = JSONScanner(base, start: start, end: text.count)
            probe.pos += 1; probe.skipWhitespace()
            if probe.peek() == 0x7B, topLevelKeys(&probe).contains("FrameType") { return KustoV2Frames() }
            return JSONArrayRecords()
        }
        // An object: {"records": […]}, a query-API / Kusto v1 result, or records one after another.
        var k = JSONScanner(base, start: start, end: text.count)
        let keys = topLevelKeys(&k)
        if keys.contains("records") { return DiagnosticRecords() }
        if keys.contains("tables") || keys.contains("Tables") { return QueryResultTables() }
        return PrettyPrintedRecords()
    }

    /// The keys of the object `s` is on, in order, as far as they can be read.
    static func topLevelKeys(_ s: inout JSONScanner) -> [String] {
        var keys: [String] = []
        guard (try? s.expect(0x7B, "{")) != nil else { return keys }
        s.skipWhitespace()
        if s.peek() == 0x7D { return keys }
        while true {
            s.skipWhitespace()
            var k: [UInt8] = []
            guard (try? s.readString(into: &k)) != nil, (try? s.expect(0x3A, ":")) != nil else { return keys }
            // The key counts once named: its value may run past the bytes at hand.
            keys.append(String(decoding: k, as: UTF8.self))
            guard (try? s.skipValue()) != nil else { return keys }
            s.skipWhitespace()
            if s.peek() == 0x2C { s.pos += 1; continue }
            return keys
        }
    }
}
