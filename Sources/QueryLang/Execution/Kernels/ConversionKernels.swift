import Foundation
import LogStore

// toint, tolong, todouble over typed buffers. Numbers convert in one loop; text parses once per
// distinct value of a dictionary column, and a plain run of digits without a String. Dynamic
// values go row by row (their JSON decides).
extension Kernels {
    /// `[+-]?[0-9]{1,18}`: a number Int64 and Double both parse exactly, as the text parsers would.
    @inline(__always) static func parseDigits(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        var k = 0, neg = false
        if p.count > 0 && (p[0] == 0x2D || p[0] == 0x2B) { neg = p[0] == 0x2D; k = 1 }
        let digits = p.count - k
        guard digits > 0 && digits <= 15 else { return nil }
        var v: Int64 = 0
        while k < p.count {
            let d = p[k] &- 0x30
            guard d < 10 else { return nil }
            v = v &* 10 &+ Int64(d)   // 15 digits cannot overflow
            k &+= 1
        }
        if neg && v == 0 { return nil }   // "-0" is -0.0 as a real: left to the parser
        return neg ? -v : v
    }

    /// Text to long as `Convert.toLong` reads it.
    static func textToLong(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        if let v = parseDigits(p) { return v }
        return Convert.toLong(.string(String(decoding: p, as: UTF8.self)))
    }

    /// Text to real as `Convert.toDouble` reads it.
    static func textToDouble(_ p: UnsafeBufferPointer<UInt8>) -> Double? {
        if let v = parseDigits(p) { return Double(v) }
        return Convert.toDouble(.string(String(decoding: p, as: UTF8.self)))
    }

    /// tolong (`int32`: toint, null outside Int32's range).
    static func toLong(int32: Bool) -> Call.OperandKernel {
        let t: KustoType = int32 ? .int : .long
        let reference = int32 ? Rowwise.toint : Rowwise.tolong
        return { a, n in
            let c = a[0].column
            guard !a[0].isConstant else { return try rowwise(t, reference, a, n) }
            var out = [Int64](repeating: 0, count: n)
            var valid = [UInt8](repeating: 1, count: n)
            var anyNull = false
            @inline(__always) func set(_ i: Int, _ x: Int64?) {
                if let x = x, !int32 || (x >= Int64(Int32.min) && x <= Int64(Int32.max)) { out[i] = x } else { valid[i] = 0; anyNull = true }
            }
            switch c.storage {
            case .int64(let v):
                // Every int64-backed type converts to its stored number (a bool to 0 or 1).
                let cv = c.validity
                for i in 0..<n { set(i, cv.map { $0[i] == 0 } ?? false ? nil : v[i]) }
            case .float64(let v):
                let cv = c.validity
                for i in 0..<n {
                    let d = v[i]
                    set(i, cv.map { $0[i] == 0 } ?? false ? nil : (d.isFinite && abs(d) < 9.2e18 ? Int64(d) : nil))
                }
            case .bytes where isText(c):
                // A null row reads as "", which parses to null.
                forEachString(c, n, { p in textToLong(p) }) { i, x in set(i, x) }
            case .bytes:
                return try rowwise(t, reference, a, n)
            }
            return .ints(t, out, validity: anyNull ? valid : nil)
        }
    }

    static func toDouble(_ a: [Operand], _ n: Int) throws -> Column {
        let c = a[0].column
        guard !a[0].isConstant else { return try rowwise(.real, Rowwise.todouble, a, n) }
        var out = [Double](repeating: 0, count: n)
        var valid = [UInt8](repeating: 1, count: n)
        var anyNull = false
        switch c.storage {
        case .int64(let v):
            for i in 0..<n { out[i] = Double(v[i]) }
            if let cv = c.validity {
                for i in 0..<n where cv[i] == 0 { out[i] = 0; valid[i] = 0; anyNull = true }
            }
        case .float64(let v):
            out = v
            if let cv = c.validity {
                for i in 0..<n where cv[i] == 0 { out[i] = 0; valid[i] = 0; anyNull = true }
            }
        case .bytes where isText(c):
            forEachString(c, n, { p in textToDouble(p) }) { i, x in
                if let x = x { out[i] = x } else { valid[i] = 0; anyNull = true }
            }
        case .bytes:
            return try rowwise(.real, Rowwise.todouble, a, n)
        }
        return .reals(out, validity: anyNull ? valid : nil, type: .real)
    }
}
