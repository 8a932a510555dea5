import Foundation
import LogStore

/// Thrown from an `emit` to stop the operators upstream early (take has all its rows).
struct StopPipeline: Error {}

/// Runs a plan: turns it into physical operators (see `PhysicalOperator`) and collects their
/// batches. One executor serves one run, subqueries included, so they share its budgets and stats.
final class QueryExecutor {
    let store: Store
    let options: ExecutionOptions
    var stats = QueryStats()
    let statsLock = NSLock()
    /// The one catalog state all of this run's scans read (see `StoreSnapshot`, `catalogSnapshot`).
    var snapshot: StoreSnapshot?
    let snapshotLock = NSLock()
    /// The run's deadline and memory limit (see `Budget`).
    let budget: Budget

    init(store: Store, options: ExecutionOptions) { self.store = store; self.options = options; self.budget = Budget(options) }

    /// Runs the plan with the run's budget current on this thread, for the functions that
    /// account what they build (`Budget.current`).
    func run(_ plan: any LogicalPlan) throws -> Batch {
        try Budget.with(budget) { try collect(makeOperator(plan), names: plan.names, types: plan.types) }
    }

    /// Every batch of an operator in one, checking the budgets between batches.
    func collect(_ op: any PhysicalOperator, names: [String], types: [KustoType]) throws -> Batch {
        var parts: [Batch] = []
        do {
            try op.run { try checkDeadline(); parts.append($0) }
        } catch is StopPipeline {}
        // The concatenation copies every part once more.
        try reserve(parts.reduce(0) { $0 &+ $1.approximateBytes }, "collecting \(parts.reduce(0) { $0 &+ $1.count }) rows")
        return QueryExecutor.concat(parts, names: names, types: types)
    }

    static func concat(_ parts: [Batch], names: [String], types: [KustoType]) -> Batch {
        let nonEmpty = parts.filter { $0.count > 0 }
        if nonEmpty.count == 1 { return nonEmpty[0] }
        var cols: [Column] = types.map { .nulls($0, count: 0) }
        var n = 0
        for b in nonEmpty {
            for k in 0..<cols.count { cols[k].append(b.columns[k].type == types[k] ? b.columns[k] : b.columns[k].converted(to: types[k])) }
            n += b.count
        }
        return Batch(names: names, columns: cols, count: n)
    }

    func storage<T>(_ body: () throws -> T) throws -> T {
        do { return try body() }
        catch let e as StoreError { throw Diagnostic(Msg.storage(e.description), SourceRange(0, 0)) }
    }
}
