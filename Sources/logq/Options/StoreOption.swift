import ArgumentParser
import Foundation
import LogStore

struct StoreOption: ParsableArguments {
    @Option(name: .long, help: "The store folder (default: $LOGQ_STORE, else ./.logq).")
    var store: String?

    var path: String { store ?? ProcessInfo.processInfo.environment["LOGQ_STORE"] ?? "./.logq" }

    /// `forQuery`: a command that only reads leaves housekeeping to the next writer (a query's
    /// start-up is part of its latency), and opens the catalog read-only, so that a store it cannot
    /// write (a read-only mount, `chmod a-w`) can still be queried.
    func open(create: Bool = false, readOnly: Bool = false, forQuery: Bool = false) -> Store {
        do { return try Store(path: path, create: create, readOnly: readOnly || forQuery, housekeeping: !forQuery) }
        catch { fail(error, code: ExitCodes.dataError) }
    }
}
