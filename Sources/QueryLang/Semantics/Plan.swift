import LogStore

/// An aggregate call in a summarize: its state factory, its arguments, and its output columns.
struct AggregateSpec {
    var name: String
    var args: [BoundExpr]
    var outputs: [(String, KustoType)]
    var make: () -> AggregateState
}

struct JoinOutput {
    var name: String
    var side: Int
    var source: String
    var type: KustoType
}

struct SortSpec {
    var expr: BoundExpr
    var ascending: Bool
    var nullsFirst: Bool
}

/// The logical plan. Each node knows its output schema.
struct MakeSeriesSpec {
    var keyCount: Int
    var aggregateCount: Int
    var start: Value?
    var end: Value?
    /// The bin width in the axis's units (ticks for datetime and timespan).
    var step: Double
    var axisType: KustoType
    var defaults: [Value]
    var names: [String]
    var types: [KustoType]
}

indirect enum PlanNode {
    case scan(table: String, schema: TableSchema, request: ScanRequest)
    case values(Batch)
    case filter(PlanNode, BoundExpr)
    /// Computes these output columns (in order) from the input; covers project, extend, rename, away, reorder.
    case project(PlanNode, [(String, BoundExpr)])
    case summarize(PlanNode, keys: [(String, BoundExpr)], aggregates: [AggregateSpec])
    case sort(PlanNode, [SortSpec], limit: Int?)
    case take(PlanNode, Int)
    case count(PlanNode)
    case union([PlanNode], withSource: String?, names: [String], types: [KustoType], sourceNames: [String])
    case render(PlanNode, String)
    /// One batch in a fixed order, so row functions (row_number, prev, next, row_cumsum) see every row.
    case serialize(PlanNode)
    /// `sample N`: N rows drawn uniformly at random (reservoir sampling over the stream).
    case sample(PlanNode, Int)
    /// Hash join: the smaller side is built into a table, the other streams. `output` lists
    /// each output column: side (0 left, 1 right), the source column, and the output name.
    /// Expands dynamic arrays/bags into rows; `items` replace same-named input columns or are appended.
    case mvExpand(PlanNode, items: [(name: String, expr: BoundExpr, type: KustoType)], itemIndex: String?, bagAsArray: Bool, limit: Int, names: [String], types: [KustoType])
    /// `parse`: one regex match per row fills the new columns (null or "" when it does not match).
    case parse(PlanNode, source: BoundExpr, regex: KQLRegex, columns: [(String, KustoType)], names: [String], types: [KustoType])
    case join(PlanNode, PlanNode, kind: JoinKind, leftKeys: [BoundExpr], rightKeys: [BoundExpr], output: [JoinOutput])
    /// `make-series`: the child summarizes by the keys and the axis bin; this turns each key's rows
    /// into arrays over the bins from `start` to `end` (absent bins get the aggregate's default).
    case makeSeries(PlanNode, MakeSeriesSpec)

    var names: [String] {
        switch self {
        case .scan(_, let s, let r): return r.columns ?? s.columns.map(\.name)
        case .values(let b): return b.names
        case .filter(let c, _), .sort(let c, _, _), .take(let c, _), .render(let c, _), .serialize(let c), .sample(let c, _): return c.names
        case .project(_, let cols): return cols.map(\.0)
        case .makeSeries(_, let spec): return spec.names
        case .summarize(_, let keys, let aggs): return keys.map(\.0) + aggs.flatMap { $0.outputs.map(\.0) }
        case .count: return ["Count"]
        case .union(_, _, let n, _, _): return n
        case .join(_, _, _, _, _, let o): return o.map(\.name)
        case .mvExpand(_, _, _, _, _, let n, _): return n
        case .parse(_, _, _, _, let n, _): return n
        }
    }

    var types: [KustoType] {
        switch self {
        case .scan(_, let s, let r):
            let cols = r.columns ?? s.columns.map(\.name)
            return cols.map { n in s.column(named: n)?.type ?? .string }
        case .values(let b): return b.columns.map(\.type)
        case .filter(let c, _), .sort(let c, _, _), .take(let c, _), .render(let c, _), .serialize(let c), .sample(let c, _): return c.types
        case .project(_, let cols): return cols.map(\.1.type)
        case .makeSeries(_, let spec): return spec.types
        case .summarize(_, let keys, let aggs): return keys.map(\.1.type) + aggs.flatMap { $0.outputs.map(\.1) }
        case .count: return [.long]
        case .union(_, _, _, let t, _): return t
        case .join(_, _, _, _, _, let o): return o.map(\.type)
        case .mvExpand(_, _, _, _, _, _, let t): return t
        case .parse(_, _, _, _, _, let t): return t
        }
    }

    var renderKind: String? {
        switch self {
        case .render(_, let k): return k
        default: return nil
        }
    }
}

