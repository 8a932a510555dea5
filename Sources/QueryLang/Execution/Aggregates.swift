import Foundation
import LogStore

/// An aggregate's state for all groups at once: `update` takes a batch's argument columns and
/// each row's group id; `finish` produces one column per output. States grow with group count.
protocol AggregateState: AnyObject {
    func update(_ groups: [Int32], groupCount: Int, _ args: [Column])
    func finish(groupCount: Int) -> [Column]
}

@inline(__always) func grow<T>(_ a: inout [T], _ n: Int, _ v: T) { if a.count < n { a.append(contentsOf: repeatElement(v, count: n - a.count)) } }

final class CountState: AggregateState {
    var counts: [Int64] = []
    let countsNonNull: Bool
    init(nonNull: Bool) { countsNonNull = nonNull }
    func update(_ g: [Int32], groupCount: Int, _ args: [Column]) {
        grow(&counts, groupCount, 0)
        counts.withUnsafeMutableBufferPointer { c in
            if countsNonNull, let a = args.first {
                for i in 0..<g.count where !a.isNull(i) { c[Int(g[i])] &+= 1 }
            } else {
                for x in g { c[Int(x)] &+= 1 }
            }
        }
    }
    func finish(groupCount: Int) -> [Column] { grow(&counts, groupCount, 0); return [.ints(.long, counts)] }
}

final class CountIfState: AggregateState {
    var counts: [Int64] = []
    func update(_ g: [Int32], groupCount: Int, _ args: [Column]) {
        grow(&counts, groupCount, 0)
        let p = args[0].int64Values, v = args[0].validity
        // Buffer pointers: a class's array property indexed in a loop pays an exclusivity check per access.
        counts.withUnsafeMutableBufferPointer { c in
            for i in 0..<g.count where p[i] != 0 && (v?[i] ?? 1) != 0 { c[Int(g[i])] &+= 1 }
        }
    }
    func finish(groupCount: Int) -> [Column] { grow(&counts, groupCount, 0); return [.ints(.long, counts)] }
}

/// binary_all_and / binary_all_or / binary_all_xor: the bits of a group's non-null values
/// combined; a group with none is null.
final class BinaryAllState: AggregateState, MergeableState {
    enum Op { case and, or, xor }
    let op: Op
    var values: [Int64] = []
    var seen: [UInt8] = []
    init(_ op: Op) { self.op = op }
    @inline(__always) func combine(_ a: Int64, _ b: Int64) -> Int64 {
        switch op { case .and: return a & b; case .or: return a | b; case .xor: return a ^ b }
    }
    var identity: Int64 { op == .and ? -1 : 0 }
    func update(_ g: [Int32], groupCount: Int, _ args: [Column]) {
        grow(&values, groupCount, identity); grow(&seen, groupCount, 0)
        let x = args[0].int64Values, valid = args[0].validity
        for i in 0..<g.count where (valid?[i] ?? 1) != 0 {
            let k = Int(g[i])
            values[k] = combine(values[k], x[i]); seen[k] = 1
        }
    }
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) {
        let o = other as! BinaryAllState
        grow(&values, groupCount, identity); grow(&seen, groupCount, 0)
        for j in 0..<o.values.count where o.seen[j] != 0 {
            let k = Int(mapping[j])
            values[k] = combine(values[k], o.values[j]); seen[k] = 1
        }
    }
    func finish(groupCount: Int) -> [Column] {
        grow(&values, groupCount, identity); grow(&seen, groupCount, 0)
        return [.ints(.long, values, validity: seen.contains(0) ? seen : nil)]
    }
}

