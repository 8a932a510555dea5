import LogStore

extension Planner {
    /// Records in each join which side is built into the hash table: the one the options ask for,
    /// or the smaller by the catalog's row counts after pruning. This runs when the query runs,
    /// not at compile time, because the run's options choose the policy and the counts are the
    /// store's at that moment (tables grow between compile and run).
    static func chooseJoinSides(_ node: any LogicalPlan, store: Store, policy: ExecutionOptions.JoinBuildSide) -> any LogicalPlan {
        // It recurses over the plan (and estimatedRows over each join's sides): on DeepStack too.
        DeepStack.run { chooseJoinSidesHere(node, store: store, policy: policy) }
    }

    static func chooseJoinSidesHere(_ node: any LogicalPlan, store: Store, policy: ExecutionOptions.JoinBuildSide) -> any LogicalPlan {
        let n = node.mapChildren { chooseJoinSidesHere($0, store: store, policy: policy) }
        guard var j = n as? JoinNode else { return n }
        switch policy {
        case .left: j.build = JoinBuild(side: .left, leftRows: nil, rightRows: nil)
        case .right: j.build = JoinBuild(side: .right, leftRows: nil, rightRows: nil)
        case .smaller:
            let l = estimatedRows(j.left, store), r = estimatedRows(j.right, store)
            let left = l != nil && r != nil && l! * 2 < r!
            j.build = JoinBuild(side: left ? .left : .right, leftRows: l, rightRows: r)
        }
        return j
    }

    /// An upper bound on a plan's rows, from the catalog for scans (after pruning). nil when unknown.
    static func estimatedRows(_ n: any LogicalPlan, _ store: Store) -> Int? {
        switch n {
        case let s as ScanNode:
            guard let kept = try? store.plan(s.table, s.request).kept else { return nil }
            return kept.reduce(0) { $0 + $1.rows }
        case let v as ValuesNode: return v.batch.count
        case let r as RangeNode: return r.rowCount
        case is FilterNode, is ProjectNode, is SummarizeNode, is SortNode, is RenderNode, is SerializeNode, is ParseNode:
            return estimatedRows(n.children[0], store)
        case let t as TakeNode: return estimatedRows(t.input, store).map { min($0, t.count) } ?? t.count
        case let t as SampleNode: return estimatedRows(t.input, store).map { min($0, t.count) } ?? t.count
        case is CountNode: return 1
        case let u as UnionNode:
            var total = 0
            for c in u.inputs { guard let e = estimatedRows(c, store) else { return nil }; total += e }
            return total
        default: return nil
        }
    }
}
