import Foundation
import LogStore

/// sort (every row, stable) or top (the first `limit` rows, with a bounded heap when the limit
/// is small against the input). Blocking: holds its whole input.
struct SortOperator: PhysicalOperator {
    let ex: QueryExecutor
    let node: SortNode
    let input: any PhysicalOperator

    func run(_ emit: (Batch) throws -> Void) throws {
        let (keys, limit) = (node.keys, node.limit)
        var parts: [Batch] = []
        try input.run { try ex.checkDeadline(); parts.append($0) }
        // The sort buffer: the input concatenated once, its permutation and the gathered output.
        let rows = parts.reduce(0) { $0 &+ $1.count }, held = parts.reduce(0) { $0 &+ $1.approximateBytes }
        try ex.reserve(Budget.bytes(rows, 16).map { $0 &+ held &* 2 }, "sorting \(rows) rows")  // checked: sizes of batches in memory
        let all = QueryExecutor.concat(parts, names: node.input.names, types: node.input.types)
        parts = []
        let keyCols = try keys.map { try $0.expr.eval(all) }
        var perm = Array(0..<all.count)
        let cmp = RowComparator(columns: keyCols, specs: keys)
        var tick = BudgetTicker(ex.budget)
        if let lim = limit, lim < all.count / 4 {
            perm = try cmp.top(perm, lim, &tick)
        } else {
            // The comparator cannot throw: once the budget is spent it records why and compares
            // row numbers only, so the sort finishes at once and the error is thrown after it.
            var failure: Error? = nil
            perm.sort { a, b in
                if failure != nil { return a < b }
                do { try tick.tick() } catch { failure = error; return a < b }
                return cmp.less(a, b)
            }
            if let f = failure { throw f }
            if let lim = limit, lim < perm.count { perm = Array(perm[0..<lim]) }
        }
        let sel = perm.map { Int32($0) }
        try emit(Batch(names: all.names, columns: all.columns.map { $0.gather(sel) }, count: sel.count))
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
    func top(_ rows: [Int], _ k: Int, _ tick: inout BudgetTicker) throws -> [Int] {
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
            try tick.tick()
            if heap.count < k { heap.append(row); up(heap.count - 1) }
            else if less(row, heap[0]) { heap[0] = row; down(0) }
        }
        return heap.sorted { less($0, $1) }
    }
}
