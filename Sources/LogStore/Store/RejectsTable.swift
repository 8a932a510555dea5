import Foundation

extension Store {
    public static let rejectsTable = "ingest_rejects"
    public static let rejectsSchema = TableSchema(name: rejectsTable, columns: [
        ColumnSchema(name: "IngestedAt", type: .datetime), ColumnSchema(name: "File", type: .string),
        ColumnSchema(name: "Line", type: .long), ColumnSchema(name: "ByteOffset", type: .long),
        ColumnSchema(name: "Reason", type: .string), ColumnSchema(name: "Text", type: .string),
    ], timeColumn: "IngestedAt")

    func rejectsBatch(columns: [String]) throws -> Batch {
        lock.lock(); defer { lock.unlock() }
        var at: [Int64] = [], line: [Int64] = [], off: [Int64] = []
        var file = ByteStrings(), reason = ByteStrings(), text = ByteStrings()
        try catalog.forEachReject { r in
            at.append(Ticks.parseDatetime(r.at) ?? 0); file.append(r.file); line.append(r.line)
            off.append(r.offset); reason.append(r.reason); text.append(r.raw)
        }
        let all: [String: Column] = ["IngestedAt": .ints(.datetime, at), "File": .strings(file), "Line": .ints(.long, line),
                                     "ByteOffset": .ints(.long, off), "Reason": .strings(reason), "Text": .strings(text)]
        return Batch(names: columns, columns: columns.map { all[$0]! }, count: at.count)
    }
}
