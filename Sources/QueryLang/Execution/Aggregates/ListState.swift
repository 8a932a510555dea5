import Foundation
import LogStore

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
