import Foundation

/// Records one after another, each possibly over many lines (pretty-printed objects, OTLP/JSON
/// documents, multi-line Continuous Export records): each document is recognised on its own.
struct PrettyPrintedRecords: InputFormat {
    func read(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line first: Int, offset: Int, into job: IngestJob) throws {
        let base = text.baseAddress!, buf = text
        var s = JSONScanner(base, start: range.lowerBound, end: range.upperBound)
        var line = first
        var last = range.lowerBound
        while true {
            s.skipWhitespace()
            if s.atEnd { break }
            for i in last..<s.pos where buf[i] == 0x0A { line += 1 }
            last = s.pos
            let begin = s.pos
            guard let r = try? s.skipValue() else {
                job.reject(line: line, offset: begin, reason: "malformed JSON document", text: Array(buf[begin..<min(buf.count, begin + 200)]))
                break
            }
            var k = JSONScanner(base, start: r.lowerBound, end: r.upperBound)
            let ks = InputSniffer.topLevelKeys(&k)
            if OTLP.matches(ks) { job.ingestMapped(base, r, line: line, offset: begin, OTLP.self) }
            else if ContinuousExport.matches(ks) { job.ingestMapped(base, r, line: line, offset: begin, ContinuousExport.self) }
            else { job.ingestRecord(base, r, line: line, offset: begin) }
        }
    }
}
