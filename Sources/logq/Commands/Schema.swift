import ArgumentParser
import LogStore

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "Show a table's columns and Kusto types.",
        discussion: "Example: logq schema --store /tmp/store requests   (in a query: requests | getschema)")
    @OptionGroup var store: StoreOption
    @Argument var table: String
    func run() throws {
        let s = store.open(forQuery: true)
        guard let sc = try s.schema(of: table) else {
            let near = ((try? s.tableNames()) ?? []).first { $0.lowercased() == table.lowercased() }
            fail(CLIError("table '\(table)' does not exist" + (near.map { " (did you mean '\($0)'?)" } ?? "")), code: ExitCodes.usageError)
        }
        let sizes = (try? s.columnSizes(of: table)) ?? [:]
        print("column\ttype\tstored bytes\tencoded bytes")
        for c in sc.columns {
            let z = sizes[c.name] ?? (0, 0)
            print("\(c.name)\t\(c.type.name)\(c.name == sc.timeColumn ? " (time)" : "")\t\(z.stored)\t\(z.raw)")
        }
    }
}
