import Foundation

/// A JSON array of records (`[{…},{…}]`, pretty-printed or not), each routed by its own `itemType` or `Type`.
/// A malformed element is rejected and reading resumes at the next one.
struct JSONArrayRecords: DocumentFormat {
    func read(_ s: RecordStream, into job: IngestJob) throws {
        job.forEachArrayElement(s) { p, r, line in job.ingestRecord(p.baseAddress!, r, line: line, offset: s.offset(r.lowerBound)) }
    }
}
