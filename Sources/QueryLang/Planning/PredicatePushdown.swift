import LogStore

extension Planner {
    /// The query's time window reaches every scan of a table with a time column; with `absorb`,
    /// comparisons of a table's time column or of a column with a constant in a filter right over
    /// a scan go into the scan to prune segments.
    static func pushPredicates(_ node: any LogicalPlan, window: (Int64?, Int64?), absorb: Bool = true) -> any LogicalPlan {
        switch node {
        case var n as ScanNode:
            if n.schema.timeColumn != nil {
                if let f = window.0 { n.request.timeFrom = max(n.request.timeFrom ?? f, f) }
                if let to = window.1 { n.request.timeTo = min(n.request.timeTo ?? to, to) }
            }
            return n
        case let n as FilterNode:
            let child = pushPredicates(n.input, window: window, absorb: absorb)
            if absorb, var scan = child as? ScanNode {
                // Conditions on the time column become the scan's exact window, which reads only
                // the rows inside it: they need no evaluating again.
                let p = n.predicate
                let rest = conjuncts(p).filter { !Planner.absorb($0, schema: scan.schema, into: &scan.request) }
                guard !rest.isEmpty else { return scan }
                return FilterNode(input: scan, predicate: conjunction(rest, p.range))
            }
            return FilterNode(input: child, predicate: n.predicate)
        default:
            return node.mapChildren { pushPredicates($0, window: window, absorb: absorb) }
        }
    }

    /// The conjuncts joined again as a balanced tree (as the parser builds `and` chains): a
    /// left-deep one of 20,000 terms would overflow the stack of every pass that recurses.
    static func conjunction(_ terms: [BoundExpr], _ r: SourceRange) -> BoundExpr {
        var level = terms
        while level.count > 1 {
            var next: [BoundExpr] = []
            var k = 0
            while k + 1 < level.count {
                next.append(Call("and", [level[k], level[k + 1]], type: .bool, range: r) { c, n in Kernels.and(c[0], c[1], n) })
                k += 2
            }
            if k < level.count { next.append(level[k]) }
            level = next
        }
        return level[0]
    }

    /// Pushes what a conjunct allows into the scan request; true when the scan's time window now
    /// enforces the conjunct exactly (it is a comparison of the time column with constants).
    @discardableResult
    static func absorb(_ e: BoundExpr, schema: TableSchema, into r: inout ScanRequest) -> Bool {
        guard let c = e as? Call else { return false }
        if c.name == "between", c.args.count == 3, let col = c.args[0] as? ColumnRef, let lo = c.args[1].constant?.asInt, let hi = c.args[2].constant?.asInt,
           col.type.physical == .int64 {
            if col.name == schema.timeColumn && col.type == .datetime && hi < .max {
                r.timeFrom = max(r.timeFrom ?? lo, lo); r.timeTo = min(r.timeTo ?? (hi + 1), hi + 1)
                return true
            }
            r.predicates.append(.intRange(column: col.name, min: lo, max: hi))
            return false
        }
        if let needle = c.needle, c.name == "==", let col = c.args.first as? ColumnRef, col.type == .string {
            r.predicates.append(.stringEquals(column: col.name, value: needle)); return false
        }
        if let needle = c.needle, c.name == "has" || c.name == "has_cs", let col = c.args.first as? ColumnRef, col.type == .string {
            let terms = TermFilter.terms(of: needle)
            if !terms.isEmpty { r.predicates.append(.hasTerms(column: col.name, terms: terms)) }
            return false
        }
        guard c.args.count == 2 else { return false }
        var (l, rhs, op) = (c.args[0], c.args[1], c.name)
        if l.constant != nil, rhs is ColumnRef {
            swap(&l, &rhs)
            op = ["<": ">", "<=": ">=", ">": "<", ">=": "<="][op] ?? op
        }
        guard let col = l as? ColumnRef, let k = rhs.constant, !k.isNull else { return false }
        if col.type == .string, op == "==", case .string(let s) = k {
            r.predicates.append(.stringEquals(column: col.name, value: s)); return false
        }
        guard col.type.physical == .int64 && col.type != .bool, let v = k.asInt, rhs.type.physical == .int64 else { return false }
        let isTime = col.name == schema.timeColumn && col.type == .datetime && rhs.type == .datetime && v > .min && v < .max
        switch op {
        case ">=": if isTime { r.timeFrom = max(r.timeFrom ?? v, v); return true } else { r.predicates.append(.intRange(column: col.name, min: v, max: nil)) }
        // `x > long.max` and `x < long.min` hold for no row, but have no bound one past them:
        // they stay filters (which find nothing) instead of pruning.
        case ">":
            guard let above = Checked.add(v, 1) else { return false }
            if isTime { r.timeFrom = max(r.timeFrom ?? above, above); return true } else { r.predicates.append(.intRange(column: col.name, min: above, max: nil)) }
        case "<":
            if isTime { r.timeTo = min(r.timeTo ?? v, v); return true }
            guard let below = Checked.subtract(v, 1) else { return false }
            r.predicates.append(.intRange(column: col.name, min: nil, max: below))
        case "<=": if isTime { r.timeTo = min(r.timeTo ?? v + 1, v + 1); return true } else { r.predicates.append(.intRange(column: col.name, min: nil, max: v)) }
        case "==": r.predicates.append(.intRange(column: col.name, min: v, max: v))
        default: break
        }
        return false
    }
}
