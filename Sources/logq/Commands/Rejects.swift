import ArgumentParser
import QueryLang

struct Rejects: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rejects", abstract: "Show recent ingest rejects (file:line: reason).",
        discussion: "Example: logq rejects --store /tmp/store --limit 20   (all of them: logq query 'ingest_rejects')")
    @OptionGroup var store: StoreOption
    @Option(help: "How many.") var limit: Int = 50
    func run() throws {
        let s = store.open(forQuery: true)
        let c = try QueryEngine.compile("ingest_rejects | top \(limit) by IngestedAt desc", store: s)
        let r = try c.run()
        for i in 0..<r.rowCount {
            print("\(r.value(row: i, column: 1).asText):\(r.value(row: i, column: 2).asText): \(r.value(row: i, column: 4).asText)")
        }
    }
}

extension Value {
    var asText: String {
        switch self {
        case .null: return ""
        case .string(let s): return s
        case .long(let v): return String(v)
        default: return "\(self)"
        }
    }
}
