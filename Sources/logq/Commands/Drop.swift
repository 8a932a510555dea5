import ArgumentParser
import LogStore

struct Drop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drop", abstract: "Retention: remove whole segments whose rows are all older than a time.",
        discussion: """
        A segment that holds rows on both sides of --before is kept whole (its count is shown). Tables without a time
        column are not touched. --dry-run shows what would go.
        Example: logq drop --store /tmp/store --before 2025-03-01
                 logq drop --store /tmp/store --before 30d --table traces --dry-run
        """)
    @OptionGroup var store: StoreOption
    @Option(help: "Cut-off: ISO 8601 datetime, or a span before now like 30d.") var before: String
    @Option(help: "Only this table (repeatable); default all.") var table: [String] = []
    @Flag(help: "Only report what would be dropped.") var dryRun = false

    func run() throws {
        let cutoff = try QueryOutputOptions.time(before, "--before")
        let s = store.open()
        do {
            let known = try s.tableNames()
            for t in table where !known.contains(t) { throw ValidationError("table '\(t)' does not exist in the store") }
            print("table\tsegments dropped\trows dropped\tbytes dropped\tsegments straddling")
            for r in try s.drop(before: cutoff, tables: table.isEmpty ? nil : table, dryRun: dryRun) {
                print("\(r.table)\t\(r.segmentsDropped)\t\(r.rowsDropped)\t\(r.bytesDropped)\t\(r.segmentsStraddling)")
            }
            if dryRun { stderr("dry run: nothing was removed\n") }
        } catch let e as StoreError { fail(e, code: ExitCodes.dataError) }
    }
}
