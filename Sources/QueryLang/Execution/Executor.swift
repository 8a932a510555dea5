import Foundation
import LogStore

public struct ExecutionOptions: Sendable {
    /// Result rows kept before truncation (Kusto's default is 500,000).
    public var maxResultRows = 500_000
    public var truncate = true
    /// Upper bound on rows read from storage; nil: unlimited.
    public var maxRowsScanned: Int? = nil
    public var deadline: Date? = nil
    public init() {}
}

public struct QueryStats: Sendable {
    public var scan = ScanStats()
    public var elapsed: Double = 0
}

struct StopPipeline: Error {}

/// Runs a plan: operators push column batches downstream; blocking operators (summarize, sort,
/// count) collect and emit at the end.
final class QueryExecutor {
    let store: Store
    let options: ExecutionOptions
    var stats = QueryStats()

    init(store: Store, options: ExecutionOptions) { self.store = store; self.options = options }

    func run(_ plan: PlanNode) throws -> Batch {
        var parts: [Batch] = []
        do {
            try execute(plan) { parts.append($0) }
        } catch is StopPipeline {}
        return QueryExecutor.concat(parts, names: plan.names, types: plan.types)
    }

    static func concat(_ parts: [Batch], names: [String], types: [KustoType]) -> Batch {
        let nonEmpty = parts.filter { $0.count > 0 }
        if nonEmpty.count == 1 { return nonEmpty[0] }
        var cols: [Column] = types.map { .nulls($0, count: 0) }
        var n = 0
        for b in nonEmpty {
            for k in 0..<cols.count { cols[k].append(b.columns[k].type == types[k] ? b.columns[k] : b.columns[k].converted(to: types[k])) }
            n += b.count
        }
        return Batch(names: names, columns: cols, count: n)
    }

    func checkDeadline(_ r: SourceRange = SourceRange(0, 0)) throws {
        if let d = options.deadline, Date() > d { throw Diagnostic(Msg.budget("the query ran past its time budget"), r) }
    }

    /// Rows where the predicate is exactly true.
    func select(_ pred: BoundExpr, _ b: Batch) throws -> [Int32] {
        let p = try pred.eval(b)
        let v = p.int64Values, valid = p.validity
        var sel: [Int32] = []
        sel.reserveCapacity(b.count)
        if let valid = valid {
            for i in 0..<b.count where v[i] != 0 && valid[i] != 0 { sel.append(Int32(i)) }
        } else {
            for i in 0..<b.count where v[i] != 0 { sel.append(Int32(i)) }
        }
        return sel
    }

    func keptSegments(_ table: String, _ request: ScanRequest) throws -> [SegmentInfo] {
        let (kept, pruned) = try store.plan(table, request)
        stats.scan.segmentsTotal += kept.count + pruned
        stats.scan.segmentsPruned += pruned
        return kept
    }

    func readRows(_ seg: SegmentInfo, _ cols: [String], _ schema: TableSchema, _ rows: [Int32]) throws -> Batch {
        do { return try store.read(seg, columns: cols, schema: schema, rows: rows) }
        catch let e as StoreError { throw Diagnostic(Msg.storage(e.description), SourceRange(0, 0)) }
    }

    /// One segment's columns, restricted to the request's exact time window.
    func readSegment(_ seg: SegmentInfo, _ cols: [String], _ schema: TableSchema, _ request: ScanRequest, countOnly: Bool = true) throws -> Batch {
        try checkDeadline()
        var b: Batch
        do { b = try store.read(seg, columns: cols, schema: schema) }
        catch let e as StoreError { throw Diagnostic(Msg.storage(e.description), SourceRange(0, 0)) }
        if countOnly {
            stats.scan.segmentsRead += 1
            stats.scan.rowsRead += b.count
            stats.scan.bytesRead += seg.bytes
        }
        if let lim = options.maxRowsScanned, stats.scan.rowsRead > lim {
            throw Diagnostic(Msg.budget("the query read more than \(lim) rows (raise the limit with --max-rows-scanned)"), SourceRange(0, 0))
        }
        // Segments overlap the window; their rows may not.
        if let tc = schema.timeColumn, request.timeFrom != nil || request.timeTo != nil {
            let tcol: Column
            do { tcol = cols.contains(tc) ? b.column(named: tc)! : try store.read(seg, columns: [tc], schema: schema).columns[0] }
            catch let e as StoreError { throw Diagnostic(Msg.storage(e.description), SourceRange(0, 0)) }
            let t = tcol.int64Values
            var sel: [Int32] = []
            sel.reserveCapacity(b.count)
            for i in 0..<tcol.count where !tcol.isNull(i) {
                if let f = request.timeFrom, t[i] < f { continue }
                if let to = request.timeTo, t[i] >= to { continue }
                sel.append(Int32(i))
            }
            if sel.count < tcol.count { b = Batch(names: b.names, columns: b.columns.map { $0.gather(sel) }, count: sel.count) }
        }
        return b
    }

