import Foundation
import LogStore

/// A result: named, typed columns; optional render metadata; notes such as truncation warnings.
public struct ResultTable: Sendable {
    public var names: [String]
    public var types: [KustoType]
    public var columns: [Column]
    public var rowCount: Int
    public var render: String?
    public var warnings: [String]
    public var stats: QueryStats

    public func value(row: Int, column: Int) -> Value { columns[column].value(row) }
}

/// A parsed and bound query, ready to run.
public final class CompiledQuery {
    /// The optimized plan bound at compile time (subqueries as placeholders, see `SubqueryEvaluator`).
    let plan: any LogicalPlan
    let store: Store
    public let source: SourceText
    let renderKind: String?
    /// For a query with toscalar/materialize/`in (…)` subqueries: binds it again with the given
    /// executor running them, and optimizes. Nil when the compiled plan is complete.
    let rebind: ((QueryExecutor) throws -> any LogicalPlan)?

    init(plan: any LogicalPlan, store: Store, source: SourceText, renderKind: String?, rebind: ((QueryExecutor) throws -> any LogicalPlan)? = nil) {
        self.plan = plan; self.store = store; self.source = source; self.renderKind = renderKind; self.rebind = rebind
    }

    public var outputNames: [String] { plan.names }
    public var outputTypes: [KustoType] { plan.types }

    /// The plan to execute on `ex`: subqueries run now, on `ex`; join sides chosen by its options.
    func executablePlan(_ ex: QueryExecutor) throws -> any LogicalPlan {
        let bound = try rebind?(ex) ?? plan
        return Planner.chooseJoinSides(bound, store: store, policy: ex.options.joinBuildSide)
    }

    public func run(options: ExecutionOptions = ExecutionOptions()) throws -> ResultTable {
        let t0 = Date()
        // Compaction and retention never delete a segment file while this query may read it.
        let lease = store.beginRead()
        defer { withExtendedLifetime(lease) {} }
        let ex = QueryExecutor(store: store, options: options)
        // One catalog state for every scan of this run, subqueries included (taken under the lease).
        _ = try ex.catalogSnapshot()
        let plan = try Budget.with(ex.budget) { try executablePlan(ex) }
        // Operators recurse into their inputs: on a stack sized for the deepest plan (DeepStack).
        var b = try DeepStack.run { try ex.run(plan) }
        var warnings: [String] = []
        for seg in ex.snapshot?.damagedSegments ?? [] {
            warnings.append("segment \(seg.id) of table \(seg.table) (\(seg.file)): \(seg.damage!); it was read whole, without pruning (run 'logq verify')")
        }
        if options.truncate && b.count > options.maxResultRows {
            warnings.append("the result has \(b.count) rows; only the first \(options.maxResultRows) are returned (Kusto's default limit; use --no-truncation to lift it)")
            let sel = (0..<options.maxResultRows).map { Int32($0) }
            b = Batch(names: b.names, columns: b.columns.map { $0.gather(sel) }, count: sel.count)
        }
        if options.truncate, let keep = CompiledQuery.rowsWithin(options.maxResultBytes, b) {
            let size = options.maxResultBytes >= 1 << 20 ? "\(options.maxResultBytes >> 20) MB" : "\(options.maxResultBytes) bytes"
            warnings.append("the result is larger than \(size); only the first \(keep) of \(b.count) rows are returned (Kusto's default limit; use --no-truncation to lift it)")
            let sel = (0..<keep).map { Int32($0) }
            b = Batch(names: b.names, columns: b.columns.map { $0.gather(sel) }, count: keep)
        }
        ex.stats.elapsed = Date().timeIntervalSince(t0)
        return ResultTable(names: plan.names, types: plan.types, columns: b.columns, rowCount: b.count, render: renderKind, warnings: warnings, stats: ex.stats)
    }

    /// How many leading rows fit in `limit` bytes (8 per number, the bytes of each string), or nil
    /// when all of them do.
    static func rowsWithin(_ limit: Int, _ b: Batch) -> Int? {
        let fixed = b.columns.reduce(0) { n, c in if case .bytes = c.storage { return n }; return n + 8 }
        var total = 0
        for i in 0..<b.count {
            var row = fixed
            for c in b.columns { if case .bytes(let s) = c.storage { row += s.length(c.row(i)) } }
            total += row
            if total > limit { return i }
        }
        return nil
    }

    /// The optimized plan, with what was pushed into each scan and how many segments it keeps.
    /// Subqueries run so that materialized tables show their rows: on the given budgets, like a
    /// run (`--timeout`, `--max-memory` and `--max-rows-scanned` bound `logq explain` too), and a
    /// subquery that fails (a budget exceeded, a runtime error) fails the explain as it would fail the run.
    public func explain(options: ExecutionOptions = ExecutionOptions()) throws -> String {
        let lease = store.beginRead()
        defer { withExtendedLifetime(lease) {} }
        let ex = QueryExecutor(store: store, options: options)
        _ = try ex.catalogSnapshot()
        let shown = try Budget.with(ex.budget) { try executablePlan(ex) }
        return DeepStack.run { shown.explain(store) }
    }
}

