import Foundation

/// A JSON array of records (`[{…},{…}]`, pretty-printed or not), each routed by its own `itemType` or `Type`.
struct JSONArrayRecords: InputFormat {
    func read(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int, into job: IngestJob) throws {
        let base = text.baseAddress!
        var s = JSONScanner(base, start: range.lowerBound, end: range.upperBound)
        try job.forEachArrayElement(&s, buf: text) { r, line in job.ingestRecord(base, r, line: line, offset: r.lowerBound) }
    }
}

extension IngestJob {
    /// Calls `body` with each element's byte range and line; a malformed element is rejected and
    /// scanning resumes at the next element when the array's structure allows.
    func forEachArrayElement(_ s: inout JSONScanner, buf: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>, Int) -> Void) throws {
        try s.expect(0x5B, "'['")
        var line = lineNumber(buf, upTo: s.pos)
        var lastPos = s.pos
        func advanceLines(to p: Int) { for i in lastPos..<p where buf[i] == 0x0A { line += 1 }; lastPos = p }
        s.skipWhitespace()
        if s.peek() == 0x5D { s.pos += 1; return }
        while true {
            s.skipWhitespace()
            advanceLines(to: s.pos)
            let elementStart = s.pos
            do {
                let r = try s.skipValue()
                body(r, line)
            } catch let f as JSONScanner.Failure {
                reject(line: line, offset: elementStart, reason: "malformed JSON: \(f.message)",
                       text: Array(buf[elementStart..<min(buf.count, elementStart + 200)]))
                throw StoreError.input(path: displayName + ":\(line)", reason: "malformed JSON array element; the rest of the document cannot be read")
            }
            s.skipWhitespace()
            if s.peek() == 0x2C { s.pos += 1; continue }
            if s.peek() == 0x5D { s.pos += 1; return }
            advanceLines(to: s.pos)
            throw StoreError.input(path: displayName + ":\(line)", reason: "expected ',' or ']' in the JSON array")
        }
    }
}