/// sum, sumif, avg, avgif: nulls are skipped; sum of nothing is 0, avg of nothing null.
final class SumState: AggregateState {
    let isInt: Bool, average: Bool, conditional: Bool, outType: KustoType
    var ints: [Int64] = [], reals: [Double] = [], counts: [Int64] = []
    init(argType: KustoType, average: Bool, conditional: Bool) {
        isInt = argType.physical == .int64 && !average
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
                return [.ints(.timespan, (0..<groupCount).map { counts[$0] > 0 ? Int64((reals[$0] / Double(counts[$0])).rounded()) : 0 }, validity: anyNull ? valid : nil)]
            }
            return [.reals((0..<groupCount).map { counts[$0] > 0 ? reals[$0] / Double(counts[$0]) : 0 }, validity: anyNull ? valid : nil)]
        }
        if isInt { return [.ints(outType, ints)] }
        return [.reals(reals)]
    }
}

/// min, max, minif, maxif over any type; null when a group saw no value.
final class MinMaxState: AggregateState {
    let isMax: Bool, conditional: Bool, type: KustoType
    var ints: [Int64] = [], reals: [Double] = [], values: [Value] = [], seen: [UInt8] = []
    init(type: KustoType, isMax: Bool, conditional: Bool) { self.type = type; self.isMax = isMax; self.conditional = conditional }
    func update(_ g: [Int32], groupCount: Int, _ args: [Column]) {
        grow(&seen, groupCount, 0)
        let a = args[0]
        let cv = conditional ? args[1].int64Values : nil
        switch a.storage {
        case .int64(let v):
            grow(&ints, groupCount, 0)
            let isMax = self.isMax
            ints.withUnsafeMutableBufferPointer { m in seen.withUnsafeMutableBufferPointer { sn in
                for i in 0..<g.count where !a.isNull(i) && (cv?[i] ?? 1) != 0 {
                    let k = Int(g[i])
                    if sn[k] == 0 || (isMax ? v[i] > m[k] : v[i] < m[k]) { m[k] = v[i]; sn[k] = 1 }
                }
            } }
        case .float64(let v):
            grow(&reals, groupCount, 0)
            let isMax = self.isMax
            reals.withUnsafeMutableBufferPointer { m in seen.withUnsafeMutableBufferPointer { sn in
                for i in 0..<g.count where !a.isNull(i) && (cv?[i] ?? 1) != 0 && !v[i].isNaN {
                    let k = Int(g[i])
                    if sn[k] == 0 || (isMax ? v[i] > m[k] : v[i] < m[k]) { m[k] = v[i]; sn[k] = 1 }
                }
            } }
        case .bytes:
            grow(&values, groupCount, .null)
            for i in 0..<g.count where !a.isNull(i) && (cv?[i] ?? 1) != 0 {
                let k = Int(g[i]); let x = a.value(i)
                if seen[k] == 0 || (isMax ? ValueOrder.compare(x, values[k]) > 0 : ValueOrder.compare(x, values[k]) < 0) { values[k] = x; seen[k] = 1 }
            }
        }
    }
    func finish(groupCount: Int) -> [Column] {
        grow(&seen, groupCount, 0)
        let valid: [UInt8]? = seen.contains(0) ? seen : nil
        switch type.physical {
        case .int64: grow(&ints, groupCount, 0); return [.ints(type, ints, validity: valid)]
        case .float64: grow(&reals, groupCount, 0); return [.reals(reals, validity: valid, type: type)]
        case .bytes: grow(&values, groupCount, .null); return [.from(values, type: type)]
        }
    }
}

/// dcount / dcountif: exact up to `DCountState.exactLimit` distinct values per group; above it the
/// group's values move into a HyperLogLog sketch (2^14 registers: about 0.8% standard error, less
/// than Kusto's default accuracy level), so memory stays bounded whatever the cardinality.
final class DCountState: AggregateState {
    static let exactLimit = 100_000
    var sets: [Set<Int64>] = []
    var strings: [Set<ArraySlice<UInt8>>] = []
    var sketches: [HyperLogLog?] = []
    let conditional: Bool
    init(conditional: Bool) { self.conditional = conditional }

