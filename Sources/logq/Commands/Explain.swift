import ArgumentParser
import QueryLang

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Show the optimized plan: pushed predicates, columns read, segments kept and pruned.",
        discussion: "Example: logq explain --store /tmp/store 'requests | where operation_Id == \"4bf92f3577b34da6\" | count'")
    @OptionGroup var store: StoreOption
    @OptionGroup var output: QueryOutputOptions
    @Option(name: .shortAndLong, help: "Read the query from this file.") var file: String?
    @Argument var text: String?
    func run() throws {
        let (q, name) = try readQuery(text: text, file: file)
        // One deadline for compiling and for the subqueries explain runs, as for a query.
        let budgets = output.executionOptions()
        let compiled: CompiledQuery
        do {
            var co = try output.compileOptions()
            co.subqueryBudgets = budgets
            compiled = try QueryEngine.compile(q, store: store.open(forQuery: true), options: co)
        } catch let f as CompileFailure { stderr(f.render(name: name)); throw ExitCode(ExitCodes.forDiagnostics(f.diagnostics)) }
        do { print(try compiled.explain(options: budgets), terminator: "") }
        catch let d as Diagnostic { stderr(compiled.source.render(d, name: name)); throw ExitCode(ExitCodes.forPhase(d.phase)) }
    }
}
