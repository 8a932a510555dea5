import ArgumentParser
import QueryLang

struct Functions: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "functions", abstract: "List the KQL scalar and aggregate functions logq supports.",
        discussion: "Example: logq functions")
    func run() throws {
        print("aggregates: " + QueryEngine.aggregateNames.sorted().joined(separator: " "))
        print("scalar: " + QueryEngine.functionNames.joined(separator: " "))
    }
}
