import Foundation
import LogStore

/// Reads a table's kept segments, decoded on all cores, emitted in segment order.
struct ScanOperator: PhysicalOperator {
    let ex: QueryExecutor
    let node: ScanNode

    func run(_ emit: (Batch) throws -> Void) throws {
        let (schema, request) = (node.schema, node.request)
        let cols = node.columns
        try ex.forEachParallel(try ex.keptSegments(node.table, request), { try self.ex.readSegment($0, cols, schema, request) }) { b in
            if b.count > 0 || cols.isEmpty { try emit(b) }
        }
    }
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

extension QueryExecutor {
    /// The run's catalog snapshot: taken when the query starts (`CompiledQuery.run`), or at the
    /// first scan of an executor that runs subqueries while compiling.
    func catalogSnapshot() throws -> StoreSnapshot {
        snapshotLock.lock(); defer { snapshotLock.unlock() }
        if let s = snapshot { return s }
        let s = try storage { try store.snapshot() }
        snapshot = s
        return s
    }

    /// The segments of `table` that `request` may match, in the run's snapshot: every scan of one
    /// query sees the same batches.
    func keptSegments(_ table: String, _ request: ScanRequest) throws -> [SegmentInfo] {
        let snap = try catalogSnapshot()
        let (kept, pruned) = try snap.plan(table, request)
        stats.scan.segmentsTotal += kept.count + pruned
        stats.scan.segmentsPruned += pruned
        return kept
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

    /// A scan (or a filter over a scan) as independent per-segment work, for operators that can
    /// run one partial per worker.
    /// `dictionaryOnly`: string columns the consumer uses only as group keys (see `Column.dictionaryOnly`).
    func segmentWork(_ node: any LogicalPlan, dictionaryOnly: Set<String> = []) throws -> (segments: [SegmentInfo], read: (SegmentInfo) throws -> Batch?)? {
        if let scan = node as? ScanNode {
            let (schema, request) = (scan.schema, scan.request)
            let cols = scan.columns
            guard !cols.isEmpty else { return nil }
            return (try keptSegments(scan.table, request), { seg in
                let b = try self.readSegment(seg, cols, schema, request, dictionaryOnly: dictionaryOnly)
                return b.count > 0 ? b : nil
            })
        }
        if let filter = node as? FilterNode, let scan = filter.input as? ScanNode {
            let pred = filter.predicate
            let plan = LateMaterialization(request: scan.request, schema: scan.schema, pred: pred, keepCodes: dictionaryOnly)
            return (try keptSegments(scan.table, scan.request), { seg in
                let (s, p, sel) = try self.filterSegment(seg, pred, plan)
                return try self.finishFiltered(s, p, sel, plan)
            })
        }
        return nil
    }
}
