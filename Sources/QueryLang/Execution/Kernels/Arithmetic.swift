import Foundation
import LogStore

// Arithmetic on longs (wrapping, as .NET's unchecked arithmetic) and reals.
extension Kernels {
    static func arithmeticInts(_ op: String, _ a: Column, _ b: Column, _ n: Int, type: KustoType) -> Column {
        let x = a.int64Values, y = b.int64Values
        var out = [Int64](repeating: 0, count: n)
        var valid = combine(a.validity, b.validity, n)
        switch op {
        case "+": for i in 0..<n { out[i] = x[i] &+ y[i] }
        case "-": for i in 0..<n { out[i] = x[i] &- y[i] }
        case "*": for i in 0..<n { out[i] = x[i] &* y[i] }
        case "/", "%":
            var v = valid ?? [UInt8](repeating: 1, count: n)
            for i in 0..<n {
                if y[i] == 0 || (x[i] == Int64.min && y[i] == -1) { v[i] = 0; continue }
                out[i] = op == "/" ? x[i] / y[i] : x[i] % y[i]
            }
            valid = v
        default: break
        }
        return .ints(type, out, validity: valid)
    }

    static func arithmeticReals(_ op: String, _ a: Column, _ b: Column, _ n: Int) -> Column {
        let x = doubles(a), y = doubles(b)
        var out = [Double](repeating: 0, count: n)
        switch op {
        case "+": for i in 0..<n { out[i] = x[i] + y[i] }
        case "-": for i in 0..<n { out[i] = x[i] - y[i] }
        case "*": for i in 0..<n { out[i] = x[i] * y[i] }
        case "/": for i in 0..<n { out[i] = x[i] / y[i] }
        case "%": for i in 0..<n { out[i] = x[i].truncatingRemainder(dividingBy: y[i]) }
        default: break
        }
        return .reals(out, validity: combine(a.validity, b.validity, n))
    }
}
