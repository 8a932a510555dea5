import Foundation
import LogStore

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
