import Foundation

/// A Kusto REST v2 result: a JSON array of frames (`DataSetHeader`, `DataTable` or `TableHeader` +
/// `TableFragment`s, `TableCompletion`, `DataSetCompletion`). Frames and their rows stream: the
/// PrimaryResult table's rows are read one at a time. Error rows and `OneApiErrors` become rejects.
struct KustoV2Frames: DocumentFormat {
    func read(_ s: RecordStream, into job: IngestJob) throws {
        var primary: ResultTableReader? = nil
        var primaryOpen = false, sawPrimary = false
        job.streamArray(s) { column in
            guard s.peekSkippingWhitespace() == 0x7B else { return job.nextValue(s, column: column) { _, _, _ in } }
            var frameType = "", kind = ""
            var columns: ResultTableReader? = nil
            job.streamObject(s) { k in
                switch k {
                case "FrameType": _ = job.nextParsed(s) { v, _, _ in frameType = v.stringValue ?? "" }; return true
                case "TableKind": _ = job.nextParsed(s) { v, _, _ in kind = v.stringValue ?? "" }; return true
                case "Columns": _ = job.nextParsed(s) { v, _, _ in columns = ResultTableReader(columns: v.arrayValue ?? []) }; return true
                case "Rows":
                    var t: ResultTableReader? = nil
                    if frameType == "DataTable" && kind == "PrimaryResult" { t = columns; sawPrimary = sawPrimary || columns != nil }
                    else if frameType == "TableFragment" && primaryOpen { t = primary }
                    guard let table = t else { return false }
                    job.streamArray(s) { _ in job.nextParsed(s) { row, line, offset in job.ingestResultRow(row, table, line: line, offset: offset) } }
                    return true
                case "OneApiErrors" where frameType == "TableCompletion" && primaryOpen:
                    _ = job.nextParsed(s) { v, line, offset in
                        if v != .null { job.reject(line: line, offset: offset, reason: "query result reports an error", text: v.jsonBytes) }
                    }
                    return true
                default: return false
                }
            }
            if frameType == "TableHeader" {
                primaryOpen = kind == "PrimaryResult"
                if primaryOpen { primary = columns; sawPrimary = true }
            } else if frameType == "TableCompletion" {
                primaryOpen = false
            }
            return true
        }
        if !sawPrimary { job.reject(line: 1, offset: 0, reason: "Kusto v2 result without a PrimaryResult table", text: []) }
    }
}
