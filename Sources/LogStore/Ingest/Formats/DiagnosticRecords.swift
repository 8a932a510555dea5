import Foundation

/// `{"records":[…]}`: Azure Monitor diagnostic settings (to storage or Event Hubs). Records are
/// routed by `Type`, `category` or `itemType`; their `time` and `resourceId` are the workspace's
/// `TimeGenerated` and `_ResourceId`.
struct DiagnosticRecords: DocumentFormat {
    func read(_ s: RecordStream, into job: IngestJob) throws {
        job.keyAliases = ["time": "TimeGenerated", "resourceId": "_ResourceId"]
        job.streamObject(s) { key in
            guard key == "records", s.peekSkippingWhitespace() == 0x5B else { return false }
            job.forEachArrayElement(s) { p, r, line in
                job.ingestRecord(p.baseAddress!, r, line: line, offset: s.offset(r.lowerBound), routingKeys: ["Type", "category", "itemType"])
            }
            return true
        }
    }
}
