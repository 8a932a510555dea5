import LogStore

/// Runs the constant subqueries the binder meets: `toscalar(…)`, `materialize(…)` and
/// `x in (subquery)`. Their values become constants of the main plan, so they run before it.
///
/// Compiling binds with `DeferredSubqueries`, which runs nothing: compile reports every
/// diagnostic and the output schema without executing anything. Running binds again with
/// `LiveSubqueries` over the run's own executor, so subqueries obey the run's deadline, memory
/// and rows-scanned budgets and add to its statistics.
protocol SubqueryEvaluator: AnyObject {
    /// The plan's rows, with the plan's schema.
    func evaluate(_ plan: any LogicalPlan) throws -> Batch
}

/// Compile time: answers with no rows (toscalar gives a typed null, materialize an empty table
/// of the right columns, `in (…)` no values) and records that the query has subqueries.
final class DeferredSubqueries: SubqueryEvaluator {
    private(set) var used = false

    func evaluate(_ plan: any LogicalPlan) throws -> Batch {
        used = true
        return Batch(names: plan.names, columns: plan.types.map { .nulls($0, count: 0) }, count: 0)
    }
}

/// Run time: each subquery runs on the run's executor, its joins' build sides chosen as the
/// main plan's are. The binder keeps binding after a failed
/// statement (to collect diagnostics), so the first failure is kept, every later subquery fails
/// with it at once, and the caller rethrows it.
final class LiveSubqueries: SubqueryEvaluator {
    let executor: QueryExecutor
    private(set) var failure: Error? = nil

    init(executor: QueryExecutor) { self.executor = executor }

    func evaluate(_ plan: any LogicalPlan) throws -> Batch {
        if let f = failure { throw f }
        do { return try executor.run(Planner.chooseJoinSides(plan, store: executor.store, policy: executor.options.joinBuildSide)) }
        catch { failure = error; throw error }
    }
}
