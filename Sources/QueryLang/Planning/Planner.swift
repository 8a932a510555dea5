import LogStore

/// The planner: a list of rewrites over the logical plan, one file each. `optimize` runs the
/// compile-time ones; `chooseJoinSides` runs when the query runs (it needs the run's options and
/// the store's row counts at that moment).
enum Planner {
    /// With `rewrite` false only the query's time window reaches the scans: every column is read,
    /// dynamic keys come from their JSON, and filters prune nothing (for metamorphic tests).
    static func optimize(_ node: any LogicalPlan, window: (Int64?, Int64?), rewrite: Bool = true) -> any LogicalPlan {
        DeepStack.run { optimizeHere(node, window: window, rewrite: rewrite) }
    }

    static func optimizeHere(_ node: any LogicalPlan, window: (Int64?, Int64?), rewrite: Bool) -> any LogicalPlan {
        guard rewrite else { return pushPredicates(node, window: window, absorb: false) }
        let pushed = pushPredicates(useSubcolumns(node), window: window)
        return prune(pushed, needed: nil)
    }

    static func names(_ e: BoundExpr) -> Set<String> { var s = Set<String>(); e.collectNames(into: &s); return s }

    static func conjuncts(_ e: BoundExpr) -> [BoundExpr] {
        if let c = e as? Call, c.name == "and" { return c.args.flatMap(conjuncts) }
        return [e]
    }
}
