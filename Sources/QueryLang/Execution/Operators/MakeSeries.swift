import Foundation
import LogStore

/// Arrays per key over the bins `start, start+step, … < end`; absent bins take the default.
/// Blocking: holds its input (one row per key and bin).
struct MakeSeriesOperator: PhysicalOperator {
    let ex: QueryExecutor
    let node: MakeSeriesNode
    let input: any PhysicalOperator

    static let maxBins = 1 << 20

    func run(_ emit: (Batch) throws -> Void) throws {
        try emit(try makeSeries())
    }

    func makeSeries() throws -> Batch {
        let spec = node.spec
        let rows = try ex.collect(input, names: node.input.names, types: node.input.types)
        let k = spec.keyCount
        func number(_ v: Value) -> Double? {
            switch v {
            case .long(let x), .datetime(let x), .timespan(let x): return Double(x)
            case .real(let x): return x
            default: return nil
            }
        }
        if rows.count == 0 { return Batch(names: spec.names, columns: spec.types.map { .nulls($0, count: 0) }, count: 0) }
        let binCol = rows.columns[k]
        var bins: [Double?] = (0..<rows.count).map { number(binCol.value($0)) }
        let present = bins.compactMap { $0 }
        guard let lo = spec.start.flatMap(number) ?? present.min() else {
            return Batch(names: spec.names, columns: spec.types.map { .nulls($0, count: 0) }, count: 0)
        }
        let hi = spec.end.flatMap(number) ?? ((present.max() ?? lo) + spec.step)
        // The bin count from doubles: a huge span over a tiny step is no trap, just too many bins.
        let wanted = ((hi - lo) / spec.step).rounded(.up)
        guard let count = wanted.isNaN ? 0 : Checked.int(truncating: max(0, wanted)), count <= MakeSeriesOperator.maxBins else {
            throw Diagnostic(Msg.tooManyBins(Checked.int(truncating: wanted).map { String($0) } ?? "\(wanted)"), SourceRange(0, 0))
        }
        // Group rows by their key columns, in order of first appearance.
        let groups = GroupTable()
        let ids = try groups.assign(Array(rows.columns[0..<k]), count: rows.count)
        // The grid (groups × aggregates × bins, plus the arrays' boxes) is accounted before it is
        // built: many groups times many bins is refused up front, not allocated until abort.
        let cells = Budget.bytes(groups.count, spec.aggregateCount).flatMap { Budget.bytes($0, count) }
        try ex.reserve(cells.flatMap { Budget.bytes($0, MemoryLayout<JSONValue>.stride * 2) },
                       "make-series' grid of \(groups.count) series × \(spec.aggregateCount) aggregates × \(count) bins")
        var tick = BudgetTicker(ex.budget)
        var series = [[[JSONValue]]](repeating: [], count: groups.count)
        for g in 0..<groups.count {
            series[g] = spec.defaults.map { d in [JSONValue](repeating: d.asJSON, count: count) }
            try tick.tick(count &* spec.aggregateCount)  // checked: bounded by the grid just reserved
        }
        for i in 0..<rows.count {
            try tick.tick()
            guard let b = bins[i], let slot = Checked.int(truncating: ((b - lo) / spec.step).rounded(.down)) else { continue }
            guard slot >= 0 && slot < count else { continue }
            for a in 0..<spec.aggregateCount {
                let v = rows.columns[k + 1 + a].value(i)
                if !v.isNull { series[Int(ids[i])][a][slot] = v.asJSON }
            }
        }
        bins = []
        let axis: [JSONValue] = (0..<count).map { j in
            let x = lo + Double(j) * spec.step
            switch spec.axisType {
            case .datetime: return Checked.int64(truncating: x).flatMap(Checked.datetime).map { Value.datetime($0).asJSON } ?? .null
            case .timespan: return Checked.int64(truncating: x).map { Value.timespan($0).asJSON } ?? .null
            case .real, .decimal: return .real(x)
            default: return Checked.int64(truncating: x).map { .int($0) } ?? .null
            }
        }
        var cols: [Column] = []
        for c in 0..<k { cols.append(.from(groups.keyValues.map { $0[c] }, type: spec.types[c])) }
        for a in 0..<spec.aggregateCount {
            cols.append(.from(series.map { .dynamic(.array($0[a])) }, type: .dynamic))
        }
        cols.append(.from([Value](repeating: .dynamic(.array(axis)), count: groups.count), type: .dynamic))
        return Batch(names: spec.names, columns: cols, count: groups.count)
    }
}
