import Foundation
import LogStore

// Comparisons with Kusto's null rules; strings compare bytewise (ordinal), as Kusto does.
extension Kernels {
    enum CmpOp { case eq, ne, lt, le, gt, ge }

    static func cmpOp(_ s: String) -> CmpOp? {
        switch s { case "==": return .eq; case "!=": return .ne; case "<": return .lt; case "<=": return .le; case ">": return .gt; case ">=": return .ge; default: return nil }
    }

    @inline(__always) static func test<T: Comparable>(_ op: CmpOp, _ a: T, _ b: T) -> Bool {
        switch op { case .eq: return a == b; case .ne: return a != b; case .lt: return a < b; case .le: return a <= b; case .gt: return a > b; case .ge: return a >= b }
    }

    /// Kusto's null rules: `==` with one null is false, `!=` true; with both null (or any null
    /// for ordering operators) the result is null.
    static func applyNulls(_ op: CmpOp, _ out: inout [Int64], _ va: [UInt8]?, _ vb: [UInt8]?, _ n: Int) -> [UInt8]? {
        guard va != nil || vb != nil else { return nil }
        var valid = [UInt8](repeating: 1, count: n)
        for i in 0..<n {
            let a = va?[i] ?? 1, b = vb?[i] ?? 1
            if a & b == 1 { continue }
            if (op == .eq || op == .ne) && (a | b) == 1 { out[i] = op == .ne ? 1 : 0 } else { valid[i] = 0; out[i] = 0 }
        }
        return valid
    }

    static func compareInts(_ op: CmpOp, _ a: Column, _ b: Column, _ n: Int) -> Column {
        compareInts(op, .column(a), .column(b), n)
    }

    /// A constant side is read once (`timestamp > datetime(…)`, `code == 500`: no column of copies).
    static func compareInts(_ op: CmpOp, _ a: Operand, _ b: Operand, _ n: Int) -> Column {
        compare(op, a.column.int64Values, a, b.column.int64Values, b, n)
    }

    /// One comparison over typed buffers (specialized per element type); a constant side has step 0.
    static func compare<T: Comparable>(_ op: CmpOp, _ x: [T], _ a: Operand, _ y: [T], _ b: Operand, _ n: Int) -> Column {
        let sx = a.step, sy = b.step
        var out: [Int64]
        switch op {
        case .eq: out = zip(x, sx, y, sy, n, 0) { $0 == $1 ? 1 : 0 }
        case .ne: out = zip(x, sx, y, sy, n, 0) { $0 != $1 ? 1 : 0 }
        case .lt: out = zip(x, sx, y, sy, n, 0) { $0 < $1 ? 1 : 0 }
        case .le: out = zip(x, sx, y, sy, n, 0) { $0 <= $1 ? 1 : 0 }
        case .gt: out = zip(x, sx, y, sy, n, 0) { $0 > $1 ? 1 : 0 }
        case .ge: out = zip(x, sx, y, sy, n, 0) { $0 >= $1 ? 1 : 0 }
        }
        let valid = applyNulls(op, &out, a.validity(n), b.validity(n), n)
        return boolColumn(out, valid)
    }

    static func doubles(_ c: Column) -> [Double] {
        switch c.storage { case .float64(let v): return v; case .int64(let v): return v.map(Double.init); case .bytes: return [] }
    }

    static func compareReals(_ op: CmpOp, _ a: Column, _ b: Column, _ n: Int) -> Column {
        compareReals(op, .column(a), .column(b), n)
    }

    static func compareReals(_ op: CmpOp, _ a: Operand, _ b: Operand, _ n: Int) -> Column {
        compare(op, doubles(a.column), a, doubles(b.column), b, n)
    }

    @inline(__always) static func lowerASCII(_ c: UInt8) -> UInt8 { c &- 0x41 < 26 ? c | 0x20 : c }

