import Foundation
import LogStore

// Three-valued boolean logic.
extension Kernels {
    static func and(_ a: Column, _ b: Column, _ n: Int) -> Column {
        let x = a.int64Values, y = b.int64Values
        var out = [Int64](repeating: 0, count: n)
        if a.validity == nil && b.validity == nil {
            for i in 0..<n { out[i] = x[i] & y[i] }
            return boolColumn(out, nil)
        }
        var valid = [UInt8](repeating: 1, count: n)
        for i in 0..<n {
            let va = a.validity?[i] ?? 1, vb = b.validity?[i] ?? 1
            let fa = va == 1 && x[i] == 0, fb = vb == 1 && y[i] == 0
            if fa || fb { out[i] = 0 } else if va == 0 || vb == 0 { valid[i] = 0 } else { out[i] = 1 }
        }
        return boolColumn(out, valid)
    }

    static func or(_ a: Column, _ b: Column, _ n: Int) -> Column {
        let x = a.int64Values, y = b.int64Values
        var out = [Int64](repeating: 0, count: n)
        if a.validity == nil && b.validity == nil {
            for i in 0..<n { out[i] = x[i] | y[i] }
            return boolColumn(out, nil)
        }
        var valid = [UInt8](repeating: 1, count: n)
        for i in 0..<n {
            let va = a.validity?[i] ?? 1, vb = b.validity?[i] ?? 1
            let ta = va == 1 && x[i] != 0, tb = vb == 1 && y[i] != 0
            if ta || tb { out[i] = 1 } else if va == 0 || vb == 0 { valid[i] = 0 } else { out[i] = 0 }
        }
        return boolColumn(out, valid)
    }

    static func not(_ a: Column, _ n: Int) -> Column {
        let x = a.int64Values
        return boolColumn(x.map { $0 == 0 ? 1 : 0 }, a.validity)
    }
}