    func update(_ g: [Int32], groupCount: Int, _ args: [Column]) {
        let a = args[0]
        let cv = conditional ? args[1].int64Values : nil
        grow(&sketches, groupCount, nil)
        switch a.storage {
        case .int64, .float64:
            grow(&sets, groupCount, [])
            let bits: (Int) -> Int64
            switch a.storage {
            case .int64(let v): bits = { v[$0] }
            case .float64(let v): bits = { Int64(bitPattern: (v[$0] == 0 ? 0 : v[$0]).bitPattern) }
            case .bytes: return
            }
            for i in 0..<g.count where !a.isNull(i) && (cv?[i] ?? 1) != 0 {
                let k = Int(g[i]), x = bits(i)
                if sketches[k] != nil { sketches[k]!.add(HyperLogLog.hash(x)); continue }
                sets[k].insert(x)
                if sets[k].count > Self.exactLimit { spill(k) }
            }
        case .bytes(let s):
            grow(&strings, groupCount, [])
            for i in 0..<g.count where (cv?[i] ?? 1) != 0 && !a.isNull(i) {
                let k = Int(g[i])
                if sketches[k] != nil { sketches[k]!.add(HyperLogLog.hash(s[a.row(i)])); continue }
                strings[k].insert(ArraySlice(s[a.row(i)]))
                if strings[k].count > Self.exactLimit { spill(k) }
            }
        }
    }

    /// Moves group k's exact values into a sketch.
    func spill(_ k: Int) {
        var h = sketches[k] ?? HyperLogLog()
        if k < sets.count { for x in sets[k] { h.add(HyperLogLog.hash(x)) }; sets[k] = [] }
        if k < strings.count { for x in strings[k] { h.add(HyperLogLog.hash(x)) }; strings[k] = [] }
        sketches[k] = h
    }

    func finish(groupCount: Int) -> [Column] {
        grow(&sets, groupCount, []); grow(&strings, groupCount, []); grow(&sketches, groupCount, nil)
        return [.ints(.long, (0..<groupCount).map { k in
            if let h = sketches[k] { return h.estimate }
            return Int64(sets[k].count + strings[k].count)
        })]
    }
}

/// HyperLogLog with 2^14 one-byte registers (Flajolet et al.), with linear counting for small
/// counts. Values are hashed with a 64-bit mix so that ints, reals and strings share one sketch.
struct HyperLogLog {
    static let p = 14
    var registers = [UInt8](repeating: 0, count: 1 << HyperLogLog.p)

    static func hash(_ x: Int64) -> UInt64 {
        var z = UInt64(bitPattern: x) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return hash(Int64(bitPattern: h))
    }

    mutating func add(_ h: UInt64) {
        let index = Int(h >> UInt64(64 - HyperLogLog.p))
        let rest = (h << UInt64(HyperLogLog.p)) | (1 << UInt64(HyperLogLog.p - 1))
        let rank = UInt8(rest.leadingZeroBitCount + 1)
        if rank > registers[index] { registers[index] = rank }
    }

    mutating func merge(_ o: HyperLogLog) {
        for i in 0..<registers.count where o.registers[i] > registers[i] { registers[i] = o.registers[i] }
    }

    var estimate: Int64 {
        let m = Double(registers.count)
        var sum = 0.0, zeros = 0
        for r in registers { sum += 1 / Double(UInt64(1) << UInt64(r)); if r == 0 { zeros += 1 } }
        let alpha = 0.7213 / (1 + 1.079 / m)
        var e = alpha * m * m / sum
        if e <= 2.5 * m && zeros > 0 { e = m * log(m / Double(zeros)) }
        return Int64(e.rounded())
    }
}

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
    static func rank(_ p: Double, _ n: Int) -> Int { p <= 0 ? 0 : min(n - 1, max(0, Int((p / 100 * Double(n)).rounded(.up)) - 1)) }

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

