import Foundation
import LogStore

/// Typed batch kernels, one file per concern in this folder: comparisons, boolean logic,
/// arithmetic, bins, string predicates, and the hot scalar functions (strings, conditionals,
/// conversions, regex, datetimes). Each branches on its inputs' storage and shape once per batch
/// (a constant `Operand` is one value; a dictionary column is computed once per distinct value),
/// then loops over contiguous buffers of one type. A shape a kernel does not specialize goes row
/// by row through its definition in `Rowwise`, which KernelTests holds it to.
enum Kernels {
    @inline(__always) static func combine(_ a: [UInt8]?, _ b: [UInt8]?, _ n: Int) -> [UInt8]? {
        switch (a, b) {
        case (nil, nil): return nil
        case (let x?, nil): return x
        case (nil, let y?): return y
        case (let x?, let y?): var o = [UInt8](repeating: 0, count: n); for i in 0..<n { o[i] = x[i] & y[i] }; return o
        }
    }

    static func boolColumn(_ v: [Int64], _ valid: [UInt8]?) -> Column { .ints(.bool, v, validity: valid) }
}
