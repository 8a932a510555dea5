import LogStore

extension Kernels {
    /// extract(regex, group, text [, typeof]) with a constant group: the regex runs on each row's
    /// bytes (once per distinct value of a dictionary column).
    static func extract(_ re: KQLRegex, _ t: KustoType) -> Call.OperandKernel {
        let reference = Rowwise.extract(re, t)
        return { a, n in
            let text = a[2].column
            guard a[1].isConstant, !a[2].isConstant, isText(text) else { return try rowwise(t, reference, a, n) }
            guard let g = a[1].column.value(0).asInt, g >= 0 else { return .from([Value](repeating: t == .string ? .string("") : .null, count: n), type: t) }
            let group = Int(truncatingIfNeeded: g) // g >= 0, and Int is 64-bit
            /// The group's bytes in the row's text (as `Value.asString` reads it: invalid UTF-8 repaired).
            func match(_ p: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>?) -> Void) {
                func run(_ q: UnsafeBufferPointer<UInt8>) {
                    guard let m = re.firstMatch(q.baseAddress, count: q.count) else { body(nil); return }
                    if group < m.count, let r = m[group] { body(UnsafeBufferPointer(rebasing: q[r])) } else { body(UnsafeBufferPointer(start: nil, count: 0)) }
                }
                if isASCII(p) { run(p) } else { Array(String(decoding: p, as: UTF8.self).utf8).withUnsafeBufferPointer(run) }
            }
            if t == .string {
                return mapStrings(text, n) { p, out, _ in match(p) { if let s = $0 { out.append(contentsOf: s) } } }
            }
            var values = [Value](repeating: .null, count: n)
            forEachString(text, n, { p -> Value in
                var v = Value.null
                match(p) { s in if let s = s { v = Convert.parse(String(decoding: s, as: UTF8.self), as: t) } }
                return v
            }) { i, v in values[i] = v }
            return .from(values, type: t)
        }
    }
}
