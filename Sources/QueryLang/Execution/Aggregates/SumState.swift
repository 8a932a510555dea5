import Foundation
import LogStore

/// sum, sumif, avg, avgif: nulls are skipped; sum of nothing is 0, avg of nothing null.
final class SumState: AggregateState {
    let isInt: Bool, average: Bool, conditional: Bool, outType: KustoType
    /// A sum of timespans is exact in 128 bits and null when it leaves Int64 (Kusto's answer for an
    /// out-of-range timespan); a sum of longs wraps, as Kusto's long does. Exact partial sums make
    /// the answer the same however the rows were split among workers.
    let ticks: Bool
    var ints: [Int64] = [], reals: [Double] = [], counts: [Int64] = [], wide: [Int128] = []
    init(argType: KustoType, average: Bool, conditional: Bool) {
        isInt = argType.physical == .int64 && !average
        ticks = argType == .timespan && !average
        self.average = average; self.conditional = conditional
        outType = average ? (argType == .timespan ? .timespan : .real) : (argType == .timespan ? .timespan : argType == .real || argType == .decimal ? .real : .long)
    }
    func update(_ g: [Int32], groupCount: Int, _ args: [Column]) {
        grow(&ints, groupCount, 0); grow(&reals, groupCount, 0); grow(&counts, groupCount, 0)
        let a = args[0]
        let cond = conditional ? args[1] : nil
        let cv = cond?.int64Values, cvv = cond?.validity
        let valid = a.validity
        switch a.storage {
        case .int64(let v) where ticks:
            grow(&wide, groupCount, 0)
            for i in 0..<g.count {
                if let c = cv, c[i] == 0 || (cvv?[i] ?? 1) == 0 { continue }
                if let vv = valid, vv[i] == 0 { continue }
                let k = Int(g[i]); wide[k] += Int128(v[i]); counts[k] &+= 1
            }
        case .int64(let v):
            let isInt = self.isInt
            v.withUnsafeBufferPointer { vp in ints.withUnsafeMutableBufferPointer { si in reals.withUnsafeMutableBufferPointer { sr in
                counts.withUnsafeMutableBufferPointer { cn in
                    if cv == nil && valid == nil && isInt {
                        for i in 0..<g.count { let k = Int(g[i]); si[k] &+= vp[i]; cn[k] &+= 1 }
                        return
                    }
                    for i in 0..<g.count {
                        if let c = cv, c[i] == 0 || (cvv?[i] ?? 1) == 0 { continue }
                        if let vv = valid, vv[i] == 0 { continue }
                        let k = Int(g[i])
                        if isInt { si[k] &+= vp[i] } else { sr[k] += Double(vp[i]) }
                        cn[k] &+= 1
                    }
                }
            } } }
        case .float64(let v):
            v.withUnsafeBufferPointer { vp in reals.withUnsafeMutableBufferPointer { r in counts.withUnsafeMutableBufferPointer { cn in
                if cv == nil && valid == nil {
                    for i in 0..<g.count { let k = Int(g[i]); r[k] += vp[i]; cn[k] &+= 1 }
                    return
                }
                for i in 0..<g.count {
                    if let c = cv, c[i] == 0 || (cvv?[i] ?? 1) == 0 { continue }
                    if let vv = valid, vv[i] == 0 { continue }
                    let k = Int(g[i]); r[k] += vp[i]; cn[k] &+= 1
                }
            } } }
        case .bytes: break
        }
    }
    func finish(groupCount: Int) -> [Column] {
        grow(&ints, groupCount, 0); grow(&reals, groupCount, 0); grow(&counts, groupCount, 0)
        if average {
            let valid = counts.map { $0 > 0 ? UInt8(1) : 0 }
            let anyNull = valid.contains(0)
            if outType == .timespan {
                // The mean of timespans near Int64.max rounds to 2^63 as a double: null, not a trap.
                let means = Kernels.realsToTicks(.reals((0..<groupCount).map { counts[$0] > 0 ? reals[$0] / Double(counts[$0]) : 0 }, validity: anyNull ? valid : nil))
                return [means]
            }
            return [.reals((0..<groupCount).map { counts[$0] > 0 ? reals[$0] / Double(counts[$0]) : 0 }, validity: anyNull ? valid : nil)]
        }
        if ticks {
            grow(&wide, groupCount, 0)
            let exact = wide.map { Int64(exactly: $0) }
            let valid = exact.map { $0 == nil ? UInt8(0) : 1 }
            return [.ints(.timespan, exact.map { $0 ?? 0 }, validity: valid.contains(0) ? valid : nil)]
        }
        if isInt { return [.ints(outType, ints)] }
        return [.reals(reals)]
    }
}

extension SumState: MergeableState {
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) {
        let o = other as! SumState
        grow(&ints, groupCount, 0); grow(&reals, groupCount, 0); grow(&counts, groupCount, 0)
        for j in 0..<o.counts.count {
            let k = Int(mapping[j])
            if j < o.ints.count { ints[k] &+= o.ints[j] }
            if j < o.wide.count { grow(&wide, groupCount, 0); wide[k] += o.wide[j] }
            if j < o.reals.count { reals[k] += o.reals[j] }
            counts[k] &+= o.counts[j]
        }
    }
}
