import ArgumentParser
import Foundation
import LogStore

struct Repair: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "repair", abstract: "Quarantine damaged segments so the rest of their tables stays queryable.",
        discussion: """
        Runs 'logq verify', then: a catalog entry that fails its checksums while its file reads back whole is rebuilt
        from the file (nothing lost); a segment whose file is missing or damaged is quarantined: its file is moved to
        <store>/quarantine/, its entry to the catalog's quarantine table, and its rows leave the table (the loss is
        printed: rows, table, segment); files no entry lists are moved to quarantine/ too. One line per action.
        Exit codes: 0 the store verifies clean now, 1 repair failed.
        Example: logq repair --store /tmp/store
        """)
    @OptionGroup var store: StoreOption

    func run() throws {
        let s: Store
        // No housekeeping: it would delete the orphan files before repair can report and keep them.
        do { s = try Store(path: store.path, housekeeping: false) } catch { fail(error, code: ExitCodes.dataError) }
        do {
            let (before, actions) = try s.repair()
            for a in actions { print(a.description) }
            let lost = actions.filter { $0.kind == .quarantined }
            var byTable: [String: Int] = [:]
            for a in lost { byTable[a.problem.table, default: 0] += a.rowsLost }
            let loss = byTable.keys.sorted().map { "\(byTable[$0]!) rows from \($0)" }.joined(separator: ", ")
            let after = try s.verify()
            guard after.problems.isEmpty else {
                for p in after.problems { stderr("logq: still damaged: \(p.description)\n") }
                fail(CLIError("repair left \(after.problems.count) problems"), code: ExitCodes.dataError)
            }
            if before.problems.isEmpty { stderr("logq repair: nothing to repair (\(before.segments) segments verified)\n"); return }
            stderr("logq repair: \(lost.count) segments quarantined" + (loss.isEmpty ? "" : " (\(loss) lost)") +
                   ", \(actions.filter { $0.kind == .rebuilt }.count) entries rebuilt, \(actions.filter { $0.kind == .orphanMoved }.count) orphan files moved; the store verifies clean\n")
        } catch let e as StoreError { fail(e, code: ExitCodes.dataError) }
    }
}