    /// Each row == (or !=) one constant string: a length check, then memcmp; a dictionary column
    /// compares each distinct value once.
    static func equalsConstant(_ a: Column, _ needle: [UInt8], negate: Bool, _ n: Int) -> Column {
        let s = a.byteStrings
        var out = [Int64](repeating: 0, count: n)
        let hit: Int64 = negate ? 0 : 1, miss: Int64 = negate ? 1 : 0
        s.bytes.withUnsafeBufferPointer { b in needle.withUnsafeBufferPointer { nd in
            @inline(__always) func equal(_ r: Range<Int>) -> Bool {
                r.count == nd.count && (nd.count == 0 || memcmp(b.baseAddress! + r.lowerBound, nd.baseAddress!, nd.count) == 0)
            }
            if let codes = a.dictionaryCodes, a.dictionarySize > 0, a.dictionarySize < n {
                // Distinct values: the first row holding each code tells the answer for the code.
                var answer = [Int8](repeating: -1, count: a.dictionarySize)
                for i in 0..<n {
                    let c = Int(truncatingIfNeeded: codes[i])
                    if answer[c] < 0 { answer[c] = equal(s.range(a.row(i))) ? 1 : 0 }
                    out[i] = answer[c] == 1 ? hit : miss
                }
                return
            }
            for i in 0..<n { out[i] = equal(s.range(a.row(i))) ? hit : miss }
        } }
        return boolColumn(out, nil)
    }

    static func compareStrings(_ op: CmpOp, caseInsensitive: Bool, _ a: Column, _ b: Column, _ n: Int) -> Column {
        compareStrings(op, caseInsensitive: caseInsensitive, .column(a), .column(b), n)
    }

    static func compareStrings(_ op: CmpOp, caseInsensitive: Bool, _ a: Operand, _ b: Operand, _ n: Int) -> Column {
        let x = a.column.byteStrings, y = b.column.byteStrings, sx = a.step, sy = b.step
        var out = [Int64](repeating: 0, count: n)
        x.bytes.withUnsafeBufferPointer { xb in y.bytes.withUnsafeBufferPointer { yb in
            for i in 0..<n {
                let ra = x.range(i &* sx), rb = y.range(i &* sy)
                let c: Int
                if caseInsensitive { c = compareBytesCI(xb, ra, yb, rb) }
                else if (op == .eq || op == .ne) && ra.count != rb.count { c = 1 }
                else { c = compareBytes(xb, ra, yb, rb) }
                switch op {
                case .eq: out[i] = c == 0 ? 1 : 0
                case .ne: out[i] = c != 0 ? 1 : 0
                case .lt: out[i] = c < 0 ? 1 : 0
                case .le: out[i] = c <= 0 ? 1 : 0
                case .gt: out[i] = c > 0 ? 1 : 0
                case .ge: out[i] = c >= 0 ? 1 : 0
                }
            }
        } }
        return boolColumn(out, nil)
    }

    @inline(__always) static func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ ra: Range<Int>, _ b: UnsafeBufferPointer<UInt8>, _ rb: Range<Int>) -> Int {
        let m = min(ra.count, rb.count)
        if m > 0 {
            let c = memcmp(a.baseAddress! + ra.lowerBound, b.baseAddress! + rb.lowerBound, m)
            if c != 0 { return Int(truncatingIfNeeded: c) }
        }
        return ra.count - rb.count
    }

    @inline(__always) static func compareBytesCI(_ a: UnsafeBufferPointer<UInt8>, _ ra: Range<Int>, _ b: UnsafeBufferPointer<UInt8>, _ rb: Range<Int>) -> Int {
        let m = min(ra.count, rb.count)
        for k in 0..<m {
            let x = lowerASCII(a[ra.lowerBound + k]), y = lowerASCII(b[rb.lowerBound + k])
            if x != y { return Int(truncatingIfNeeded: x) - Int(truncatingIfNeeded: y) }
        }
        return ra.count - rb.count
    }
}
