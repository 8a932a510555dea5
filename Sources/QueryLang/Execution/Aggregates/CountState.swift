import Foundation
import LogStore

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

extension CountState: MergeableState {
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) {
        let o = other as! CountState
        grow(&counts, groupCount, 0)
        for (j, c) in o.counts.enumerated() { counts[Int(mapping[j])] &+= c }
    }
}
