import Foundation
import LogStore

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
