import Foundation
import LogStore

// contains, has, startswith and friends against one constant needle.
extension Kernels {
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
}