final class ListState: AggregateState {
    let distinct: Bool, limit: Int, conditional: Bool
    var lists: [[JSONValue]] = [], seen: [Set<String>] = []
    init(distinct: Bool, limit: Int, conditional: Bool) { self.distinct = distinct; self.limit = limit; self.conditional = conditional }
    func update(_ g: [Int32], groupCount: Int, _ args: [Column]) {
        grow(&lists, groupCount, []); grow(&seen, groupCount, [])
        let a = args[0]
        let cv = conditional ? args[1].int64Values : nil
        for i in 0..<g.count where (cv?[i] ?? 1) != 0 {
            let k = Int(g[i])
            guard lists[k].count < limit else { continue }
            if a.isNull(i) { continue }
            let v = a.value(i).asJSON
            if distinct {
                let key = v.jsonText
                if seen[k].contains(key) { continue }
                seen[k].insert(key)
            }
            lists[k].append(v)
        }
    }
    func finish(groupCount: Int) -> [Column] {
        grow(&lists, groupCount, [])
        return [.from(lists.map { .dynamic(.array($0)) }, type: .dynamic)]
    }
}

final class MakeBagState: AggregateState {
    var bags: [[(String, JSONValue)]] = []
    func update(_ g: [Int32], groupCount: Int, _ args: [Column]) {
        grow(&bags, groupCount, [])
        for i in 0..<g.count {
            guard case .dynamic(.object(let kv)) = args[0].value(i) else { continue }
            let k = Int(g[i])
            for (key, v) in kv where !bags[k].contains(where: { $0.0 == key }) { bags[k].append((key, v)) }
        }
    }
    func finish(groupCount: Int) -> [Column] { grow(&bags, groupCount, []); return [.from(bags.map { .dynamic(.object($0)) }, type: .dynamic)] }
}

/// take_any: the first non-null value each group meets.
final class TakeAnyState: AggregateState {
    var values: [Value] = []
    var have: [Bool] = []
    let types: [KustoType]
    var multi: [[Value]] = []
    init(types: [KustoType]) { self.types = types }
    func update(_ g: [Int32], groupCount: Int, _ args: [Column]) {
        grow(&have, groupCount, false); grow(&multi, groupCount, [])
        for i in 0..<g.count {
            let k = Int(g[i])
            if have[k] { continue }
            if types.count == 1 && args[0].isNull(i) { continue }
            multi[k] = args.map { $0.value(i) }; have[k] = true
        }
    }
    func finish(groupCount: Int) -> [Column] {
        grow(&multi, groupCount, [])
        return types.enumerated().map { j, t in .from(multi.map { $0.isEmpty ? .null : $0[j] }, type: t) }
    }
}

/// arg_max / arg_min: the row with the extreme first argument; outputs that value and the others.
final class ArgExtremeState: AggregateState {
    let isMax: Bool, types: [KustoType]
    var best: [Value] = [], rows: [[Value]] = []
    init(isMax: Bool, types: [KustoType]) { self.isMax = isMax; self.types = types }
    func update(_ g: [Int32], groupCount: Int, _ args: [Column]) {
        grow(&best, groupCount, .null); grow(&rows, groupCount, [])
        for i in 0..<g.count where !args[0].isNull(i) {
            let k = Int(g[i])
            let v = args[0].value(i)
            let c = best[k].isNull ? 1 : ValueOrder.compare(v, best[k]) * (isMax ? 1 : -1)
            if c > 0 { best[k] = v; rows[k] = args.map { $0.value(i) } }
        }
    }
    func finish(groupCount: Int) -> [Column] {
        grow(&rows, groupCount, [])
        return types.enumerated().map { j, t in .from(rows.map { $0.isEmpty ? .null : $0[j] }, type: t) }
    }
}