/// Planner rewrites: only the columns needed are read, and comparisons of a table's time column
/// or of a column with a constant go into the scan to prune segments.
enum Planner {
    /// With `rewrite` false only the query's time window reaches the scans: every column is read,
    /// dynamic keys come from their JSON, and filters prune nothing (for metamorphic tests).
    static func optimize(_ node: PlanNode, window: (Int64?, Int64?), rewrite: Bool = true) -> PlanNode {
        guard rewrite else { return pushPredicates(node, window: window, absorb: false) }
        let pushed = pushPredicates(useSubcolumns(node), window: window)
        return prune(pushed, needed: nil)
    }

    static func names(_ e: BoundExpr) -> Set<String> { var s = Set<String>(); e.collectNames(into: &s); return s }

    /// `needed == nil` means every column of the node's output is needed.
    static func prune(_ node: PlanNode, needed: Set<String>?) -> PlanNode {
        switch node {
        case .makeSeries(let c, let spec): return .makeSeries(prune(c, needed: nil), spec)
        case .scan(let t, let s, var r):
            if let needed = needed {
                r.columns = s.columns.map(\.name).filter { needed.contains($0) }
                    + needed.filter { n in DynamicPaths.split(n).map { p in s.column(named: p.parent)?.type == .dynamic } ?? false }.sorted()
            }
            return .scan(table: t, schema: s, request: r)
        case .values: return node
        case .filter(let c, let p):
            return .filter(prune(c, needed: needed.map { $0.union(names(p)) }), p)
        case .project(let c, let cols):
            // The node's column list is its schema, so every expression in it is computed.
            var need = Set<String>()
            for (_, e) in cols { need.formUnion(names(e)) }
            return .project(prune(c, needed: need), cols)
        case .summarize(let c, let keys, let aggs):
            var need = Set<String>()
            for (_, e) in keys { need.formUnion(names(e)) }
            for a in aggs { for e in a.args { need.formUnion(names(e)) } }
            return .summarize(prune(c, needed: need), keys: keys, aggregates: aggs)
        case .sort(let c, let keys, let lim):
            return .sort(prune(c, needed: needed.map { n in keys.reduce(n) { $0.union(names($1.expr)) } }), keys, limit: lim)
        case .take(let c, let n): return .take(prune(c, needed: needed), n)
        case .count(let c): return .count(prune(c, needed: []))
        case .union(let cs, let ws, let n, let t, let sn): return .union(cs.map { prune($0, needed: needed) }, withSource: ws, names: n, types: t, sourceNames: sn)
        case .render(let c, let k): return .render(prune(c, needed: needed), k)
        case .serialize(let c): return .serialize(prune(c, needed: needed))
        case .sample(let c, let n): return .sample(prune(c, needed: needed), n)
        case .mvExpand(let c, let items, let ix, let bag, let lim, let n, let t):
            var need = needed.map { $0.subtracting(items.map(\.name)) }
            for it in items { need?.formUnion(names(it.expr)) }
            return .mvExpand(prune(c, needed: need), items: items, itemIndex: ix, bagAsArray: bag, limit: lim, names: n, types: t)
        case .parse(let c, let src, let re, let cols, let n, let t):
            var need = needed.map { $0.subtracting(cols.map(\.0)) }
            need?.formUnion(names(src))
            return .parse(prune(c, needed: need), source: src, regex: re, columns: cols, names: n, types: t)
        case .join(let l, let r, let kind, let lk, let rk, let out):
            var ln = Set<String>(), rn = Set<String>()
            for k in lk { ln.formUnion(names(k)) }
            for k in rk { rn.formUnion(names(k)) }
            // Output columns nobody reads are dropped with the input columns they came from.
            let kept = needed.map { n in out.filter { n.contains($0.name) } } ?? out
            for o in kept { if o.side == 0 { ln.insert(o.source) } else { rn.insert(o.source) } }
            return .join(prune(l, needed: ln), prune(r, needed: rn), kind: kind, leftKeys: lk, rightKeys: rk, output: kept)
        }
    }

