import ArgumentParser
import Foundation
import QueryLang

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a saved query by name or path (binds declare query_parameters).",
        discussion: "Searches --queries DIR, ./queries and ~/.config/logq/queries. Example: logq run high-error-rate --param window_start=2025-03-07T13:00:00Z")
    @OptionGroup var store: StoreOption
    @OptionGroup var output: QueryOutputOptions
    @OptionGroup var timing: RepeatOption
    @Option(help: "A folder of saved .kql queries.") var queries: String?
    @Argument(help: "The saved query's name or path.") var name: String

    func run() throws {
        let path = try SavedQueries.resolve(name, dir: queries)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let declared = QueryEngine.declaredParameters(text)
        let given = Set(output.params.compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        let missing = declared.filter { !$0.hasDefault && !given.contains($0.name) && !($0.name == "_from" && output.from != nil || output.since != nil) && !($0.name == "_to" && output.to != nil) }
        if !missing.isEmpty {
            stderr("logq: error: \(path) needs \(missing.map { "--param \($0.name)=<\($0.type.name)>" }.joined(separator: " "))\n")
            throw ExitCode(ExitCodes.usageError)
        }
        try runQuery(text, name: path, store: store.open(forQuery: true), output: output, repeats: timing.count)
    }
}
