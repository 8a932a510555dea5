import Foundation

/// `{"records":[…]}`: Azure Monitor diagnostic settings (to storage or Event Hubs). Records are
/// routed by `Type`, `category` or `itemType`; their `time` and `resourceId` are the workspace's
/// `TimeGenerated` and `_ResourceId`.
struct DiagnosticRecords: InputFormat {
    func read(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int, into job: IngestJob) throws {
        let base = text.baseAddress!
        var s = JSONScanner(base, start: range.lowerBound, end: range.upperBound)
        job.keyAliases = ["time": "TimeGenerated", "resourceId": "_ResourceId"]
        try s.expect(0x7B, "{")
        while true {
            s.skipWhitespace()
            var key: [UInt8] = []
            try s.readString(into: &key)
            try s.expect(0x3A, "':'")
            s.skipWhitespace()
            if String(decoding: key, as: UTF8.self) == "records" && s.peek() == 0x5B {
                try job.forEachArrayElement(&s, buf: text) { r, line in
                    job.ingestRecord(base, r, line: line, offset: r.lowerBound, routingKeys: ["Type", "category", "itemType"])
                }
            } else {
                try s.skipValue()
            }
            s.skipWhitespace()
            if s.peek() == 0x2C { s.pos += 1; continue }
            break
        }
    }
}