public struct CompileOptions: Sendable {
    /// Values for `declare query_parameters(...)`, as text (parsed by the declared type) or typed.
    public var parameters: [String: Value] = [:]
    /// Restricts every scanned table with a time column to [from, to).
    public var timeFrom: Int64? = nil
    public var timeTo: Int64? = nil
    /// The planner's rewrites (column pruning, predicates pushed into scans, dynamic sub-columns).
    /// Off only to check that they change no result.
    public var rewrite = true
    /// Budgets for the subqueries that must run while compiling: only when binding needs their
    /// value (`range x from 1 to toscalar(…)`) or a binding error has to be told apart from one a
    /// placeholder caused. Give it the run's budgets, so that no subquery runs unbounded.
    public var subqueryBudgets = ExecutionOptions()
    public init() {}
}

public enum QueryEngine {
    /// Parses and binds `text` against `store`. Throws `CompileFailure` with every diagnostic.
    public static func compile(_ text: String, store: Store, options: CompileOptions = CompileOptions()) throws -> CompiledQuery {
        if let shown = try controlCommand(text, store: store) { return shown }
        let src = SourceText(text)
        let (script, parseDiags) = Parser.parse(src)
        if !parseDiags.isEmpty { throw CompileFailure(source: src, diagnostics: parseDiags) }
        let deferred = DeferredSubqueries()
        var binder = Binder(store: store, source: src, parameters: options.parameters, subqueries: deferred)
        // What binding evaluates (print, constant folding, strings built by functions) obeys the
        // run's budgets too.
        let compileBudget = Budget(options.subqueryBudgets)
        var plan = Budget.with(compileBudget) { binder.bind(script) }
        if deferred.used && (!binder.diagnostics.isEmpty || plan == nil) {
            // A placeholder can cause an error of its own (`range x from 1 to toscalar(…)` needs
            // the value): only then do the subqueries run at compile time, to report exactly the
            // diagnostics that binding with their values gives.
            let live = LiveSubqueries(executor: QueryExecutor(store: store, options: options.subqueryBudgets))
            binder = Binder(store: store, source: src, parameters: options.parameters, subqueries: live)
            plan = Budget.with(compileBudget) { binder.bind(script) }
            if let budget = live.failure as? Diagnostic, budget.code == .budgetExceeded {
                throw CompileFailure(source: src, diagnostics: [budget])
            }
        }
        // A budget error while binding is the answer, not one diagnostic among those it caused.
        if let budget = binder.diagnostics.first(where: { $0.code == .budgetExceeded }) { throw CompileFailure(source: src, diagnostics: [budget]) }
        if !binder.diagnostics.isEmpty || plan == nil { throw CompileFailure(source: src, diagnostics: binder.diagnostics) }
        let window = (options.timeFrom, options.timeTo), rewrite = options.rewrite
        let optimized = Planner.optimize(plan!, window: window, rewrite: rewrite)
        var rebind: ((QueryExecutor) throws -> any LogicalPlan)? = nil
        if deferred.used {
            rebind = { ex in
                let live = LiveSubqueries(executor: ex)
                let b = Binder(store: store, source: src, parameters: options.parameters, subqueries: live)
                let p = b.bind(script)
                if let f = live.failure { throw f }
                if let d = b.diagnostics.first { throw d }
                guard let bound = p else { preconditionFailure("internal error: bind gave neither a plan nor a diagnostic") }
                return Planner.optimize(bound, window: window, rewrite: rewrite)
            }
        }
        return CompiledQuery(plan: optimized, store: store, source: src, renderKind: binder.renderKind, rebind: rebind)
    }

    /// `.show tables`, Kusto's control command listing the tables (with logq's row counts).
    static func controlCommand(_ text: String, store: Store) throws -> CompiledQuery? { try ControlCommands.run(text, store: store) }

    /// Only parses: for checking saved queries without a store.
    public static func parse(_ text: String) -> [Diagnostic] { Parser.parse(SourceText(text)).1 }

    /// The names of `declare query_parameters(...)` in a query, with their types and whether they have a default.
    public static func declaredParameters(_ text: String) -> [(name: String, type: KustoType, hasDefault: Bool)] {
        let (script, _) = Parser.parse(SourceText(text))
        var out: [(String, KustoType, Bool)] = []
        for s in script.statements { if case .declareParameters(let ps) = s { for p in ps { out.append((p.name, p.type, p.defaultValue != nil)) } } }
        return out
    }

    public static var functionNames: [String] { ScalarFunctions.names }
    /// logq's version (the CLI's `--version`, `.show version`).
    public static var version: String { ControlCommands.version }
    public static var aggregateNames: [String] { Aggregates.names }
}

public struct CompileFailure: Error, CustomStringConvertible {
    public let source: SourceText
    public let diagnostics: [Diagnostic]
    public func render(name: String = "<query>") -> String { diagnostics.map { source.render($0, name: name) }.joined() }
    public var description: String { render() }
}
