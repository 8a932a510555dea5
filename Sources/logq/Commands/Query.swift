import ArgumentParser

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Run a KQL query (inline, -f FILE, or stdin).",
        discussion: "Example: logq query --store /tmp/store --format csv 'requests | where success == false | summarize count() by resultCode'")
    @OptionGroup var store: StoreOption
    @OptionGroup var output: QueryOutputOptions
    @OptionGroup var timing: RepeatOption
    @Option(name: .shortAndLong, help: "Read the query from this file.") var file: String?
    @Argument(help: "The query text ('-' or nothing: stdin).") var text: String?

    func run() throws {
        let (q, name) = try readQuery(text: text, file: file)
        let s = store.open(forQuery: true)
        try runQuery(q, name: name, store: s, output: output, repeats: timing.count)
    }
}
