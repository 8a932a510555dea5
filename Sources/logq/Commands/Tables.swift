import ArgumentParser
import LogStore

struct Tables: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tables", abstract: "List the store's tables with row and segment counts and time ranges.",
        discussion: "Example: logq tables --store /tmp/store   (in a query: .show tables)")
    @OptionGroup var store: StoreOption
    func run() throws {
        let s = store.open(forQuery: true)
        print("table\trows\tsegments\tbytes\tfrom\tto")
        for t in try s.tableNames() {
            let segs = try s.segments(of: t)
            let rows = segs.reduce(0) { $0 + $1.rows }, bytes = segs.reduce(0) { $0 + $1.bytes }
            let lo = segs.compactMap(\.minTime).min(), hi = segs.compactMap(\.maxTime).max()
            print("\(t)\t\(rows)\t\(segs.count)\t\(bytes)\t\(lo.map(Ticks.formatDatetime) ?? "")\t\(hi.map(Ticks.formatDatetime) ?? "")")
        }
    }
}
