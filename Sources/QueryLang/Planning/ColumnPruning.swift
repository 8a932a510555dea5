import LogStore

extension Planner {
    /// Only the columns needed are read. `needed == nil` means every column of the node's output
    /// is needed; a node this rewrite does not know needs every column of its inputs.
    static func prune(_ node: any LogicalPlan, needed: Set<String>?) -> any LogicalPlan {
        switch node {
        case var n as ScanNode:
            if let needed = needed {
                let s = n.schema
                n.request.columns = s.columns.map(\.name).filter { needed.contains($0) }
                    + needed.filter { n in DynamicPaths.split(n).map { p in s.column(named: p.parent)?.type == .dynamic } ?? false }.sorted()
            }
            return n
        case var n as FilterNode:
            n.input = prune(n.input, needed: needed.map { $0.union(names(n.predicate)) })
            return n
        case var n as ProjectNode:
            // The node's column list is its schema, so every expression in it is computed.
            var need = Set<String>()
            for (_, e) in n.columns { need.formUnion(names(e)) }
            n.input = prune(n.input, needed: need)
            return n
        case var n as SummarizeNode:
            var need = Set<String>()
            for (_, e) in n.keys { need.formUnion(names(e)) }
            for a in n.aggregates { for e in a.args { need.formUnion(names(e)) } }
            n.input = prune(n.input, needed: need)
            return n
        case var n as SortNode:
            n.input = prune(n.input, needed: needed.map { s in n.keys.reduce(s) { $0.union(names($1.expr)) } })
            return n
        case is TakeNode, is SampleNode, is SerializeNode, is RenderNode, is UnionNode:
            return node.mapChildren { prune($0, needed: needed) }
        case var n as CountNode:
            n.input = prune(n.input, needed: [])
            return n
        case var n as MvExpandNode:
            var need = needed.map { $0.subtracting(n.items.map(\.name)) }
            for it in n.items { need?.formUnion(names(it.expr)) }
            n.input = prune(n.input, needed: need)
            return n
        case var n as ParseNode:
            var need = needed.map { $0.subtracting(n.columns.map(\.0)) }
            need?.formUnion(names(n.source))
            n.input = prune(n.input, needed: need)
            return n
        case var n as JoinNode:
            var ln = Set<String>(), rn = Set<String>()
            for k in n.leftKeys { ln.formUnion(names(k)) }
            for k in n.rightKeys { rn.formUnion(names(k)) }
            // Output columns nobody reads are dropped with the input columns they came from.
            let kept = needed.map { s in n.output.filter { s.contains($0.name) } } ?? n.output
            for o in kept { if o.side == 0 { ln.insert(o.source) } else { rn.insert(o.source) } }
            n.left = prune(n.left, needed: ln)
            n.right = prune(n.right, needed: rn)
            n.output = kept
            return n
        default:
            return node.mapChildren { prune($0, needed: nil) }
        }
    }
}
