import ArgumentParser
import Foundation
import LogStore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check a whole store: every segment file and every catalog checksum.",
        discussion: """
        Checks every catalog entry's checksums (row count, time range, statistics, Bloom and term filters), every
        segment file the catalog lists (present, footer and block checksums, every column decodes, row count, size
        and checksum as the catalog says), and files under segments/ that no entry lists. Prints one line per
        problem: table, segment id, path, what is wrong (tab-separated). Reads only: a read-only store can be verified.
        Exit codes: 0 clean, 1 damage found (or the store cannot be read). 'logq repair' fixes what it reports.
        Example: logq verify --store /tmp/store
        """)
    @OptionGroup var store: StoreOption

    func run() throws {
        let s = store.open(forQuery: true)
        let report: VerifyReport
        do { report = try s.verify() } catch { fail(error, code: ExitCodes.dataError) }
        for p in report.problems { print(p.description) }
        if report.entriesUnverified {
            stderr("logq: note: this catalog predates entry checksums (schema 3); catalog entries were not verified (any write to the store adds them)\n")
        }
        let summary = "\(report.segments) segments in \(report.tables) tables"
        if report.problems.isEmpty {
            stderr("logq verify: ok: \(summary)\n")
        } else {
            let segs = Set(report.problems.compactMap(\.segment)).count
            stderr("logq verify: \(report.problems.count) problems (\(segs) damaged segments) in \(summary); run 'logq repair --store \(store.path)'\n")
            Foundation.exit(ExitCodes.dataError)
        }
    }
}
