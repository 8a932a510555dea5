import LogStore

/// Keeps the rows where the predicate is exactly true.
struct FilterNode: PassThroughPlan {
    var input: any LogicalPlan
    var predicate: BoundExpr

    func mapExpressions(_ f: (BoundExpr, Int) -> BoundExpr) -> any LogicalPlan {
        FilterNode(input: input, predicate: f(predicate, 0))
    }
    func explainLine(_ store: Store) -> String { "Filter" }
}
