import LogStore

/// Generates `range`'s rows in batches of `batchRows`, checking the budgets per batch: a range of
/// 10^15 rows streams into `summarize` under `--timeout`, or ends at `--max-memory` when
/// something downstream holds it. Integer (and tick) arithmetic is checked: a value that would
/// overflow, or a datetime that would leave Kusto's range, ends the range.
struct RangeOperator: PhysicalOperator {
    let ex: QueryExecutor
    let node: RangeNode
    static let batchRows = 1 << 16

    func run(_ emit: (Batch) throws -> Void) throws {
        let names = node.names, type = node.type, n = RangeOperator.batchRows
        switch node.bounds {
        case let .ints(from, to, step):
            let isDatetime = type == .datetime
            var next: Int64? = from
            while let start = next {
                try ex.checkDeadline()
                var out = [Int64]()
                out.reserveCapacity(n)
                var v = start
                next = nil
                while true {
                    if step > 0 ? v > to : v < to { break }
                    out.append(v)
                    guard let w = isDatetime ? Checked.datetime(v, plus: step) : Checked.add(v, step) else { break }
                    if out.count == n { next = w; break }
                    v = w
                }
                if !out.isEmpty { try emit(Batch(names: names, columns: [.ints(type, out)], count: out.count)) }
            }
        case let .reals(from, to, step):
            // from + k·step rather than a running sum: no drift, and a step below the bounds'
            // precision still moves on (k grows) instead of repeating one value forever.
            var k: Int64 = 0
            var done = false
            while !done {
                try ex.checkDeadline()
                var out = [Double]()
                out.reserveCapacity(n)
                while out.count < n {
                    let v = from + Double(k) * step
                    if !(step > 0 ? v <= to : v >= to) { done = true; break }
                    out.append(v)
                    guard let k1 = Checked.add(k, 1) else { done = true; break }
                    k = k1
                }
                if !out.isEmpty { try emit(Batch(names: names, columns: [.reals(out)], count: out.count)) }
            }
        }
    }
}
