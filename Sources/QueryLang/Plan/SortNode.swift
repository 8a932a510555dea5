import LogStore

struct SortSpec {
    var expr: BoundExpr
    var ascending: Bool
    var nullsFirst: Bool
}

/// `sort` (no limit) or `top` (the first `limit` rows in order); stable.
struct SortNode: PassThroughPlan {
    var input: any LogicalPlan
    var keys: [SortSpec]
    var limit: Int?

    func mapExpressions(_ f: (BoundExpr, Int) -> BoundExpr) -> any LogicalPlan {
        SortNode(input: input, keys: keys.map { SortSpec(expr: f($0.expr, 0), ascending: $0.ascending, nullsFirst: $0.nullsFirst) }, limit: limit)
    }
    func explainLine(_ store: Store) -> String { "\(limit.map { "Top \($0)" } ?? "Sort") keys=\(keys.count)" }
}
