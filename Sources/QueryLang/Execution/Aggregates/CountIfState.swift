import Foundation
import LogStore

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

extension CountIfState: MergeableState {
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) {
        let o = other as! CountIfState
        grow(&counts, groupCount, 0)
        for (j, c) in o.counts.enumerated() { counts[Int(mapping[j])] &+= c }
    }
}
