import Foundation

/// A Kusto REST v2 result: a JSON array of frames (`DataSetHeader`, `DataTable` or `TableHeader` +
/// `TableFragment`s, `TableCompletion`, `DataSetCompletion`).
struct KustoV2Frames: InputFormat {
    func read(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int, into job: IngestJob) throws {
        try job.ingestKustoV2(try job.parseWhole(text.baseAddress!, range))
    }
}

extension IngestJob {
    /// Kusto REST v2: an array of frames; the PrimaryResult table comes whole (`DataTable`) or as
    /// `TableHeader` + `TableFragment`s. Error rows and `OneApiErrors` become rejects.
    func ingestKustoV2(_ doc: JSONValue) throws {
        guard let frames = doc.arrayValue else { return }
        var columns: [JSONValue]? = nil
        var rows: [JSONValue] = []
        var inPrimary = false
        for f in frames {
            switch f["FrameType"]?.stringValue ?? "" {
            case "DataTable" where f["TableKind"]?.stringValue == "PrimaryResult":
                columns = f["Columns"]?.arrayValue; rows += f["Rows"]?.arrayValue ?? []
            case "TableHeader":
                inPrimary = f["TableKind"]?.stringValue == "PrimaryResult"
                if inPrimary { columns = f["Columns"]?.arrayValue }
            case "TableFragment" where inPrimary: rows += f["Rows"]?.arrayValue ?? []
            case "TableCompletion" where inPrimary:
                inPrimary = false
                if let errs = f["OneApiErrors"], errs != .null { reject(line: 0, offset: 0, reason: "query result reports an error", text: errs.jsonBytes) }
            default: break
            }
        }
        guard let cols = columns else { throw StoreError.input(path: displayName, reason: "Kusto v2 result without a PrimaryResult table") }
        try ingestTable(columns: cols, rows: rows)
    }
}
