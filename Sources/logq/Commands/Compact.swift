import ArgumentParser
import LogStore

struct Compact: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compact", abstract: "Merge small segments (from many small ingests or appends) into larger ones.",
        discussion: """
        Runs of segments under --small-rows rows, adjacent in time, are rewritten into segments of about --target-rows rows,
        sorted by time. Each merge is one catalog transaction; queries running meanwhile keep reading the old files,
        which are deleted once no query holds them.
        Example: logq compact --store /tmp/store
                 logq compact --store /tmp/store --table traces
        """)
    @OptionGroup var store: StoreOption
    @Option(help: "Only this table (repeatable); default all.") var table: [String] = []
    @Option(help: "Rows per merged segment.") var targetRows: Int = 131_072
    @Option(help: "Segments with fewer rows are merged.") var smallRows: Int = 65_536

    func run() throws {
        guard targetRows >= 1, smallRows >= 1 else { throw ValidationError("--target-rows and --small-rows must be at least 1") }
        let s = store.open()
        var o = CompactOptions()
        o.targetRows = targetRows; o.smallRows = smallRows
        do {
            let known = try s.tableNames()
            for t in table where !known.contains(t) { throw ValidationError("table '\(t)' does not exist in the store") }
            print("table\tsegments before\tsegments after\trows rewritten\tbytes before\tbytes after")
            for r in try s.compact(tables: table.isEmpty ? nil : table, options: o) {
                print("\(r.table)\t\(r.segmentsBefore)\t\(r.segmentsAfter)\t\(r.rowsRewritten)\t\(r.bytesBefore)\t\(r.bytesAfter)")
            }
        } catch let e as StoreError { fail(e, code: ExitCodes.dataError) }
    }
}
