import Foundation
import LogStore

public struct ExecutionOptions: Sendable {
    /// Result rows kept before truncation (Kusto's default is 500,000).
    public var maxResultRows = 500_000
    public var truncate = true
    /// Upper bound on rows read from storage; nil: unlimited.
    public var maxRowsScanned: Int? = nil
    public var deadline: Date? = nil
    /// summarize over a table aggregates per worker and merges (same result and order as sequential).
    public var parallelAggregation = true
    /// Upper bound on the process's resident memory while the query runs; nil: unlimited.
    /// Checked as batches flow (each decoded segment, each batch into a blocking operator).
    public var maxMemoryBytes: Int? = nil
    /// Result size kept before truncation (Kusto's default is 64 MB).
    public var maxResultBytes = 64 << 20
    /// Which side of a join is built into the hash table (the other streams).
    public var joinBuildSide = JoinBuildSide.smaller
    /// Predicates evaluated on encoded data: string lookups in the stored form, one-column string
    /// predicates once per dictionary value, comparisons on dictionary codes. Off only to check
    /// that they change no result.
    public var encodedPredicates = true
    public enum JoinBuildSide: Sendable { case smaller, left, right }
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
            try execute(plan) { try checkDeadline(); parts.append($0) }
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
        if let limit = options.maxMemoryBytes, let rss = QueryExecutor.residentBytes(), rss > limit {
            throw Diagnostic(Msg.budget("the query used more than \(limit >> 20) MB of memory (\(rss >> 20) MB resident; raise the limit with --max-memory)"), r)
        }
    }

    /// The process's resident memory now (Linux: /proc/self/statm), or nil where unknown.
    static func residentBytes() -> Int? {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 128)
        let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 128) }
        guard n > 0 else { return nil }
        let fields = String(decoding: buf[0..<n], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    let statsLock = NSLock()
    static let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

    /// Runs `work` on up to `workers` items at once and hands the results to `body` in order;
    /// at most `workers` results are held at a time.
    func forEachParallel<T, R>(_ items: [T], _ work: @escaping (T) throws -> R, _ body: (R) throws -> Void) throws {
        let w = QueryExecutor.workers
        if w == 1 || items.count < 2 { for x in items { try body(try work(x)) }; return }
        var start = 0
        while start < items.count {
            let window = Array(items[start..<min(items.count, start + w)])
            var results = [Result<R, Error>?](repeating: nil, count: window.count)
            let lock = NSLock()
            DispatchQueue.concurrentPerform(iterations: window.count) { k in
                let r = Result { try work(window[k]) }
                lock.lock(); results[k] = r; lock.unlock()
            }
            for r in results { try body(try r!.get()) }
            start += w
        }
    }

    /// Rows where the predicate is exactly true.
    func select(_ pred: BoundExpr, _ b: Batch) throws -> [Int32] {
        if options.encodedPredicates, let sel = try selectByDictionary(pred, b) { return sel }
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

    /// A predicate over one dictionary-coded string column is evaluated once per distinct value,
    /// then rows are selected by their code: `where name == "A" or name startswith "B"` costs a
    /// table lookup per row, whatever the predicate.
    func selectByDictionary(_ pred: BoundExpr, _ b: Batch) throws -> [Int32]? {
        var names = Set<String>()
        pred.collectNames(into: &names)
        guard names.count == 1, pred.isRowwise, let name = names.first, let col = b.column(named: name), col.dictionaryOnly,
              let codes = col.dictionaryCodes, col.dictionarySize < b.count else { return nil }
        var entries = col
        entries.dictionaryOnly = false; entries.dictionaryCodes = nil; entries.dictionarySize = 0
        let m = entries.count
        let verdict = try pred.eval(Batch(names: [name], columns: [entries], count: m))
        let v = verdict.int64Values, valid = verdict.validity
        let pass = (0..<m).map { v[$0] != 0 && (valid?[$0] ?? 1) != 0 }
        var sel: [Int32] = []
        sel.reserveCapacity(b.count / 4)
        pass.withUnsafeBufferPointer { pass in codes.withUnsafeBufferPointer { c in
            for i in 0..<c.count where pass[Int(c[i])] { sel.append(Int32(i)) }
        } }
        return sel
    }

    func keptSegments(_ table: String, _ request: ScanRequest) throws -> [SegmentInfo] {
        let (kept, pruned) = try store.plan(table, request)
        stats.scan.segmentsTotal += kept.count + pruned
        stats.scan.segmentsPruned += pruned
        return kept
    }

    /// One kept segment being read: opened once (file, footer, checksum), with the rows inside the
    /// request's exact time window worked out once.
    final class SegmentScan {
        let open: OpenSegment
        /// Rows inside the time window, ascending; nil when every row is (no window, or the
        /// segment's time range lies inside it: then the time column is never decoded).
        let window: [Int32]?
        var rowCount: Int { window?.count ?? open.rows }
        init(open: OpenSegment, window: [Int32]?) { self.open = open; self.window = window }
    }

    func storage<T>(_ body: () throws -> T) throws -> T {
        do { return try body() }
        catch let e as StoreError { throw Diagnostic(Msg.storage(e.description), SourceRange(0, 0)) }
    }

    /// Counts rows read against the budget (`--max-rows-scanned`).
    func countRowsRead(_ n: Int, segment: SegmentInfo?) throws {
        statsLock.lock()
        if let seg = segment { stats.scan.segmentsRead += 1; stats.scan.bytesRead += seg.bytes }
        stats.scan.rowsRead += n
        let rowsRead = stats.scan.rowsRead
        statsLock.unlock()
        if let lim = options.maxRowsScanned, rowsRead > lim {
            throw Diagnostic(Msg.budget("the query read more than \(lim) rows (raise the limit with --max-rows-scanned)"), SourceRange(0, 0))
        }
    }

    /// `countRows`: false when the caller counts the rows it decodes itself (take).
    func openScan(_ seg: SegmentInfo, _ schema: TableSchema, _ request: ScanRequest, countRows: Bool = true) throws -> SegmentScan {
        try checkDeadline()
        let open = try storage { try store.openSegment(seg, schema: schema) }
        try countRowsRead(countRows ? open.rows : 0, segment: seg)
        // Segments overlap the window; their rows may not, unless the segment lies inside it.
        guard let tc = schema.timeColumn, request.timeFrom != nil || request.timeTo != nil else { return SegmentScan(open: open, window: nil) }
        if let mn = seg.minTime, let mx = seg.maxTime, request.timeFrom.map({ mn >= $0 }) ?? true, request.timeTo.map({ mx < $0 }) ?? true,
           seg.stats[tc].map({ $0.nullCount == 0 }) ?? false {
            return SegmentScan(open: open, window: nil)
        }
        let sel = try storage { try open.rows(where: tc, from: request.timeFrom, to: request.timeTo) }
        return SegmentScan(open: open, window: sel.count == open.rows ? nil : sel)
    }

    /// `cols` of a segment scan: all its window's rows, or those at `rows` (positions within the
    /// window). Few rows are decoded selectively; many are decoded whole and gathered.
    func read(_ s: SegmentScan, _ cols: [String], rows: [Int32]? = nil, dictionaryOnly: Set<String> = []) throws -> Batch {
        let wanted: [Int32]?
        if let rows = rows, let w = s.window { wanted = w.withUnsafeBufferPointer { w in rows.map { w[Int($0)] } } }
        else { wanted = rows ?? s.window }
        guard let sel = wanted else { return try storage { try s.open.read(cols, dictionaryOnly: dictionaryOnly) } }
        if sel.count * 8 < s.open.rows { return try storage { try s.open.read(cols, rows: sel) } }
        let whole = try storage { try s.open.read(cols, dictionaryOnly: dictionaryOnly) }
        return Batch(names: whole.names, columns: whole.columns.map { $0.gather(sel) }, count: sel.count)
    }

    /// One segment's columns, restricted to the request's exact time window.
    func readSegment(_ seg: SegmentInfo, _ cols: [String], _ schema: TableSchema, _ request: ScanRequest,
                     dictionaryOnly: Set<String> = []) throws -> Batch {
        try read(try openScan(seg, schema, request), cols, dictionaryOnly: dictionaryOnly)
    }

    /// Which columns a filter over a scan reads first (the predicate's) and which later.
    struct LateMaterialization {
        let cols: [String], first: [String], rest: [String]
        let request: ScanRequest, schema: TableSchema
        /// Predicate columns read as dictionary codes (only string comparisons with constants use them).
        let firstCodes: Set<String>
        /// Columns the consumer takes as dictionary codes (group-by keys); the others are expanded.
        let keepCodes: Set<String>
        init(request: ScanRequest, schema: TableSchema, pred: BoundExpr, keepCodes: Set<String> = []) {
            cols = request.columns ?? schema.columns.map(\.name)
            var predNames = Set<String>()
            pred.collectNames(into: &predNames)
            first = cols.filter { predNames.contains($0) }
            rest = cols.filter { !predNames.contains($0) }
            // A predicate over a single string column runs on its distinct values (selectByDictionary).
            let stringCols = Set(schema.columns.filter { $0.type == .string }.map(\.name))
            firstCodes = predNames.count == 1 && predNames.isSubset(of: stringCols) && pred.isRowwise ? predNames : pred.codeAwareColumns
            self.request = request; self.schema = schema; self.keepCodes = keepCodes
            lookup = Planner.conjuncts(pred).lazy.compactMap { c -> (String, String)? in
                guard let call = c as? Call, call.name == "==", let needle = call.needle, call.args.count == 1,
                      let col = call.args[0] as? ColumnRef, col.type == .string, stringCols.contains(col.name) else { return nil }
                return (col.name, needle)
            }.first
        }
        /// A conjunct `column == "constant"` on a stored string column: segments find its rows in
        /// the encoded column (an id lookup), and the predicate runs on those rows only.
        let lookup: (String, String)?
    }

    /// A filter's first step on one segment: the rows that pass (positions in the scan's window)
    /// and the predicate's columns at those rows.
    func filterSegment(_ seg: SegmentInfo, _ pred: BoundExpr, _ plan: LateMaterialization) throws -> (SegmentScan, Batch, [Int32]) {
        let s = try openScan(seg, plan.schema, plan.request)
        if s.rowCount == 0 { return (s, Batch(names: plan.first, columns: [], count: 0), []) }
        if options.encodedPredicates, let (column, value) = plan.lookup, let equal = try storage({ try s.open.rows(where: column, equals: value) }) {
            // `column == "value"` holds only on these rows: the rest of the predicate runs on them alone.
            var candidates: [Int32] = []
            if let w = s.window {
                w.withUnsafeBufferPointer { w in
                    for row in equal {
                        var lo = 0, hi = w.count
                        while lo < hi { let mid = (lo + hi) / 2; if w[mid] < row { lo = mid + 1 } else { hi = mid } }
                        if lo < w.count && w[lo] == row { candidates.append(Int32(lo)) }
                    }
                }
            } else {
                candidates = equal
            }
            if candidates.isEmpty { return (s, Batch(names: plan.first, columns: [], count: 0), []) }
            let p = try read(s, plan.first, rows: candidates)
            let sel = try select(pred, p)
            return (s, p.gathered(sel), sel.map { candidates[Int($0)] })
        }
        let p = try read(s, plan.first, dictionaryOnly: options.encodedPredicates ? plan.firstCodes : [])
        let sel = try select(pred, p)
        return (s, sel.count == p.count ? p : p.gathered(sel), sel)
    }

    /// The kept rows of one filtered segment with all its columns: `kept` holds the predicate's
    /// columns at `sel` (positions in the window); the others are decoded only for those rows
    /// when there are few.
    func finishFiltered(_ s: SegmentScan, _ kept: Batch, _ sel: [Int32], _ plan: LateMaterialization) throws -> Batch? {
        if sel.isEmpty { return nil }
        var kept = kept
        for (k, name) in kept.names.enumerated() where kept.columns[k].dictionaryOnly && !plan.keepCodes.contains(name) {
            kept.columns[k] = kept.columns[k].materialized()
        }
        if !plan.rest.isEmpty {
            let others = try read(s, plan.rest, rows: sel.count == s.rowCount ? nil : sel, dictionaryOnly: plan.keepCodes)
            kept = Batch(names: plan.first + plan.rest, columns: kept.columns + others.columns, count: sel.count)
        }
        return Batch(names: plan.cols, columns: plan.cols.map { kept.column(named: $0)! }, count: kept.count)
    }

    /// A scan (or a filter over a scan) as independent per-segment work, for operators that can
    /// run one partial per worker.
    /// `dictionaryOnly`: string columns the consumer uses only as group keys (see `Column.dictionaryOnly`).
    func segmentWork(_ node: PlanNode, dictionaryOnly: Set<String> = []) throws -> (segments: [SegmentInfo], read: (SegmentInfo) throws -> Batch?)? {
        switch node {
        case .scan(let table, let schema, let request):
            let cols = request.columns ?? schema.columns.map(\.name)
            guard !cols.isEmpty else { return nil }
            return (try keptSegments(table, request), { seg in
                let b = try self.readSegment(seg, cols, schema, request, dictionaryOnly: dictionaryOnly)
                return b.count > 0 ? b : nil
            })
        case .filter(.scan(let table, let schema, let request), let pred):
            let plan = LateMaterialization(request: request, schema: schema, pred: pred, keepCodes: dictionaryOnly)
            return (try keptSegments(table, request), { seg in
                let (s, p, sel) = try self.filterSegment(seg, pred, plan)
                return try self.finishFiltered(s, p, sel, plan)
            })
        default: return nil
        }
    }

    /// summarize over a table: each worker aggregates a contiguous run of segments into its own
    /// groups and states; the partials are merged in segment order, so groups keep the order of
    /// their first appearance, as in a sequential run. Nil when an aggregate cannot merge.
    func parallelSummarize(_ child: PlanNode, keys: [(String, BoundExpr)], aggs: [AggregateSpec]) throws -> (GroupTable, [AggregateState])? {
        guard options.parallelAggregation, !keys.contains(where: { $0.1.type == .dynamic }) else { return nil }
        let probe = aggs.map { $0.make() }
        guard probe.allSatisfy({ $0 is MergeableState }) else { return nil }
        // Key columns used for nothing else are read as dictionary codes, never expanded per row.
        var usedElsewhere = Set<String>()
        for a in aggs { for e in a.args { e.collectNames(into: &usedElsewhere) } }
        for k in keys where !(k.1 is ColumnRef) { k.1.collectNames(into: &usedElsewhere) }
        let codesOnly = Set(keys.compactMap { ($0.1 as? ColumnRef).flatMap { $0.type == .string ? $0.name : nil } }).subtracting(usedElsewhere)
        guard let (segments, read) = try segmentWork(child, dictionaryOnly: codesOnly) else { return nil }
        let w = max(1, min(QueryExecutor.workers, segments.count))
        var partials = [(GroupTable, [AggregateState])?](repeating: nil, count: w)
        var failure: Error? = nil
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: w) { k in
            let groups = GroupTable()
            let states = aggs.map { $0.make() }
            if keys.isEmpty { _ = groups.assign([], count: 0) }
            do {
                for seg in segments[(k * segments.count / w)..<((k + 1) * segments.count / w)] {
                    lock.lock(); let stop = failure != nil; lock.unlock()
                    if stop { return }
                    guard let b = try read(seg) else { continue }
                    let keyCols = try keys.map { try $0.1.eval(b) }
                    let ids = groups.assign(keyCols, count: b.count)
                    for (j, a) in aggs.enumerated() { states[j].update(ids, groupCount: groups.count, try a.args.map { try $0.eval(b) }) }
                }
                lock.lock(); partials[k] = (groups, states); lock.unlock()
            } catch {
                lock.lock(); if failure == nil { failure = error }; lock.unlock()
            }
        }
        if let f = failure { throw f }
        if w == 1, let only = partials[0] { return only }
        let groups = GroupTable()
        let states = aggs.map { $0.make() }
        if keys.isEmpty { _ = groups.assign([], count: 0) }
        let keyTypes = keys.map { $0.1.type }
        for case let (g, st)? in partials {
            let mapping = groups.absorb(g, keyTypes: keyTypes)
            for (j, s) in st.enumerated() { (states[j] as! MergeableState).merge(s, mapping: mapping, groupCount: groups.count) }
        }
        return (groups, states)
    }

    /// Arrays per key over the bins `start, start+step, … < end`; absent bins take the default.
    func makeSeries(_ child: PlanNode, _ spec: MakeSeriesSpec) throws -> Batch {
        let rows = try run(child)
        let k = spec.keyCount
        func number(_ v: Value) -> Double? {
            switch v {
            case .long(let x), .datetime(let x), .timespan(let x): return Double(x)
            case .real(let x): return x
            default: return nil
            }
        }
        if rows.count == 0 { return Batch(names: spec.names, columns: spec.types.map { .nulls($0, count: 0) }, count: 0) }
        let binCol = rows.columns[k]
        var bins: [Double?] = (0..<rows.count).map { number(binCol.value($0)) }
        let present = bins.compactMap { $0 }
        guard let lo = spec.start.flatMap(number) ?? present.min() else {
            return Batch(names: spec.names, columns: spec.types.map { .nulls($0, count: 0) }, count: 0)
        }
        let hi = spec.end.flatMap(number) ?? ((present.max() ?? lo) + spec.step)
        let count = max(0, Int(((hi - lo) / spec.step).rounded(.up)))
        guard count <= 1 << 20 else {
            throw Diagnostic(Msg.budget("make-series would make \(count) bins; at most 1,048,576 (2^20) are allowed"), SourceRange(0, 0))
        }
        // Group rows by their key columns, in order of first appearance.
        let groups = GroupTable()
        let ids = groups.assign(Array(rows.columns[0..<k]), count: rows.count)
        var series = [[[JSONValue]]](repeating: [], count: groups.count)
        for g in 0..<groups.count {
            series[g] = spec.defaults.map { d in [JSONValue](repeating: d.asJSON, count: count) }
        }
        for i in 0..<rows.count {
            guard let b = bins[i] else { continue }
            let slot = Int(((b - lo) / spec.step).rounded(.down))
            guard slot >= 0 && slot < count else { continue }
            for a in 0..<spec.aggregateCount {
                let v = rows.columns[k + 1 + a].value(i)
                if !v.isNull { series[Int(ids[i])][a][slot] = v.asJSON }
            }
        }
        bins = []
        let axis: [JSONValue] = (0..<count).map { j in
            let x = lo + Double(j) * spec.step
            switch spec.axisType {
            case .datetime: return Value.datetime(Int64(x)).asJSON
            case .timespan: return Value.timespan(Int64(x)).asJSON
            case .real, .decimal: return .real(x)
            default: return .int(Int64(x))
            }
        }
        var cols: [Column] = []
        for c in 0..<k { cols.append(.from(groups.keyValues.map { $0[c] }, type: spec.types[c])) }
        for a in 0..<spec.aggregateCount {
            cols.append(.from(series.map { .dynamic(.array($0[a])) }, type: .dynamic))
        }
        cols.append(.from([Value](repeating: .dynamic(.array(axis)), count: groups.count), type: .dynamic))
        return Batch(names: spec.names, columns: cols, count: groups.count)
    }

    func execute(_ node: PlanNode, _ emit: (Batch) throws -> Void) throws {
        switch node {
        case .scan(let table, let schema, let request):
            let cols = request.columns ?? schema.columns.map(\.name)
            try forEachParallel(try keptSegments(table, request), { try self.readSegment($0, cols, schema, request) }) { b in
                if b.count > 0 || cols.isEmpty { try emit(b) }
            }
        case .filter(.scan(let table, let schema, let request), let pred):
            // Decode and filter segments on all cores; late columns and emission stay in order on this thread.
            let kept = try keptSegments(table, request)
            let plan = LateMaterialization(request: request, schema: schema, pred: pred)
            try forEachParallel(kept, { try self.filterSegment($0, pred, plan) }) { item in
                if let b = try finishFiltered(item.0, item.1, item.2, plan) { try emit(b) }
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
            var groups = GroupTable()
            var states = aggs.map { $0.make() }
            if let (g, st) = try parallelSummarize(child, keys: keys, aggs: aggs) {
                groups = g; states = st
            } else {
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
            }
            let n = groups.count
            var cols: [Column] = []
            for (k, key) in keys.enumerated() { cols.append(.from(groups.keyValues.map { $0[k] }, type: key.1.type)) }
            for s in states { cols.append(contentsOf: s.finish(groupCount: n)) }
            try emit(Batch(names: node.names, columns: cols, count: n))
        case .sort(let child, let keys, let limit):
            var parts: [Batch] = []
            try execute(child) { try checkDeadline(); parts.append($0) }
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
        case .take(.scan(let table, let schema, let request), let n):
            // take over a table: decode only the rows it keeps, segment by segment.
            var left = n
            let cols = request.columns ?? schema.columns.map(\.name)
            for seg in try keptSegments(table, request) where left > 0 {
                let scan = try openScan(seg, schema, request, countRows: false)
                let n = min(left, scan.rowCount)
                // Rows read: those kept, and the time column's when the window was worked out from it.
                try countRowsRead(n + (scan.window != nil ? scan.open.rows : 0), segment: nil)
                if n == 0 { continue }
                let b = try read(scan, cols, rows: n == scan.rowCount ? nil : (0..<Int32(n)).map { $0 })
                left -= b.count
                try emit(b)
            }
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
        case .sample(let child, let n):
            // Reservoir: every row of the stream ends up in the sample with probability n / rows.
            var parts: [Batch] = []
            var picks: [(part: Int, row: Int)] = []
            var seen = 0
            var rng = SystemRandomNumberGenerator()
            try execute(child) { b in
                parts.append(b)
                for i in 0..<b.count {
                    seen += 1
                    if picks.count < n { picks.append((parts.count - 1, i)) }
                    else { let j = Int.random(in: 0..<seen, using: &rng); if j < n { picks[j] = (parts.count - 1, i) } }
                }
            }
            var cols = child.types.map { Column.nulls($0, count: 0) }
            for (p, b) in parts.enumerated() {
                let rows = picks.filter { $0.part == p }.map { Int32($0.row) }
                if rows.isEmpty { continue }
                for k in 0..<cols.count { cols[k].append(b.columns[k].gather(rows)) }
            }
            try emit(Batch(names: child.names, columns: cols, count: picks.count))
        case .serialize(let child):
            var parts: [Batch] = []
            try execute(child) { parts.append($0) }
            try emit(QueryExecutor.concat(parts, names: child.names, types: child.types))
        case .mvExpand(let child, let items, let itemIndex, let bagAsArray, let limit, let names, let types):
            try execute(child) { b in
                let values = try items.map { try $0.expr.eval(b) }
                var rowOf: [Int32] = [], index: [Int64] = []
                var expanded: [[Value]] = Array(repeating: [], count: items.count)
                for i in 0..<b.count {
                    let lists: [[JSONValue]?] = values.map { c in
                        let v = c.value(i)
                        guard case .dynamic(let j) = v else { return [.null] }
                        switch j {
                        case .null: return [.null]
                        case .array(let a): return a
                        case .object(let kv): return kv.map { bagAsArray ? .array([.string($0.0), $0.1]) : .object([($0.0, $0.1)]) }
                        default: return [j]
                        }
                    }
                    let n = min(lists.map { $0?.count ?? 0 }.max() ?? 0, limit)
                    for k in 0..<n {
                        rowOf.append(Int32(i)); index.append(Int64(k))
                        for (m, l) in lists.enumerated() {
                            let j = l.flatMap { k < $0.count ? $0[k] : nil } ?? .null
                            expanded[m].append(MvExpand.cast(j, to: items[m].type))
                        }
                    }
                }
                if rowOf.isEmpty { return }
                var cols: [Column] = []
                for (name, t) in zip(names, types) {
                    if let m = items.firstIndex(where: { $0.name == name }) { cols.append(.from(expanded[m], type: t)) }
                    else if name == itemIndex { cols.append(.ints(.long, index)) }
                    else { cols.append(b.column(named: name)!.gather(rowOf)) }
                }
                try emit(Batch(names: names, columns: cols, count: rowOf.count))
            }
        case .parse(let child, let source, let regex, let columns, let names, let types):
            try execute(child) { b in
                let text = try source.eval(b)
                var parsed: [[Value]] = Array(repeating: [], count: columns.count)
                let s = text.byteStrings
                s.bytes.withUnsafeBufferPointer { bytes in
                    for i in 0..<b.count {
                        let rg = s.range(text.row(i))
                        let m = regex.firstMatch(bytes.baseAddress.map { $0 + rg.lowerBound }, count: rg.count)
                        for (k, (_, t)) in columns.enumerated() {
                            let captured: String? = m.flatMap { k + 1 < $0.count ? $0[k + 1] : nil }.map { span in
                                String(decoding: bytes[(rg.lowerBound + span.lowerBound)..<(rg.lowerBound + span.upperBound)], as: UTF8.self)
                            }
                            parsed[k].append(captured.map { Convert.parse($0, as: t) } ?? (t == .string ? .string("") : .null))
                        }
                    }
                }
                var cols: [Column] = []
                for (name, t) in zip(names, types) {
                    if let k = columns.firstIndex(where: { $0.0 == name }) { cols.append(.from(parsed[k], type: t)) }
                    else { cols.append(b.column(named: name)!) }
                }
                try emit(Batch(names: names, columns: cols, count: b.count))
            }
        case .join(let left, let right, let kind, let lk, let rk, let output):
            try executeJoin(left, right, kind, lk, rk, output, emit)
        case .makeSeries(let child, let spec):
            try emit(try makeSeries(child, spec))
        }
    }

    /// An upper bound on a plan's rows, from the catalog for scans (after pruning): to choose the
    /// side of a join to hash. nil when unknown.
    func estimatedRows(_ n: PlanNode) -> Int? {
        switch n {
        case .scan(let t, _, let r):
            guard let kept = try? store.plan(t, r).kept else { return nil }
            return kept.reduce(0) { $0 + $1.rows }
        case .values(let b): return b.count
        case .filter(let c, _), .project(let c, _), .summarize(let c, _, _), .sort(let c, _, _), .render(let c, _),
             .serialize(let c), .parse(let c, _, _, _, _, _):
            return estimatedRows(c)
        case .take(let c, let k), .sample(let c, let k): return estimatedRows(c).map { min($0, k) } ?? k
        case .count: return 1
        case .union(let cs, _, _, _, _):
            var total = 0
            for c in cs { guard let e = estimatedRows(c) else { return nil }; total += e }
            return total
        case .mvExpand, .join, .makeSeries: return nil
        }
    }

    /// A join side's key columns (as the widened key types) and which rows have a null key.
    static func joinKeys(_ exprs: [BoundExpr], _ keyTypes: [KustoType], _ b: Batch) throws -> ([Column], [Bool]) {
        let cols = try zip(exprs, keyTypes).map { e, t -> Column in let c = try e.eval(b); return c.type == t ? c : c.converted(to: t) }
        var hasNull = [Bool](repeating: false, count: b.count)
        for c in cols where c.validity != nil || c.type == .dynamic { for i in 0..<b.count where c.isNull(i) { hasNull[i] = true } }
        return (cols, hasNull)
    }

    /// Hash join: the smaller side (by the catalog's estimate) is built into a table, the other
    /// streams. Rows whose key has a null never match.
    func executeJoin(_ left: PlanNode, _ right: PlanNode, _ kind: JoinKind, _ lk: [BoundExpr], _ rk: [BoundExpr],
                     _ output: [JoinOutput], _ emit: (Batch) throws -> Void) throws {
        switch options.joinBuildSide {
        case .left: return try executeJoinBuildingLeft(left, right, kind, lk, rk, output, emit)
        case .right: break
        case .smaller:
            if let l = estimatedRows(left), let r = estimatedRows(right), l * 2 < r {
                return try executeJoinBuildingLeft(left, right, kind, lk, rk, output, emit)
            }
        }
        var parts: [Batch] = []
        try execute(right) { parts.append($0) }
        let R = QueryExecutor.concat(parts, names: right.names, types: right.types)
        let keyTypes = zip(lk, rk).map { TypeWidening.widened($0.type, $1.type) }
        func keys(_ exprs: [BoundExpr], _ b: Batch) throws -> ([Column], [Bool]) { try QueryExecutor.joinKeys(exprs, keyTypes, b) }
        let table = GroupTable()
        let (rcols, rnull) = try keys(rk, R)
        let rids = table.assign(rcols, count: R.count)
        let groups = table.count
        // Right rows per key, as offsets into one array.
        var start = [Int](repeating: 0, count: groups + 1)
        for (i, g) in rids.enumerated() where !rnull[i] { start[Int(g) + 1] += 1 }
        for g in 0..<groups { start[g + 1] += start[g] }
        var fill = start
        var rows = [Int32](repeating: 0, count: start[groups])
        for (i, g) in rids.enumerated() where !rnull[i] { rows[fill[Int(g)]] = Int32(i); fill[Int(g)] += 1 }
        var rightMatched = [Bool](repeating: false, count: R.count)
        var leftSeen = [Bool](repeating: false, count: groups)
        let leftNames = left.names

        func build(_ L: Batch?, _ li: [Int32], _ ri: [Int32]) -> Batch {
            let cols = output.map { o -> Column in
                if o.side == 0 { return L!.column(named: o.source)!.gatherOrNull(li) }
                return R.column(named: o.source)!.gatherOrNull(ri)
            }
            return Batch(names: output.map(\.name), columns: cols, count: li.count)
        }

        try execute(left) { b in
            let (lcols, lnull) = try keys(lk, b)
            let lids = table.assign(lcols, count: b.count)
            var li: [Int32] = [], ri: [Int32] = []
            for i in 0..<b.count {
                let g = Int(lids[i])
                let matched = !lnull[i] && g < groups && start[g + 1] > start[g]
                switch kind {
                case .innerunique, .inner, .leftouter, .rightouter, .fullouter:
                    if matched {
                        if kind == .innerunique { if leftSeen[g] { continue }; leftSeen[g] = true }
                        for k in start[g]..<start[g + 1] {
                            let r = rows[k]
                            rightMatched[Int(r)] = true
                            li.append(Int32(i)); ri.append(r)
                        }
                    } else if kind == .leftouter || kind == .fullouter {
                        li.append(Int32(i)); ri.append(-1)
                    }
                case .leftsemi: if matched { li.append(Int32(i)) }
                case .leftanti: if !matched { li.append(Int32(i)) }
                case .rightsemi, .rightanti:
                    if matched { for k in start[g]..<start[g + 1] { rightMatched[Int(rows[k])] = true } }
                }
            }
            if kind == .leftsemi || kind == .leftanti { ri = li }
            if !li.isEmpty && kind != .rightsemi && kind != .rightanti { try emit(build(b, li, ri)) }
        }
        if kind == .rightouter || kind == .fullouter || kind == .rightsemi || kind == .rightanti {
            var ri: [Int32] = []
            for r in 0..<R.count where kind == .rightsemi ? rightMatched[r] : !rightMatched[r] { ri.append(Int32(r)) }
            let li = [Int32](repeating: -1, count: ri.count)
            let empty = Batch(names: leftNames, columns: left.types.map { .nulls($0, count: 0) }, count: 0)
            if !ri.isEmpty { try emit(build(empty, li, ri)) }
        }
    }
}

extension QueryExecutor {
    /// The join with the table built on the left side (the smaller) and the right side streamed.
    /// Output comes per right batch: each right row with its left matches in left order; then the
    /// left rows that only the left side yields (unmatched rows of leftouter/fullouter, semi, anti).
    func executeJoinBuildingLeft(_ left: PlanNode, _ right: PlanNode, _ kind: JoinKind, _ lk: [BoundExpr], _ rk: [BoundExpr],
                                 _ output: [JoinOutput], _ emit: (Batch) throws -> Void) throws {
        var parts: [Batch] = []
        try execute(left) { parts.append($0) }
        let L = QueryExecutor.concat(parts, names: left.names, types: left.types)
        parts = []
        let keyTypes = zip(lk, rk).map { TypeWidening.widened($0.type, $1.type) }
        func keys(_ exprs: [BoundExpr], _ b: Batch) throws -> ([Column], [Bool]) { try QueryExecutor.joinKeys(exprs, keyTypes, b) }
        let table = GroupTable()
        let (lcols, lnull) = try keys(lk, L)
        let lids = table.assign(lcols, count: L.count)
        let groups = table.count
        // Left rows per key, in left order; innerunique keeps only each key's first left row.
        var start = [Int](repeating: 0, count: groups + 1)
        var firstOfKey = [Bool](repeating: false, count: L.count)
        var seen = [Bool](repeating: false, count: groups)
        for (i, g) in lids.enumerated() where !lnull[i] {
            if kind == .innerunique { if seen[Int(g)] { continue }; seen[Int(g)] = true }
            firstOfKey[i] = true
            start[Int(g) + 1] += 1
        }
        for g in 0..<groups { start[g + 1] += start[g] }
        var fill = start
        var rows = [Int32](repeating: 0, count: start[groups])
        for (i, g) in lids.enumerated() where !lnull[i] && firstOfKey[i] { rows[fill[Int(g)]] = Int32(i); fill[Int(g)] += 1 }
        var leftMatched = [Bool](repeating: false, count: L.count)
        let rightNames = right.names

        func build(_ R: Batch?, _ li: [Int32], _ ri: [Int32]) -> Batch {
            let cols = output.map { o -> Column in
                if o.side == 0 { return L.column(named: o.source)!.gatherOrNull(li) }
                return R!.column(named: o.source)!.gatherOrNull(ri)
            }
            return Batch(names: output.map(\.name), columns: cols, count: li.count)
        }

        try execute(right) { b in
            let (rcols, rnull) = try keys(rk, b)
            let rids = table.assign(rcols, count: b.count)
            var li: [Int32] = [], ri: [Int32] = []
            for i in 0..<b.count {
                let g = Int(rids[i])
                let matched = !rnull[i] && g < groups && start[g + 1] > start[g]
                if matched { for k in start[g]..<start[g + 1] { leftMatched[Int(rows[k])] = true } }
                switch kind {
                case .innerunique, .inner, .leftouter, .rightouter, .fullouter:
                    if matched {
                        for k in start[g]..<start[g + 1] { li.append(rows[k]); ri.append(Int32(i)) }
                    } else if kind == .rightouter || kind == .fullouter {
                        li.append(-1); ri.append(Int32(i))
                    }
                case .rightsemi: if matched { ri.append(Int32(i)) }
                case .rightanti: if !matched { ri.append(Int32(i)) }
                case .leftsemi, .leftanti: break
                }
            }
            if kind == .rightsemi || kind == .rightanti { li = ri }
            if !ri.isEmpty { try emit(build(b, li, ri)) }
        }
        if kind == .leftouter || kind == .fullouter || kind == .leftsemi || kind == .leftanti {
            var li: [Int32] = []
            for l in 0..<L.count where kind == .leftsemi ? leftMatched[l] : !leftMatched[l] {
                // An innerunique-deduplicated row never applies here (those kinds keep every left row).
                li.append(Int32(l))
            }
            let ri = [Int32](repeating: -1, count: li.count)
            let empty = Batch(names: rightNames, columns: right.types.map { .nulls($0, count: 0) }, count: 0)
            if !li.isEmpty { try emit(build(empty, li, ri)) }
        }
    }
}

extension Column {
    /// Rows picked by index; -1 gives a null (an empty string for strings).
    func gatherOrNull(_ rows: [Int32]) -> Column {
        if !rows.contains(-1) { return gather(rows) }
        let base = count > 0 ? gather(rows.map { max($0, 0) }) : Column.nulls(type, count: rows.count)
        if count == 0 { return base }
        switch base.storage {
        case .bytes(let s):
            var out = ByteStrings()
            for (k, r) in rows.enumerated() { if r < 0 { out.appendEmpty() } else { out.append(s[k]) } }
            return Column(type: type, storage: .bytes(out), validity: nil)
        default:
            var valid = base.validity ?? [UInt8](repeating: 1, count: rows.count)
            for (k, r) in rows.enumerated() where r < 0 { valid[k] = 0 }
            var c = base
            c.validity = valid
            return c
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

enum MvExpand {
    /// `to typeof(T)` only casts: an element that is not already a T becomes null.
    static func cast(_ j: JSONValue, to t: KustoType) -> Value {
        switch (t, j) {
        case (.dynamic, .null): return .dynamic(.null)
        case (.dynamic, _): return .dynamic(j)
        case (_, .null): return .null
        case (.long, .int(let v)), (.int, .int(let v)): return .long(v)
        case (.real, .real(let v)), (.decimal, .real(let v)): return .real(v)
        case (.real, .int(let v)), (.decimal, .int(let v)): return .real(Double(v))
        case (.bool, .bool(let v)): return .bool(v)
        case (.string, .string(let s)), (.guid, .string(let s)): return .string(s)
        case (.datetime, .string(let s)): return Ticks.parseDatetime(s).map { .datetime($0) } ?? .null
        case (.timespan, .string(let s)): return Ticks.parseTimespan(s).map { .timespan($0) } ?? .null
        case (.string, _): return .string("")
        default: return .null
        }
    }
}