    static func pushPredicates(_ node: PlanNode, window: (Int64?, Int64?), absorb: Bool = true) -> PlanNode {
        switch node {
        case .makeSeries(let c, let spec): return .makeSeries(pushPredicates(c, window: window, absorb: absorb), spec)
        case .scan(let t, let s, var r):
            if s.timeColumn != nil {
                if let f = window.0 { r.timeFrom = max(r.timeFrom ?? f, f) }
                if let to = window.1 { r.timeTo = min(r.timeTo ?? to, to) }
            }
            return .scan(table: t, schema: s, request: r)
        case .filter(let c, let p):
            var child = pushPredicates(c, window: window, absorb: absorb)
            if absorb, case .scan(let t, let s, var r) = child {
                // Conditions on the time column become the scan's exact window, which reads only
                // the rows inside it: they need no evaluating again.
                let rest = conjuncts(p).filter { !Planner.absorb($0, schema: s, into: &r) }
                child = .scan(table: t, schema: s, request: r)
                guard let first = rest.first else { return child }
                let pred = rest.dropFirst().reduce(first) { a, b in
                    Call("and", [a, b], type: .bool, range: p.range) { c, n in Kernels.and(c[0], c[1], n) }
                }
                return .filter(child, pred)
            }
            return .filter(child, p)
        case .project(let c, let cols): return .project(pushPredicates(c, window: window, absorb: absorb), cols)
        case .summarize(let c, let k, let a): return .summarize(pushPredicates(c, window: window, absorb: absorb), keys: k, aggregates: a)
        case .sort(let c, let k, let l): return .sort(pushPredicates(c, window: window, absorb: absorb), k, limit: l)
        case .take(let c, let n): return .take(pushPredicates(c, window: window, absorb: absorb), n)
        case .count(let c): return .count(pushPredicates(c, window: window, absorb: absorb))
        case .union(let cs, let ws, let n, let t, let sn): return .union(cs.map { pushPredicates($0, window: window, absorb: absorb) }, withSource: ws, names: n, types: t, sourceNames: sn)
        case .render(let c, let k): return .render(pushPredicates(c, window: window, absorb: absorb), k)
        case .serialize(let c): return .serialize(pushPredicates(c, window: window, absorb: absorb))
        case .sample(let c, let n): return .sample(pushPredicates(c, window: window, absorb: absorb), n)
        case .mvExpand(let c, let items, let ix, let bag, let lim, let n, let t):
            return .mvExpand(pushPredicates(c, window: window, absorb: absorb), items: items, itemIndex: ix, bagAsArray: bag, limit: lim, names: n, types: t)
        case .parse(let c, let src, let re, let cols, let n, let t):
            return .parse(pushPredicates(c, window: window, absorb: absorb), source: src, regex: re, columns: cols, names: n, types: t)
        case .join(let l, let r, let kind, let lk, let rk, let out):
            return .join(pushPredicates(l, window: window, absorb: absorb), pushPredicates(r, window: window, absorb: absorb), kind: kind, leftKeys: lk, rightKeys: rk, output: out)
        case .values: return node
        }
    }

    static func conjuncts(_ e: BoundExpr) -> [BoundExpr] {
        if let c = e as? Call, c.name == "and" { return c.args.flatMap(conjuncts) }
        return [e]
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
        case ">": if isTime { r.timeFrom = max(r.timeFrom ?? v + 1, v + 1); return true } else { r.predicates.append(.intRange(column: col.name, min: v + 1, max: nil)) }
        case "<": if isTime { r.timeTo = min(r.timeTo ?? v, v); return true } else { r.predicates.append(.intRange(column: col.name, min: nil, max: v - 1)) }
        case "<=": if isTime { r.timeTo = min(r.timeTo ?? v + 1, v + 1); return true } else { r.predicates.append(.intRange(column: col.name, min: nil, max: v)) }
        case "==": r.predicates.append(.intRange(column: col.name, min: v, max: v))
        default: break
        }
        return false
    }
}

