import LogStore

extension Planner {
    /// Is this node a scan seen through operators that keep the scan's column names?
    static func scanBelow(_ n: any LogicalPlan) -> ScanNode? {
        switch n {
        case let s as ScanNode: return s
        case let f as FilterNode: return scanBelow(f.input)
        case let s as SortNode: return scanBelow(s.input)
        case let t as TakeNode: return scanBelow(t.input)
        default: return nil
        }
    }

    /// Rewrites `column.key` into a read of the key's sub-column wherever the expression's input is
    /// a table scan (so the name still means the stored column).
    static func useSubcolumns(_ node: any LogicalPlan) -> any LogicalPlan {
        let inputs = node.children
        guard !inputs.isEmpty else { return node }
        let schemas = inputs.map { scanBelow($0)?.schema }
        return node.mapChildren(useSubcolumns).mapExpressions { e, k in schemas[k].map { rewrite(e, $0) } ?? e }
    }

    static func rewrite(_ e: BoundExpr, _ schema: TableSchema) -> BoundExpr {
        if let m = e as? MemberAccess, let base = m.args.first as? ColumnRef, schema.column(named: base.name)?.type == .dynamic {
            return ColumnRef(name: DynamicPaths.subcolumn(base.name, m.key), type: .dynamic, range: m.range)
        }
        guard let c = e as? Call else { return e }
        let args = c.args.map { rewrite($0, schema) }
        if zip(args, c.args).allSatisfy({ $0 === $1 }) { return e }
        if let m = c as? MemberAccess { return MemberAccess(args[0], key: m.key, range: m.range) }
        // A typed kernel keeps taking operands (constants stay one value) after the rewrite.
        if let k = c.operandKernel { return Call(c.name, args, type: c.type, range: c.range, operands: k) }
        return Call(c.name, args, type: c.type, range: c.range, kernel: c.kernel)
    }
}
