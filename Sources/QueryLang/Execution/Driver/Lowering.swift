import LogStore

extension QueryExecutor {
    /// The physical operator for a logical node (and, recursively, its inputs). This is the one
    /// place that knows every operator: a new operator registers here. Shapes with a fast path
    /// (a filter or take right over a scan) get their own operator.
    ///
    /// Operators run their inputs recursively, so a plan deeper than `DepthLimits.maxDepth` is
    /// refused here too (the binder refuses such plans first, with a place in the query; one built
    /// some other way gets an operator that reports it instead of overflowing the stack).
    func makeOperator(_ node: any LogicalPlan, depth: Int = 1) -> any PhysicalOperator {
        if depth > DepthLimits.maxDepth { return RefusedOperator(error: Diagnostic(Msg.nestingTooDeep(DepthLimits.maxDepth), SourceRange(0, 0))) }
        func makeOperator(_ n: any LogicalPlan) -> any PhysicalOperator { self.makeOperator(n, depth: depth + 1) }
        switch node {
        case let n as ScanNode: return ScanOperator(ex: self, node: n)
        case let n as ValuesNode: return ValuesOperator(batch: n.batch)
        case let n as RangeNode: return RangeOperator(ex: self, node: n)
        case let n as FilterNode:
            if let scan = n.input as? ScanNode { return FilteredScanOperator(ex: self, scan: scan, predicate: n.predicate) }
            return FilterOperator(ex: self, input: makeOperator(n.input), predicate: n.predicate)
        case let n as ProjectNode: return ProjectOperator(input: makeOperator(n.input), columns: n.columns)
        case let n as SummarizeNode: return SummarizeOperator(ex: self, node: n, input: makeOperator(n.input))
        case let n as SortNode: return SortOperator(ex: self, node: n, input: makeOperator(n.input))
        case let n as TakeNode:
            if let scan = n.input as? ScanNode { return TakeScanOperator(ex: self, scan: scan, count: n.count) }
            return TakeOperator(input: makeOperator(n.input), count: n.count)
        case let n as CountNode: return CountOperator(input: makeOperator(n.input))
        case let n as UnionNode: return UnionOperator(node: n, inputs: n.inputs.map { makeOperator($0) })
        // Render only labels the result: its rows are its input's.
        case let n as RenderNode: return makeOperator(n.input)
        case let n as SampleNode: return SampleOperator(node: n, input: makeOperator(n.input))
        case let n as SerializeNode: return SerializeOperator(node: n, input: makeOperator(n.input))
        case let n as MvExpandNode: return MvExpandOperator(ex: self, node: n, input: makeOperator(n.input))
        case let n as ParseNode: return ParseOperator(node: n, input: makeOperator(n.input))
        case let n as JoinNode: return HashJoin(ex: self, node: n, left: makeOperator(n.left), right: makeOperator(n.right))
        case let n as MakeSeriesNode: return MakeSeriesOperator(ex: self, node: n, input: makeOperator(n.input))
        default: preconditionFailure("internal error: no physical operator for \(type(of: node))")
        }
    }
}

/// Reports why a plan cannot run when it is run.
struct RefusedOperator: PhysicalOperator {
    let error: Diagnostic
    func run(_ emit: (Batch) throws -> Void) throws { throw error }
}
