import Foundation

/// Records one after another, each possibly over many lines (pretty-printed objects, OTLP/JSON
/// documents, multi-line Continuous Export records, or NDJSON whose first line is too long to
/// sniff): each document is recognised on its own. After a malformed record reading resumes at the
/// next line that starts a record at the same indentation.
struct PrettyPrintedRecords: DocumentFormat {
    func read(_ s: RecordStream, into job: IngestJob) throws {
        while s.peekSkippingWhitespace() != nil {
            job.nextValue(s, column: s.columnAt(s.pos)) { p, r, line in
                let base = p.baseAddress!
                let offset = s.offset(r.lowerBound)
                var k = JSONScanner(base, start: r.lowerBound, end: r.upperBound)
                let ks = InputSniffer.topLevelKeys(&k)
                if OTLP.matches(ks) { job.ingestMapped(base, r, line: line, offset: offset, OTLP.self) }
                else if ContinuousExport.matches(ks) { job.ingestMapped(base, r, line: line, offset: offset, ContinuousExport.self) }
                else { job.ingestRecord(base, r, line: line, offset: offset) }
            }
        }
    }
}
