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
        let s = try catalog.db.prepare("SELECT at, file, line, byte_offset, reason, raw FROM rejects ORDER BY id")
        while try s.step() {
            at.append(Ticks.parseDatetime(s.text(0)) ?? 0); file.append(s.text(1)); line.append(s.int(2))
            off.append(s.int(3)); reason.append(s.text(4)); text.append(s.text(5))
        }
        let all: [String: Column] = ["IngestedAt": .ints(.datetime, at), "File": .strings(file), "Line": .ints(.long, line),
                                     "ByteOffset": .ints(.long, off), "Reason": .strings(reason), "Text": .strings(text)]
        return Batch(names: columns, columns: columns.map { all[$0]! }, count: at.count)
    }
}