extension Planner {
    /// Is this node a scan seen through operators that keep the scan's column names?
    static func isScanChain(_ n: PlanNode) -> Bool {
        switch n {
        case .scan: return true
        case .filter(let c, _), .sort(let c, _, _), .take(let c, _): return isScanChain(c)
        default: return false
        }
    }

    /// Rewrites `column.key` into a read of the key's sub-column wherever the expression's input is
    /// a table scan (so the name still means the stored column).
    static func useSubcolumns(_ node: PlanNode) -> PlanNode {
        func rw(_ e: BoundExpr, _ child: PlanNode) -> BoundExpr {
            guard isScanChain(child), case .scan(_, let schema, _) = scanOf(child) else { return e }
            return rewrite(e, schema)
        }
        switch node {
        case .scan, .values: return node
        case .makeSeries(let c, let spec): return .makeSeries(useSubcolumns(c), spec)
        case .filter(let c, let p): return .filter(useSubcolumns(c), rw(p, c))
        case .project(let c, let cols): return .project(useSubcolumns(c), cols.map { ($0.0, rw($0.1, c)) })
        case .summarize(let c, let keys, let aggs):
            let a2 = aggs.map { a -> AggregateSpec in var b = a; b.args = a.args.map { rw($0, c) }; return b }
            return .summarize(useSubcolumns(c), keys: keys.map { ($0.0, rw($0.1, c)) }, aggregates: a2)
        case .sort(let c, let k, let l): return .sort(useSubcolumns(c), k.map { SortSpec(expr: rw($0.expr, c), ascending: $0.ascending, nullsFirst: $0.nullsFirst) }, limit: l)
        case .take(let c, let n): return .take(useSubcolumns(c), n)
        case .count(let c): return .count(useSubcolumns(c))
        case .union(let cs, let ws, let n, let t, let sn): return .union(cs.map(useSubcolumns), withSource: ws, names: n, types: t, sourceNames: sn)
        case .render(let c, let k): return .render(useSubcolumns(c), k)
        case .serialize(let c): return .serialize(useSubcolumns(c))
        case .sample(let c, let n): return .sample(useSubcolumns(c), n)
        case .mvExpand(let c, let items, let ix, let bag, let lim, let n, let t):
            return .mvExpand(useSubcolumns(c), items: items.map { ($0.name, rw($0.expr, c), $0.type) }, itemIndex: ix, bagAsArray: bag, limit: lim, names: n, types: t)
        case .parse(let c, let src, let re, let cols, let n, let t): return .parse(useSubcolumns(c), source: rw(src, c), regex: re, columns: cols, names: n, types: t)
        case .join(let l, let r, let kind, let lk, let rk, let out):
            return .join(useSubcolumns(l), useSubcolumns(r), kind: kind, leftKeys: lk.map { rw($0, l) }, rightKeys: rk.map { rw($0, r) }, output: out)
        }
    }

    static func scanOf(_ n: PlanNode) -> PlanNode {
        switch n {
        case .filter(let c, _), .sort(let c, _, _), .take(let c, _): return scanOf(c)
        default: return n
        }
    }

    static func rewrite(_ e: BoundExpr, _ schema: TableSchema) -> BoundExpr {
        if let m = e as? MemberAccess, let base = m.args.first as? ColumnRef, schema.column(named: base.name)?.type == .dynamic {
            return ColumnRef(name: DynamicPaths.subcolumn(base.name, m.key), type: .dynamic, range: m.range)
        }
        guard let c = e as? Call else { return e }
        let args = c.args.map { rewrite($0, schema) }
        if zip(args, c.args).allSatisfy({ $0 === $1 }) { return e }
        if let m = c as? MemberAccess { return MemberAccess(args[0], key: m.key, range: m.range) }
        return Call(c.name, args, type: c.type, range: c.range, kernel: c.kernel)
    }
}
