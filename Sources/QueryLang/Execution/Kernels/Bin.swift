import Foundation
import LogStore

// Rounding down to bins (bin, floor, bin_at) with a constant size.
extension Kernels {
    @inline(__always) static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
    }

    /// floor((x - origin) / size) * size + origin without wrapping: a bin that leaves Int64 (a long near
    /// its minimum, a far origin) or, for datetimes, leaves 0001-01-01 … 9999-12-31 is null.
    static func binInts(_ a: Column, size: Int64, origin: Int64, type: KustoType, _ n: Int) -> Column {
        guard size > 0 else { return .nulls(type, count: n) }
        let x = a.int64Values
        let lo = type == .datetime ? Ticks.minDatetime : Int64.min, hi = type == .datetime ? Ticks.maxDatetime : Int64.max
        var out = [Int64](repeating: 0, count: n)
        var valid = a.validity ?? [UInt8](repeating: 1, count: n)
        var anyNull = a.validity != nil
        x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { o in
            for i in 0..<n {
                if let d = Checked.subtract(xp[i], origin), let f = Checked.floor(d, toMultipleOf: size),
                   let b = Checked.add(f, origin), b >= lo, b <= hi { o[i] = b } else { valid[i] = 0; anyNull = true }
            }
        } }
        return .ints(type, out, validity: anyNull ? valid : nil)
    }

    /// A size so small that (x - origin) / size overflows (bin(1e10, 1e-300)) leaves x in a bin of its
    /// own: past 2^53 every double quotient is already whole, so floor changes nothing but the infinity.
    @inline(__always) static func binReal(_ x: Double, size: Double, origin: Double) -> Double {
        let q = (x - origin) / size
        return q.isFinite || !x.isFinite ? q.rounded(.down) * size + origin : x
    }

    static func binReals(_ a: Column, size: Double, origin: Double, _ n: Int) -> Column {
        guard size > 0 else { return .nulls(.real, count: n) }
        let x = doubles(a)
        return .reals(x.map { binReal($0, size: size, origin: origin) }, validity: a.validity)
    }
}