/// stdev / variance (sample, n-1) and their population forms, by Welford's method.
final class VarianceState: AggregateState {
    let sqrtResult: Bool, population: Bool, conditional: Bool
    var n: [Double] = [], mean: [Double] = [], m2: [Double] = []
    init(sqrt: Bool, population: Bool, conditional: Bool) { sqrtResult = sqrt; self.population = population; self.conditional = conditional }
    func update(_ g: [Int32], groupCount: Int, _ args: [Column]) {
        grow(&n, groupCount, 0); grow(&mean, groupCount, 0); grow(&m2, groupCount, 0)
        let x = Kernels.doubles(args[0])
        let cv = conditional ? args[1].int64Values : nil
        for i in 0..<g.count where !args[0].isNull(i) && (cv?[i] ?? 1) != 0 {
            let k = Int(g[i])
            n[k] += 1
            let d = x[i] - mean[k]
            mean[k] += d / n[k]
            m2[k] += d * (x[i] - mean[k])
        }
    }
    func finish(groupCount: Int) -> [Column] {
        grow(&n, groupCount, 0); grow(&mean, groupCount, 0); grow(&m2, groupCount, 0)
        let v = (0..<groupCount).map { k -> Double in
            let d = population ? n[k] : n[k] - 1
            guard d > 0 else { return 0 }
            let r = m2[k] / d
            return sqrtResult ? r.squareRoot() : r
        }
        return [.reals(v)]
    }
}

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

// MARK: merging partial states

/// A state that can absorb another's partial result: `summarize` over a table runs one partial
/// per worker on its own segments and merges them (`mapping[j]` is the merged id of the other's group j).
protocol MergeableState: AggregateState {
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int)
}

extension CountState: MergeableState {
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) {
        let o = other as! CountState
        grow(&counts, groupCount, 0)
        for (j, c) in o.counts.enumerated() { counts[Int(mapping[j])] &+= c }
    }
}

extension CountIfState: MergeableState {
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) {
        let o = other as! CountIfState
        grow(&counts, groupCount, 0)
        for (j, c) in o.counts.enumerated() { counts[Int(mapping[j])] &+= c }
    }
}

extension SumState: MergeableState {
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) {
        let o = other as! SumState
        grow(&ints, groupCount, 0); grow(&reals, groupCount, 0); grow(&counts, groupCount, 0)
        for j in 0..<o.counts.count {
            let k = Int(mapping[j])
            if j < o.ints.count { ints[k] &+= o.ints[j] }
            if j < o.reals.count { reals[k] += o.reals[j] }
            counts[k] &+= o.counts[j]
        }
    }
}

extension MinMaxState: MergeableState {
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) {
        let o = other as! MinMaxState
        grow(&seen, groupCount, 0)
        for j in 0..<o.seen.count where o.seen[j] != 0 {
            let k = Int(mapping[j])
            switch type.physical {
            case .int64:
                grow(&ints, groupCount, 0)
                if seen[k] == 0 || (isMax ? o.ints[j] > ints[k] : o.ints[j] < ints[k]) { ints[k] = o.ints[j] }
            case .float64:
                grow(&reals, groupCount, 0)
                if seen[k] == 0 || (isMax ? o.reals[j] > reals[k] : o.reals[j] < reals[k]) { reals[k] = o.reals[j] }
            case .bytes:
                grow(&values, groupCount, .null)
                let c = ValueOrder.compare(o.values[j], values[k])
                if seen[k] == 0 || (isMax ? c > 0 : c < 0) { values[k] = o.values[j] }
            }
            seen[k] = 1
        }
    }
}

extension DCountState: MergeableState {
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) {
        let o = other as! DCountState
        grow(&sets, groupCount, []); grow(&strings, groupCount, []); grow(&sketches, groupCount, nil)
        for j in 0..<max(o.sets.count, o.strings.count, o.sketches.count) {
            let k = Int(mapping[j])
            if j < o.sketches.count, let h = o.sketches[j] {
                if sketches[k] == nil { spill(k) }
                sketches[k]!.merge(h)
            }
            if j < o.sets.count, !o.sets[j].isEmpty {
                if sketches[k] != nil { for x in o.sets[j] { sketches[k]!.add(HyperLogLog.hash(x)) } }
                else { sets[k].formUnion(o.sets[j]); if sets[k].count > Self.exactLimit { spill(k) } }
            }
            if j < o.strings.count, !o.strings[j].isEmpty {
                if sketches[k] != nil { for x in o.strings[j] { sketches[k]!.add(HyperLogLog.hash(x)) } }
                else { strings[k].formUnion(o.strings[j]); if strings[k].count > Self.exactLimit { spill(k) } }
            }
        }
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
