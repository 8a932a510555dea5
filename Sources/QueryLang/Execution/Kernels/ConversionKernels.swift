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
            v = v &* 10 &+ Int64(truncatingIfNeeded: d)   // 15 digits cannot overflow
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
                    set(i, cv.map { $0[i] == 0 } ?? false ? nil : Checked.int64(truncating: d))
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

    /// `v` in decimal as `String(v)` writes it, zero-padded on the left to `width` characters
    /// (before a minus sign, as `DateParts.pad` pads).
    @inline(__always) static func appendDecimal(_ v: Int64, width: Int = 0, to out: inout [UInt8]) {
        var m = v.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &digits) { d in
            var k = 0
            repeat { d[k] = UInt8(m % 10) &+ 0x30; m /= 10; k &+= 1 } while m > 0
            let len = k + (v < 0 ? 1 : 0)
            if width > len { for _ in 0..<(width - len) { out.append(0x30) } }
            if v < 0 { out.append(0x2D) }
            while k > 0 { k &-= 1; out.append(d[k]) }
        }
    }

    /// tostring: a JSON string becomes its text, other dynamic values their JSON, null "";
    /// integers are written straight into the output; other types convert as the column does.
    static func toString(_ col: Column, _ n: Int) -> Column {
        if col.type == .dynamic {
            let s = col.byteStrings
            var out = ByteStrings()
            out.reserve(rows: n, bytes: s.bytes.count)
            var buf: [UInt8] = []
            s.bytes.withUnsafeBufferPointer { p in
                let base = p.baseAddress ?? UnsafePointer(bitPattern: 1)!
                for i in 0..<n {
                    let rg = s.range(i)
                    let len = rg.count, start = base + rg.lowerBound
                    if len >= 2 && start[0] == 0x22 {
                        if memchr(start + 1, 0x5C, len - 2) == nil {
                            out.append(UnsafeBufferPointer(start: start + 1, count: len - 2)); continue
                        }
                        buf.removeAll(keepingCapacity: true)
                        var sc = JSONScanner(base, start: rg.lowerBound, end: rg.upperBound)
                        _ = try? sc.readString(into: &buf)
                        out.append(buf)
                    } else if len == 4 && memcmp(start, "null", 4) == 0 {
                        out.appendEmpty()
                    } else {
                        out.append(UnsafeBufferPointer(start: start, count: len))
                    }
                }
            }
            return .strings(out)
        }
        if case .int64(let v) = col.storage, col.type == .int || col.type == .long {
            var out = ByteStrings()
            out.reserve(rows: n, bytes: n * 4)
            let valid = col.validity
            for i in 0..<n {
                if valid.map({ $0[i] != 0 }) ?? true { appendDecimal(v[i], to: &out.bytes) }
                out.offsets.append(out.bytes.count)
            }
            return .strings(out)
        }
        return col.converted(to: .string)
    }
}
