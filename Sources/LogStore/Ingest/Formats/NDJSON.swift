import Foundation

/// One JSON record per line (NDJSON / JSON Lines), each routed by its own `itemType` or `Type`.
struct NDJSONLines: InputFormat {
    func read(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int, into job: IngestJob) throws {
        job.ingestRecord(text.baseAddress!, range, line: line, offset: offset)
    }
}
