import Foundation
import LogStore

/// A filter right over a scan, with late materialization: per segment (on all cores) the
/// predicate's columns are read and evaluated first, in their encoded form where possible; the
/// other columns are decoded only at the passing rows. Emission stays in segment order.
struct FilteredScanOperator: PhysicalOperator {
    let ex: QueryExecutor
    let scan: ScanNode
    let predicate: BoundExpr

    func run(_ emit: (Batch) throws -> Void) throws {
        let ex = self.ex, pred = predicate
        let kept = try ex.keptSegments(scan.table, scan.request)
        let plan = QueryExecutor.LateMaterialization(request: scan.request, schema: scan.schema, pred: pred)
        try ex.forEachParallel(kept, { try ex.filterSegment($0, pred, plan) }) { item in
            if let b = try ex.finishFiltered(item.0, item.1, item.2, plan) { try emit(b) }
        }
    }
}

extension QueryExecutor {
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
}
