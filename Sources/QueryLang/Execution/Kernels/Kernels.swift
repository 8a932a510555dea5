import Foundation
import LogStore

/// Typed batch kernels for the operators that dominate real queries: comparisons, boolean
/// logic, arithmetic and string predicates. Each loops over contiguous buffers of one type.
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
