import Foundation
import LogStore

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
