import LogStore

/// `range x from a to b step s`: the rows are generated when the plan runs, batch by batch
/// (`RangeOperator`), so a long range streams under the run's budgets instead of being built
/// at bind time. Bounds and step are constants of the column's type (`real` as doubles,
/// everything else as 64-bit integers or ticks).
struct RangeNode: LogicalPlan {
    enum Bounds {
        case ints(from: Int64, to: Int64, step: Int64)
        case reals(from: Double, to: Double, step: Double)
    }
    let name: String
    let type: KustoType
    let bounds: Bounds

    var names: [String] { [name] }
    var types: [KustoType] { [type] }
    var children: [any LogicalPlan] { [] }
    func withChildren(_ children: [any LogicalPlan]) -> any LogicalPlan { self }

    /// How many rows the range yields, as far as it is known up front (nil: more than `Int.max`
    /// or not computable, as for a real range whose step is below its bounds' precision).
    var rowCount: Int? {
        switch bounds {
        case let .ints(from, to, step):
            if step > 0 ? from > to : from < to { return 0 }
            // The distance fits in 64 unsigned bits even when `to - from` overflows Int64.
            let span = step > 0 ? UInt64(bitPattern: to &- from) : UInt64(bitPattern: from &- to)  // checked: to ≥ from (or ≤ for a negative step), so the wrapped difference is the exact distance
            let (n, o) = (span / step.magnitude).addingReportingOverflow(1)
            return o ? nil : Int(exactly: n)
        case let .reals(from, to, step):
            if !(step > 0 ? from <= to : from >= to) { return 0 }
            let n = ((to - from) / step).rounded(.down) + 1
            return Checked.int(truncating: n)
        }
    }

    func explainLine(_ store: Store) -> String {
        switch bounds {
        case let .ints(f, t, s): return "Range \(name):\(type.name) from \(f) to \(t) step \(s)"
        case let .reals(f, t, s): return "Range \(name):real from \(f) to \(t) step \(s)"
        }
    }
}
