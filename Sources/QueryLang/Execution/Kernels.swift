import Foundation
import LogStore

/// Typed batch kernels for the operators that dominate real queries: comparisons, boolean
/// logic, arithmetic and string predicates. Each loops over contiguous buffers of one type.
enum Kernels {
    // MARK: validity helpers

    @inline(__always) static func combine(_ a: [UInt8]?, _ b: [UInt8]?, _ n: Int) -> [UInt8]? {
        switch (a, b) {
        case (nil, nil): return nil
        case (let x?, nil): return x
        case (nil, let y?): return y
        case (let x?, let y?): var o = [UInt8](repeating: 0, count: n); for i in 0..<n { o[i] = x[i] & y[i] }; return o
        }
    }

    static func boolColumn(_ v: [Int64], _ valid: [UInt8]?) -> Column { .ints(.bool, v, validity: valid) }

    // MARK: comparisons

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
        var out = [Int64](repeating: 0, count: n)
        let x = a.int64Values, y = b.int64Values
        x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in out.withUnsafeMutableBufferPointer { o in
            switch op {
            case .eq: for i in 0..<n { o[i] = xp[i] == yp[i] ? 1 : 0 }
            case .ne: for i in 0..<n { o[i] = xp[i] != yp[i] ? 1 : 0 }
            case .lt: for i in 0..<n { o[i] = xp[i] < yp[i] ? 1 : 0 }
            case .le: for i in 0..<n { o[i] = xp[i] <= yp[i] ? 1 : 0 }
            case .gt: for i in 0..<n { o[i] = xp[i] > yp[i] ? 1 : 0 }
            case .ge: for i in 0..<n { o[i] = xp[i] >= yp[i] ? 1 : 0 }
            }
        } } }
        let valid = applyNulls(op, &out, a.validity, b.validity, n)
        return boolColumn(out, valid)
    }

    static func doubles(_ c: Column) -> [Double] {
        switch c.storage { case .float64(let v): return v; case .int64(let v): return v.map(Double.init); case .bytes: return [] }
    }

    static func compareReals(_ op: CmpOp, _ a: Column, _ b: Column, _ n: Int) -> Column {
        let x = doubles(a), y = doubles(b)
        var out = [Int64](repeating: 0, count: n)
        for i in 0..<n { out[i] = test(op, x[i], y[i]) ? 1 : 0 }
        let valid = applyNulls(op, &out, a.validity, b.validity, n)
        return boolColumn(out, valid)
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
                    let c = Int(codes[i])
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
        let x = a.byteStrings, y = b.byteStrings
        var out = [Int64](repeating: 0, count: n)
        x.bytes.withUnsafeBufferPointer { xb in y.bytes.withUnsafeBufferPointer { yb in
            for i in 0..<n {
                let ra = x.range(i), rb = y.range(i)
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
            if c != 0 { return Int(c) }
        }
        return ra.count - rb.count
    }

    @inline(__always) static func compareBytesCI(_ a: UnsafeBufferPointer<UInt8>, _ ra: Range<Int>, _ b: UnsafeBufferPointer<UInt8>, _ rb: Range<Int>) -> Int {
        let m = min(ra.count, rb.count)
        for k in 0..<m {
            let x = lowerASCII(a[ra.lowerBound + k]), y = lowerASCII(b[rb.lowerBound + k])
            if x != y { return Int(x) - Int(y) }
        }
        return ra.count - rb.count
    }

    // MARK: boolean logic (three-valued)

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

    // MARK: string predicates

    enum StringPredicate { case contains, has, startswith, endswith, hasprefix, hassuffix, equals }

    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool { (c &- 0x30 < 10) || (c | 0x20) &- 0x61 < 26 }

    /// Matches one needle against every row; `has` and friends check term boundaries (a term is a
    /// maximal run of ASCII letters and digits, as Kusto's index defines it).
    static func stringPredicate(_ kind: StringPredicate, caseSensitive: Bool, negate: Bool, _ hay: Column, needle: [UInt8], _ n: Int) -> Column {
        let s = hay.byteStrings
        var out = [Int64](repeating: 0, count: n)
        let nd = caseSensitive ? needle : needle.map(lowerASCII)
        let m = nd.count
        let startsAlnum = m > 0 && isAlnum(nd[0]), endsAlnum = m > 0 && isAlnum(nd[m - 1])
        s.bytes.withUnsafeBufferPointer { hb in nd.withUnsafeBufferPointer { np in
            for i in 0..<n {
                let r = s.range(i)
                var hit = false
                @inline(__always) func eqAt(_ p: Int) -> Bool {
                    if caseSensitive { return memcmp(hb.baseAddress! + p, np.baseAddress!, m) == 0 }
                    for k in 0..<m where lowerASCII(hb[p + k]) != np[k] { return false }
                    return true
                }
                switch kind {
                case .equals: hit = r.count == m && (m == 0 || eqAt(r.lowerBound))
                case .startswith: hit = r.count >= m && (m == 0 || eqAt(r.lowerBound))
                case .endswith: hit = r.count >= m && (m == 0 || eqAt(r.upperBound - m))
                case .contains, .has, .hasprefix, .hassuffix:
                    if m == 0 { hit = kind == .contains || kind == .has ? true : true; break }
                    if r.count < m { break }
                    let first = np[0]
                    var p = r.lowerBound
                    let last = r.upperBound - m
                    while p <= last {
                        let c = caseSensitive ? hb[p] : lowerASCII(hb[p])
                        if c == first && eqAt(p) {
                            let okStart = kind == .contains || kind == .hassuffix || !startsAlnum || p == r.lowerBound || !isAlnum(hb[p - 1])
                            let okEnd = kind == .contains || kind == .hasprefix || !endsAlnum || p + m == r.upperBound || !isAlnum(hb[p + m])
                            if okStart && okEnd { hit = true; break }
                        }
                        p += 1
                    }
                }
                out[i] = hit != negate ? 1 : 0
            }
        } }
        return boolColumn(out, nil)
    }

    // MARK: arithmetic

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

    // MARK: bin

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
