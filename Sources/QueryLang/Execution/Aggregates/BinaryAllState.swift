import Foundation
import LogStore

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