    func execute(_ node: PlanNode, _ emit: (Batch) throws -> Void) throws {
        switch node {
        case .scan(let table, let schema, let request):
            let cols = request.columns ?? schema.columns.map(\.name)
            for seg in try keptSegments(table, request) {
                let b = try readSegment(seg, cols, schema, request)
                if b.count > 0 || cols.isEmpty { try emit(b) }
            }
        case .filter(.scan(let table, let schema, let request), let pred):
            // Late materialization: read the predicate's columns, and the others only for segments with matches.
            let cols = request.columns ?? schema.columns.map(\.name)
            var predNames = Set<String>()
            pred.collectNames(into: &predNames)
            let first = cols.filter { predNames.contains($0) }
            let rest = cols.filter { !predNames.contains($0) }
            for seg in try keptSegments(table, request) {
                let p = try readSegment(seg, first, schema, request)
                let sel = try select(pred, p)
                if sel.isEmpty { continue }
                var kept = sel.count == p.count ? p : Batch(names: p.names, columns: p.columns.map { $0.gather(sel) }, count: sel.count)
                if !rest.isEmpty {
                    // Few rows kept: decode only those rows of the other columns.
                    let timeFiltered = schema.timeColumn != nil && (request.timeFrom != nil || request.timeTo != nil)
                    let others: Batch
                    if !timeFiltered && sel.count * 8 < p.count {
                        others = try readRows(seg, rest, schema, sel)
                    } else {
                        let whole = try readSegment(seg, rest, schema, request, countOnly: false)
                        others = Batch(names: whole.names, columns: whole.columns.map { sel.count == whole.count ? $0 : $0.gather(sel) }, count: sel.count)
                    }
                    kept = Batch(names: first + rest, columns: kept.columns + others.columns, count: sel.count)
                }
                try emit(Batch(names: cols, columns: cols.map { kept.column(named: $0)! }, count: kept.count))
            }
        case .values(let b):
            try emit(b)
        case .filter(let child, let pred):
            try execute(child) { b in
                let sel = try select(pred, b)
                if sel.isEmpty { return }
                if sel.count == b.count { try emit(b); return }
                try emit(Batch(names: b.names, columns: b.columns.map { $0.gather(sel) }, count: sel.count))
            }
        case .project(let child, let cols):
            try execute(child) { b in
                let out = try cols.map { try $0.1.eval(b) }
                try emit(Batch(names: cols.map(\.0), columns: out, count: b.count))
            }
        case .summarize(let child, let keys, let aggs):
            let groups = GroupTable()
            let states = aggs.map { $0.make() }
            if keys.isEmpty { _ = groups.assign([], count: 0) }
            try execute(child) { b in
                try checkDeadline()
                let keyCols = try keys.map { try $0.1.eval(b) }
                let ids = groups.assign(keyCols, count: b.count)
                for (k, a) in aggs.enumerated() {
                    let args = try a.args.map { try $0.eval(b) }
                    states[k].update(ids, groupCount: groups.count, args)
                }
            }
            let n = groups.count
            var cols: [Column] = []
            for (k, key) in keys.enumerated() { cols.append(.from(groups.keyValues.map { $0[k] }, type: key.1.type)) }
            for s in states { cols.append(contentsOf: s.finish(groupCount: n)) }
            try emit(Batch(names: node.names, columns: cols, count: n))
        case .sort(let child, let keys, let limit):
            var parts: [Batch] = []
            try execute(child) { parts.append($0) }
            let all = QueryExecutor.concat(parts, names: child.names, types: child.types)
            let keyCols = try keys.map { try $0.expr.eval(all) }
            var perm = Array(0..<all.count)
            let cmp = RowComparator(columns: keyCols, specs: keys)
            if let lim = limit, lim < all.count / 4 {
                perm = cmp.top(perm, lim)
            } else {
                perm.sort { cmp.less($0, $1) }
                if let lim = limit, lim < perm.count { perm = Array(perm[0..<lim]) }
            }
            let sel = perm.map { Int32($0) }
            try emit(Batch(names: all.names, columns: all.columns.map { $0.gather(sel) }, count: sel.count))
        case .take(let child, let n):
            var left = n
            if left == 0 { return }
            do {
                try execute(child) { b in
                    if b.count <= left { left -= b.count; try emit(b) }
                    else {
                        let sel = (0..<left).map { Int32($0) }
                        try emit(Batch(names: b.names, columns: b.columns.map { $0.gather(sel) }, count: left))
                        left = 0
                    }
                    if left == 0 { throw StopPipeline() }
                }
            } catch is StopPipeline {}
        case .count(let child):
            var n: Int64 = 0
            try execute(child) { n += Int64($0.count) }
            try emit(Batch(names: ["Count"], columns: [.ints(.long, [n])], count: 1))
        case .union(let children, let ws, let names, let types, let srcNames):
            for (k, c) in children.enumerated() {
                try execute(c) { b in
                    var cols: [Column] = []
                    for (name, t) in zip(names, types) {
                        if let ws = ws, name == ws && !b.names.contains(ws) {
                            cols.append(.constant(.string(srcNames[k]), type: .string, count: b.count)); continue
                        }
                        if let col = b.column(named: name) { cols.append(col.type == t ? col : col.converted(to: t)) }
                        else { cols.append(.nulls(t, count: b.count)) }
                    }
                    try emit(Batch(names: names, columns: cols, count: b.count))
                }
            }
        case .render(let child, _):
            try execute(child, emit)
        }
    }
}

