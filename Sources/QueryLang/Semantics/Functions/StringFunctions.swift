import Foundation
import LogStore

/// Text: length, case, slicing, concatenation, trimming, splitting, searching.
enum StringFunctions: FunctionFamily {
    static func register(into r: inout FunctionRegistry) {
        r.def(["strlen"], 1, 1) { a, r in Call("strlen", a, type: .long, range: r, operands: Kernels.strlen) }
        r.def(["strcat"], 1, 64) { a, r in Call("strcat", a, type: .string, range: r, operands: Kernels.strcat) }
        r.def(["strcat_delim"], 2, 64) { a, r in call("strcat_delim", a, .string, r) { v in .string(v.dropFirst().map(\.asString).joined(separator: v[0].asString)) } }
        r.def(["tolower"], 1, 1) { a, r in Call("tolower", a, type: .string, range: r, operands: Kernels.tolower) }
        r.def(["toupper"], 1, 1) { a, r in Call("toupper", a, type: .string, range: r, operands: Kernels.toupper) }
        r.def(["substring"], 2, 3) { a, r in
            for x in a.dropFirst() where !(x.type.isNumeric || x.type == .dynamic) {
                throw typeError("substring", "the start and length must be numbers, got \(x.type.name)", x.range)
            }
            return Call("substring", a, type: .string, range: r, operands: Kernels.substring)
        }
        r.def(["trim"], 2, 2) { a, r in call("trim", a, .string, r) { v in .string(StringFns.trim(v[1].asString, v[0].asString, start: true, end: true)) } }
        r.def(["trim_start"], 2, 2) { a, r in call("trim_start", a, .string, r) { v in .string(StringFns.trim(v[1].asString, v[0].asString, start: true, end: false)) } }
        r.def(["trim_end"], 2, 2) { a, r in call("trim_end", a, .string, r) { v in .string(StringFns.trim(v[1].asString, v[0].asString, start: false, end: true)) } }
        r.def(["split"], 2, 3) { a, r in call("split", a, .dynamic, r) { v in
            let s = v[0].asString, d = v[1].asString
            let parts: [JSONValue] = d.isEmpty ? [.string(s)] : s.components(separatedBy: d).map { .string($0) }
            if v.count > 2 {
                guard let k = v[2].asInt, k >= 0, Int(k) < parts.count else { return .dynamic(.array([])) } // checked: 0 <= k, and Int is 64-bit
                return .dynamic(.array([parts[Int(truncatingIfNeeded: k)]]))
            }
            return .dynamic(.array(parts))
        } }
        r.def(["replace_string"], 3, 3) { a, r in call("replace_string", a, .string, r) { v in
            let f = v[1].asString
            return .string(f.isEmpty ? v[0].asString : v[0].asString.replacingOccurrences(of: f, with: v[2].asString))
        } }
        r.def(["indexof"], 2, 5) { a, r in call("indexof", a, .long, r) { v in
            let s = Array(v[0].asString), f = Array(v[1].asString)
            let start = v.count > 2 ? Int(truncatingIfNeeded: v[2].asInt ?? 0) : 0 // Int is 64-bit: exact
            guard start >= 0, start <= s.count else { return .long(-1) }
            if f.isEmpty { return .long(Int64(start)) } // checked: 0 <= start <= count
            var i = start
            while i + f.count <= s.count { if Array(s[i..<i + f.count]) == f { return .long(Int64(i)) }; i += 1 } // checked: an index
            return .long(-1)
        } }
        r.def(["countof"], 2, 3) { a, r in call("countof", a, .long, r) { v in
            let s = v[0].asString, f = v[1].asString
            guard !f.isEmpty else { return .long(0) }
            if v.count > 2 && v[2].asString == "regex" {
                guard let re = try? KQLRegex(f) else { return .null }
                return .long(Int64(re.allMatches(in: s).count)) // checked: a count
            }
            return .long(Int64(s.components(separatedBy: f).count - 1)) // checked: a count
        } }
        r.def(["strcmp"], 2, 2) { a, r in call("strcmp", a, .int, r) { v in
            let x = Array(v[0].asString.utf8), y = Array(v[1].asString.utf8)
            return .long(x == y ? 0 : x.lexicographicallyPrecedes(y) ? -1 : 1)
        } }
        r.def(["translate"], 3, 3) { a, r in call("translate", a, .string, r) { v in
            // Each character of the search list becomes the one at the same place in the replacement
            // list (its last character when shorter); an empty replacement list deletes them.
            let search = Array(v[0].asString), replace = Array(v[1].asString)
            var map: [Character: Character?] = [:]
            for (i, c) in search.enumerated() where map[c] == nil { map[c] = replace.isEmpty ? .some(nil) : replace[min(i, replace.count - 1)] }
            var out = ""
            for c in v[2].asString { if let m = map[c] { if let m = m { out.append(m) } } else { out.append(c) } }
            return .string(out)
        } }
        r.def(["strrep"], 2, 3) { a, r in call("strrep", a, .string, r) { v in
            // Kusto repeats at most 1,024 times; a multiplier below 1 gives the empty string.
            guard let m = v[1].asInt else { return .string("") }
            let times = Int(min(max(m, 0), 1024)) // checked: clamped to 0 ... 1024
            let s = v[0].asString, sep = v.count > 2 ? v[2].asString : ""
            // Nested calls multiply lengths (1,024³ bytes in three): the result's size is checked
            // against the query's memory budget before it is built.
            let length = Budget.bytes(s.utf8.count, times).flatMap { a in Budget.bytes(sep.utf8.count, max(times - 1, 0)).map { a.addingReportingOverflow($0) } }
            let bytes = length.flatMap { $0.overflow ? nil : $0.partialValue }
            // One value of several GB would pass a large memory budget and then take minutes to
            // build and scan: a string made by a function is at most `Budget.maxStringBytes`.
            if let b = bytes, b > Budget.maxStringBytes {
                throw Diagnostic(Msg.budget("strrep's result would be \(Budget.mb(b)); a string value is at most \(Budget.mb(Budget.maxStringBytes))"), r)
            }
            if bytes.map({ $0 >= Budget.smallAllocation }) ?? true {
                try (Budget.current ?? Budget(deadline: nil, maxMemoryBytes: nil)).reserve(bytes, "strrep's result", r)
            }
            return .string(Array(repeating: s, count: times).joined(separator: sep))
        } }
        r.def(["reverse"], 1, 1) { a, r in call("reverse", a, .string, r) { v in .string(String(v[0].asString.reversed())) } }
        // has_any_index(source, values): the index in `values` of the first one `source` has (as
        // `has` matches: whole terms, any case), else -1.
        r.def(["has_any_index"], 2, 2) { a, r in
            if let k = a[1].constant, case .dynamic(.array(let items)) = k {
                let needles = items.map { j -> [UInt8] in if case .string(let t) = j { return Array(t.utf8) }; return Array(j.jsonText.utf8) }
                let hay = a[0].type == .string ? a[0] : (try ScalarFunctions.table["tostring"]!.bind([a[0]], a[0].range))
                return Call("has_any_index", [hay], type: .long, range: r) { c, n in
                    var out = [Int64](repeating: -1, count: n)
                    for (idx, nd) in needles.enumerated().reversed() {
                        let m = Kernels.stringPredicate(.has, caseSensitive: false, negate: false, c[0], needle: nd, n).int64Values
                        for i in 0..<n where m[i] != 0 { out[i] = Int64(idx) } // checked: an index
                    }
                    return .ints(.long, out)
                }
            }
            return call("has_any_index", a, .long, r) { v in
                guard case .dynamic(.array(let items)) = v[1] else { return .null }
                var one = ByteStrings(); one.append(v[0].asString)
                let col = Column.strings(one)
                for (idx, j) in items.enumerated() {
                    let nd: [UInt8] = { if case .string(let t) = j { return Array(t.utf8) }; return Array(j.jsonText.utf8) }()
                    if Kernels.stringPredicate(.has, caseSensitive: false, negate: false, col, needle: nd, 1).int64Values[0] != 0 { return .long(Int64(idx)) } // checked: an index
                }
                return .long(-1)
            }
        }
    }
}
