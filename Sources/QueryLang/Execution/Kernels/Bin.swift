import Foundation
import LogStore

// Rounding down to bins (bin, floor, bin_at) with a constant size.
extension Kernels {
    @inline(__always) static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
    }

    static func binInts(_ a: Column, size: Int64, origin: Int64, type: KustoType, _ n: Int) -> Column {
        guard size > 0 else { return .nulls(type, count: n) }
        let x = a.int64Values
        var out = [Int64](repeating: 0, count: n)
        x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { o in
            for i in 0..<n { o[i] = floorDiv(xp[i] &- origin, size) &* size &+ origin }
        } }
        return .ints(type, out, validity: a.validity)
    }

    static func binReals(_ a: Column, size: Double, origin: Double, _ n: Int) -> Column {
        guard size > 0 else { return .nulls(.real, count: n) }
        let x = doubles(a)
        return .reals(x.map { ((($0 - origin) / size).rounded(.down)) * size + origin }, validity: a.validity)
    }
}
