import LogStore

// Functions of the serialized row order whose arithmetic needs care (see RowFunctions in BindExpr).
extension Kernels {
    /// row_cumsum(x [, restart]). Longs add as longs (wrapping, as Kusto's long does; a running sum
    /// kept in a double lost precision past 2^53 and trapped converting back past 2^63); a timespan
    /// sum that leaves Int64 is null until the next restart; reals add as doubles.
    static func rowCumsum(_ x: Column, restart: Column?, type t: KustoType, _ n: Int) -> Column {
        @inline(__always) func restarts(_ i: Int) -> Bool {
            guard let r = restart else { return false }
            return !r.isNull(i) && r.int64Values[i] != 0
        }
        guard t != .real, case .int64(let v) = x.storage else {
            let d = Kernels.doubles(x)
            var acc = 0.0
            var out = [Double](repeating: 0, count: n)
            for i in 0..<n {
                if restarts(i) { acc = 0 }
                if !x.isNull(i) { acc += d[i] }
                out[i] = acc
            }
            if t == .real { return .reals(out) }
            let ticks = realsToTicks(.reals(out))
            return .ints(t, ticks.int64Values, validity: ticks.validity)
        }
        var acc: Int64 = 0, overflowed = false, anyNull = false
        var out = [Int64](repeating: 0, count: n)
        var valid = [UInt8](repeating: 1, count: n)
        let wraps = t != .timespan
        for i in 0..<n {
            if restarts(i) { acc = 0; overflowed = false }
            if !x.isNull(i) {
                if wraps { acc &+= v[i] } // checked: long arithmetic wraps in Kusto
                else { let (s, o) = acc.addingReportingOverflow(v[i]); acc = s; overflowed = overflowed || o }
            }
            out[i] = acc
            if overflowed { valid[i] = 0; anyNull = true }
        }
        return .ints(t, out, validity: anyNull ? valid : nil)
    }
}
