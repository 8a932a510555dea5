import ArgumentParser

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create an empty store (ingest also creates one).",
        discussion: "Example: logq init --store /tmp/store")
    @OptionGroup var store: StoreOption
    func run() throws {
        _ = store.open(create: true)
        stderr("store ready at \(store.path)\n")
    }
}
