import Foundation
import LogStore

// Arithmetic on longs (wrapping, as .NET's unchecked arithmetic) and reals. A constant side is
// read once, so each loop runs over one buffer (or two for column op column).
extension Kernels {
    /// `f` over two operands' buffers, row by row; a constant's single value is hoisted out of the loop.
    @inline(__always)
    static func zip<T, U, R>(_ x: [T], _ sx: Int, _ y: [U], _ sy: Int, _ n: Int, _ zero: R, _ f: (T, U) -> R) -> [R] {
        var out = [R](repeating: zero, count: n)
        guard n > 0 else { return out }
        out.withUnsafeMutableBufferPointer { o in x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in
            switch (sx, sy) {
            case (1, 1): for i in 0..<n { o[i] = f(xp[i], yp[i]) }
            case (1, _): let c = yp[0]; for i in 0..<n { o[i] = f(xp[i], c) }
            case (_, 1): let c = xp[0]; for i in 0..<n { o[i] = f(c, yp[i]) }
            default: let v = f(xp[0], yp[0]); for i in 0..<n { o[i] = v }
            }
        } } }
        return out
    }

    /// Both operands' validity for `n` rows (nil: all valid).
    static func combine(_ a: Operand, _ b: Operand, _ n: Int) -> [UInt8]? { combine(a.validity(n), b.validity(n), n) }

    static func arithmeticInts(_ op: String, _ a: Column, _ b: Column, _ n: Int, type: KustoType) -> Column {
        arithmeticInts(op, .column(a), .column(b), n, type: type)
    }

    static func arithmeticInts(_ op: String, _ a: Operand, _ b: Operand, _ n: Int, type: KustoType) -> Column {
        if (type == .datetime || type == .timespan) && (op == "+" || op == "-") { return ticksSum(op == "-", a, b, n, type: type) }
        let x = a.column.int64Values, y = b.column.int64Values, sx = a.step, sy = b.step
        var valid = combine(a, b, n)
        let out: [Int64]
        switch op {
        case "+": out = zip(x, sx, y, sy, n, 0) { $0 &+ $1 }
        case "-": out = zip(x, sx, y, sy, n, 0) { $0 &- $1 }
        case "*": out = zip(x, sx, y, sy, n, 0) { $0 &* $1 }
        case "/", "%":
            var o = [Int64](repeating: 0, count: n)
            var v = valid ?? [UInt8](repeating: 1, count: n)
            for i in 0..<n {
                let p = x[i &* sx], q = y[i &* sy]
                if q == 0 || (p == Int64.min && q == -1) { v[i] = 0; continue }
                o[i] = op == "/" ? p / q : p % q
            }
            out = o
            valid = v
        default: out = [Int64](repeating: 0, count: n)
        }
        return .ints(type, out, validity: valid)
    }

    /// datetime ± timespan, timespan ± timespan, datetime - datetime: unlike long arithmetic these do
    /// not wrap. A sum beyond Int64 or a datetime beyond 0001-01-01 … 9999-12-31 is null, Kusto's answer
    /// (`datetime(2020-01-01) + 10675199d` would otherwise wrap to year 0000).
    static func ticksSum(_ subtract: Bool, _ a: Operand, _ b: Operand, _ n: Int, type: KustoType) -> Column {
        let x = a.column.int64Values, y = b.column.int64Values, sx = a.step, sy = b.step
        let inputs = combine(a, b, n)
        var v = inputs ?? [UInt8](repeating: 1, count: n)
        var o = [Int64](repeating: 0, count: n)
        let lo = type == .datetime ? Ticks.minDatetime : Int64.min, hi = type == .datetime ? Ticks.maxDatetime : Int64.max
        var anyNull = inputs != nil
        x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in
            for i in 0..<n {
                let (r, overflow) = subtract ? xp[i &* sx].subtractingReportingOverflow(yp[i &* sy]) : xp[i &* sx].addingReportingOverflow(yp[i &* sy])
                if overflow || r < lo || r > hi { v[i] = 0; anyNull = true } else { o[i] = r }
            }
        } }
        return .ints(type, o, validity: anyNull ? v : nil)
    }

    /// Doubles as tick counts (timespan * real, timespan / real), rounded; NaN, infinity and counts
    /// beyond Int64 (`1d * 1e12`) are null.
    static func realsToTicks(_ x: Column) -> Column {
        let d = x.float64Values, n = x.count
        var v = x.validity ?? [UInt8](repeating: 1, count: n)
        var o = [Int64](repeating: 0, count: n)
        var anyNull = x.validity != nil
        for i in 0..<n {
            if let t = Checked.int64(rounding: d[i]) { o[i] = t } else { v[i] = 0; anyNull = true }
        }
        return .ints(.timespan, o, validity: anyNull ? v : nil)
    }

    static func arithmeticReals(_ op: String, _ a: Column, _ b: Column, _ n: Int) -> Column {
        arithmeticReals(op, .column(a), .column(b), n)
    }

    static func arithmeticReals(_ op: String, _ a: Operand, _ b: Operand, _ n: Int) -> Column {
        let x = doubles(a.column), y = doubles(b.column), sx = a.step, sy = b.step
        let out: [Double]
        switch op {
        case "+": out = zip(x, sx, y, sy, n, 0) { $0 + $1 }
        case "-": out = zip(x, sx, y, sy, n, 0) { $0 - $1 }
        case "*": out = zip(x, sx, y, sy, n, 0) { $0 * $1 }
        case "/": out = zip(x, sx, y, sy, n, 0) { $0 / $1 }
        case "%": out = zip(x, sx, y, sy, n, 0) { $0.truncatingRemainder(dividingBy: $1) }
        default: out = [Double](repeating: 0, count: n)
        }
        return .reals(out, validity: combine(a, b, n))
    }
}