/// Compares rows by sort keys: typed per column, nulls placed per key.
struct RowComparator {
    let columns: [Column]
    let specs: [SortSpec]

    func compare(_ a: Int, _ b: Int) -> Int {
        for (k, c) in columns.enumerated() {
            let na = c.isNull(a), nb = c.isNull(b)
            let s = specs[k]
            if na || nb {
                if na && nb { continue }
                return (na == s.nullsFirst) ? -1 : 1
            }
            var r = 0
            switch c.storage {
            case .int64(let v): r = v[a] < v[b] ? -1 : v[a] > v[b] ? 1 : 0
            case .float64(let v):
                let x = v[a], y = v[b]
                r = x < y ? -1 : x > y ? 1 : (x.isNaN && !y.isNaN ? -1 : (!x.isNaN && y.isNaN ? 1 : 0))
            case .bytes(let st):
                if c.type == .dynamic {
                    r = ValueOrder.compare(c.value(a), c.value(b))
                } else {
                    r = st.bytes.withUnsafeBufferPointer { p in Kernels.compareBytes(p, st.range(a), p, st.range(b)) }
                    r = r.signum()
                }
            }
            if r != 0 { return s.ascending ? r : -r }
        }
        return 0
    }

    /// Stable: ties keep input order.
    func less(_ a: Int, _ b: Int) -> Bool { let c = compare(a, b); return c < 0 || (c == 0 && a < b) }

    /// The first `k` rows in order, with a bounded binary heap (no full sort).
    func top(_ rows: [Int], _ k: Int) -> [Int] {
        guard k > 0 else { return [] }
        var heap: [Int] = [] // max-heap by `less`: the root is the worst kept row
        heap.reserveCapacity(k + 1)
        func up(_ i0: Int) { var i = i0; while i > 0 { let p = (i - 1) / 2; if less(heap[p], heap[i]) { heap.swapAt(p, i); i = p } else { break } } }
        func down(_ i0: Int) {
            var i = i0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && less(heap[m], heap[l]) { m = l }
                if r < heap.count && less(heap[m], heap[r]) { m = r }
                if m == i { return }
                heap.swapAt(i, m); i = m
            }
        }
        for row in rows {
            if heap.count < k { heap.append(row); up(heap.count - 1) }
            else if less(row, heap[0]) { heap[0] = row; down(0) }
        }
        return heap.sorted { less($0, $1) }
    }
}
