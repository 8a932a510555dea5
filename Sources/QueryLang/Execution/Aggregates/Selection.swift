/// Quickselect: afterwards `a[k]` holds the value a full sort would put there, with nothing
/// larger before it and nothing smaller after it (within `from..<a.count`). Expected linear time,
/// against n log n for the sort it replaces in percentile().
enum Selection {
    /// The values at ascending `ranks` (rank, output slot), each selection narrowing the next one's range.
    static func pick<T: Comparable>(_ a: inout [T], _ ranks: [(j: Int, rank: Int)]) -> [(Int, T)] {
        guard !a.isEmpty else { return [] }
        var lo = 0
        return ranks.map { r in select(&a, r.rank, from: lo); lo = r.rank; return (r.j, a[r.rank]) }
    }

    static func select<T: Comparable>(_ a: inout [T], _ k: Int, from: Int) {
        a.withUnsafeMutableBufferPointer { p in
            var lo = from, hi = p.count - 1
            while hi > lo {
                // median of three as pivot
                let mid = lo + (hi - lo) / 2
                if p[mid] < p[lo] { p.swapAt(mid, lo) }
                if p[hi] < p[lo] { p.swapAt(hi, lo) }
                if p[hi] < p[mid] { p.swapAt(hi, mid) }
                let pivot = p[mid]
                var i = lo, j = hi
                while i <= j {
                    while p[i] < pivot { i += 1 }
                    while pivot < p[j] { j -= 1 }
                    if i <= j { p.swapAt(i, j); i += 1; j -= 1 }
                }
                if k <= j { hi = j } else if k >= i { lo = i } else { return }
            }
        }
    }
}
