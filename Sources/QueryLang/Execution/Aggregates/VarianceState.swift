import Foundation
import LogStore

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
