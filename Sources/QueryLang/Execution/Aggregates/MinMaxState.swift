import Foundation
import LogStore

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
