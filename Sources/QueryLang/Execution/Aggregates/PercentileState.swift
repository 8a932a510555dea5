import Foundation
import LogStore

/// percentile(s): logq returns the exact nearest-rank value — rank ⌈P/100·N⌉ of the sorted
/// values, P=0 the minimum — which lies within Kusto's T-Digest error bound and is reproducible.
final class PercentileState: AggregateState {
    let percents: [Double], type: KustoType, asArray: Bool
    // Every value with its group, kept as the batches' own arrays (no copy: a batch's group ids and
    // values are not changed after they are handed over); a chunk merged from another worker
    // carries the mapping of its group ids. `finish` sorts them into per-group runs by counting
    // sort and selects the ranks in each run.
    struct Chunk {
        var groups: [Int32]
        var ints: [Int64] = []
        var reals: [Double] = []
        var mapping: [Int32]? = nil
        var count: Int { groups.count }
    }
    var chunks: [Chunk] = []
    init(type: KustoType, percents: [Double], asArray: Bool) { self.type = type; self.percents = percents; self.asArray = asArray }
    func update(_ g: [Int32], groupCount: Int, _ args: [Column]) {
        let a = args[0]
        switch a.storage {
        case .int64(let v):
            if a.validity == nil && v.count == g.count { chunks.append(Chunk(groups: g, ints: v)); return }
            var gs: [Int32] = [], vs: [Int64] = []
            for i in 0..<g.count where !a.isNull(i) { gs.append(g[i]); vs.append(v[i]) }
            chunks.append(Chunk(groups: gs, ints: vs))
        case .float64(let v):
            let valid = a.validity
            if valid == nil && v.count == g.count && !v.contains(where: { $0.isNaN }) { chunks.append(Chunk(groups: g, reals: v)); return }
            var gs = [Int32](), vs = [Double]()
            gs.reserveCapacity(g.count); vs.reserveCapacity(g.count)
            for i in 0..<g.count where !v[i].isNaN && (valid?[i] ?? 1) != 0 { gs.append(g[i]); vs.append(v[i]) }
            chunks.append(Chunk(groups: gs, reals: vs))
        case .bytes: break
        }
    }
    static func rank(_ p: Double, _ n: Int) -> Int { p <= 0 ? 0 : min(n - 1, max(0, Int((p / 100 * Double(n)).rounded(.up)) - 1)) } // checked: p is 0 ... 100 (the binder checks), n a count

    /// Group k's values as the range `start[k]..<start[k+1]` of one array (counting sort by group).
    static func groupStarts(_ chunks: [Chunk], groupCount: Int) -> [Int] {
        var start = [Int](repeating: 0, count: groupCount + 1)
        start.withUnsafeMutableBufferPointer { st in
            for c in chunks {
                c.groups.withUnsafeBufferPointer { gp in
                    if let m = c.mapping { for g in gp { st[Int(m[Int(g)]) + 1] += 1 } }
                    else { for g in gp { st[Int(g) + 1] += 1 } }
                }
            }
        }
        for k in 0..<groupCount { start[k + 1] += start[k] }
        return start
    }

    /// Scatters every chunk's values into their groups' runs.
    static func regroup<T>(_ chunks: [Chunk], _ start: [Int], zero: T, _ values: (Chunk) -> [T]) -> [T] {
        var next = start
        var out = [T](repeating: zero, count: start.last ?? 0)
        out.withUnsafeMutableBufferPointer { o in next.withUnsafeMutableBufferPointer { nx in
            for c in chunks {
                let vs = values(c)
                vs.withUnsafeBufferPointer { v in c.groups.withUnsafeBufferPointer { gp in
                    if let m = c.mapping {
                        for i in 0..<gp.count { let g = Int(m[Int(gp[i])]); o[nx[g]] = v[i]; nx[g] += 1 }
                    } else {
                        for i in 0..<gp.count { let g = Int(gp[i]); o[nx[g]] = v[i]; nx[g] += 1 }
                    }
                } }
            }
        } }
        return out
    }

    func finish(groupCount: Int) -> [Column] {
        var outs: [[Value]] = Array(repeating: [], count: percents.count)
        // Ranks in ascending order; each selection narrows the range left for the next one.
        let order = percents.indices.sorted { percents[$0] < percents[$1] }
        let ranks = { (n: Int) in order.map { (j: $0, rank: PercentileState.rank(self.percents[$0], n)) } }
        let start = Self.groupStarts(chunks, groupCount: groupCount)
        for j in 0..<percents.count { outs[j].reserveCapacity(groupCount) }
        // Groups are independent: select their ranks on all cores.
        var picked = [[Value]](repeating: [], count: groupCount)
        let workers = max(1, min(QueryExecutor.workers, groupCount / 4 + 1))
        let pickInts = type.physical == .int64
        let grouped64: [Int64] = pickInts ? Self.regroup(chunks, start, zero: 0) { $0.ints } : []
        let groupedReal: [Double] = pickInts ? [] : Self.regroup(chunks, start, zero: 0) { $0.reals }
        chunks = []
        let t = type, count = percents.count
        picked.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for k in stride(from: w, to: groupCount, by: workers) {
                    var row = [Value](repeating: .null, count: count)
                    if pickInts {
                        var run = Array(grouped64[start[k]..<start[k + 1]])
                        for (j, v) in Selection.pick(&run, ranks(run.count)) { row[j] = t == .datetime ? .datetime(v) : t == .timespan ? .timespan(v) : .long(v) }
                    } else {
                        var run = Array(groupedReal[start[k]..<start[k + 1]])
                        for (j, v) in Selection.pick(&run, ranks(run.count)) { row[j] = .real(v) }
                    }
                    out[k] = row
                }
            }
        }
        for k in 0..<groupCount { for j in 0..<percents.count { outs[j].append(picked[k][j]) } }
        if asArray {
            let arrays: [Value] = (0..<groupCount).map { k in
                outs[0][k].isNull && percents.count > 0 && outs.allSatisfy({ $0[k].isNull }) ? .dynamic(.null) : .dynamic(.array(outs.map { $0[k].asJSON }))
            }
            return [.from(arrays, type: .dynamic)]
        }
        let outType: KustoType = type == .int ? .long : type == .decimal ? .real : type
        return outs.map { .from($0, type: outType) }
    }
}

extension PercentileState: MergeableState {
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) {
        let o = other as! PercentileState
        for var c in o.chunks {
            c.mapping = c.mapping.map { m in m.map { mapping[Int($0)] } } ?? mapping
            chunks.append(c)
        }
    }
}
