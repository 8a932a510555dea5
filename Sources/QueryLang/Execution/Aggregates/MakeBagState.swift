import Foundation
import LogStore

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
