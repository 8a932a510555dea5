import Foundation
import LogStore

/// The scalar function catalog: argument counts, type rules and the kernel each call runs.
/// The README's list of supported functions is generated from `ScalarFunctions.names`.
enum ScalarFunctions {
    typealias Binder = ([BoundExpr], SourceRange) throws -> BoundExpr

    struct Def { let min: Int; let max: Int; let bind: Binder }

    static func call(_ name: String, _ args: [BoundExpr], _ type: KustoType, _ r: SourceRange, _ f: @escaping ([Value]) throws -> Value) -> BoundExpr {
        Call(name, args, type: type, range: r, kernel: rowwise(type, f))
    }

    static func numericType(_ args: [BoundExpr]) -> KustoType {
        args.contains { $0.type == .real || $0.type == .decimal } ? .real : .long
    }

    static func typeError(_ name: String, _ detail: String, _ r: SourceRange) -> Diagnostic { Diagnostic(Msg.argumentType(name, detail), r) }

    static let table: [String: Def] = {
        var t: [String: Def] = [:]
        func def(_ names: [String], _ min: Int, _ max: Int, _ b: @escaping Binder) { for n in names { t[n] = Def(min: min, max: max, bind: b) } }

        // time
        def(["now"], 0, 1) { a, r in
            let now = Ticks.fromUnixSeconds(Date().timeIntervalSince1970) + (a.first?.constant?.asInt ?? 0)
            return Constant(.datetime(now), type: .datetime, range: r)
        }
        def(["ago"], 1, 1) { a, r in
            guard a[0].type == .timespan else { throw typeError("ago", "expects a timespan", r) }
            let now = Ticks.fromUnixSeconds(Date().timeIntervalSince1970)
            if let c = a[0].constant { return Constant(c.isNull ? .null : .datetime(now - c.asInt!), type: .datetime, range: r) }
            return call("ago", a, .datetime, r) { v in v[0].isNull ? .null : .datetime(now - v[0].asInt!) }
        }
        def(["bin", "floor"], 2, 2) { a, r in try bindBin(a, origin: nil, r) }
        def(["bin_at"], 3, 3) { a, r in try bindBin([a[0], a[1]], origin: a[2], r) }
        for (name, unit) in [("startofday", 0), ("startofweek", 1), ("startofmonth", 2), ("startofyear", 3)] {
            def([name], 1, 2) { a, r in
                call(name, a, .datetime, r) { v in
                    guard case .datetime(let t) = v[0] else { return .null }
                    return .datetime(DateParts.start(of: unit, t, offset: v.count > 1 ? (v[1].asInt ?? 0) : 0))
                }
            }
        }
        for (name, unit) in [("endofday", 0), ("endofweek", 1), ("endofmonth", 2), ("endofyear", 3)] {
            def([name], 1, 2) { a, r in
                call(name, a, .datetime, r) { v in
                    guard case .datetime(let t) = v[0] else { return .null }
                    let off = v.count > 1 ? (v[1].asInt ?? 0) : 0
                    return .datetime(DateParts.start(of: unit, t, offset: off + 1) - 1)
                }
            }
        }
        def(["dayofweek"], 1, 1) { a, r in
            call("dayofweek", a, .timespan, r) { v in
                guard case .datetime(let t) = v[0] else { return .null }
                let days = Kernels.floorDiv(t, Ticks.perDay)
                return .timespan(((days + 1) % 7) * Ticks.perDay) // 0001-01-01 was a Monday
            }
        }
        for (name, part) in [("hourofday", "hour"), ("dayofmonth", "day"), ("dayofyear", "dayofyear"), ("monthofyear", "month"), ("getyear", "year"), ("getmonth", "month"), ("weekofyear", "week_of_year"), ("week_of_year", "week_of_year")] {
            def([name], 1, 1) { a, r in
                call(name, a, .int, r) { v in
                    guard case .datetime(let t) = v[0] else { return .null }
                    return DateParts.part(part, t).map { .long($0) } ?? .null
                }
            }
        }
        def(["datetime_part"], 2, 2) { a, r in
            guard let p = a[0].constant?.asString.lowercased() else { throw typeError("datetime_part", "the part must be a constant string", r) }
            guard DateParts.part(p, 0) != nil else { throw typeError("datetime_part", "unknown part '\(p)'", r) }
            return call("datetime_part", a, .int, r) { v in
                guard case .datetime(let t) = v[1] else { return .null }
                return DateParts.part(p, t).map { .long($0) } ?? .null
            }
        }
        def(["datetime_add"], 3, 3) { a, r in
            guard let p = a[0].constant?.asString.lowercased() else { throw typeError("datetime_add", "the part must be a constant string", r) }
            return call("datetime_add", a, .datetime, r) { v in
                guard let n = v[1].asInt, case .datetime(let t) = v[2] else { return .null }
                return DateParts.add(p, n, t).map { .datetime($0) } ?? .null
            }
        }
        def(["datetime_diff"], 3, 3) { a, r in
            guard let p = a[0].constant?.asString.lowercased() else { throw typeError("datetime_diff", "the part must be a constant string", r) }
            return call("datetime_diff", a, .long, r) { v in
                guard case .datetime(let x) = v[1], case .datetime(let y) = v[2] else { return .null }
                return DateParts.diff(p, x, y).map { .long($0) } ?? .null
            }
        }
        def(["format_datetime"], 2, 2) { a, r in
            call("format_datetime", a, .string, r) { v in
                guard case .datetime(let t) = v[0] else { return .string("") }
                return .string(DateParts.format(t, v[1].asString))
            }
        }
        def(["format_timespan"], 2, 2) { a, r in
            call("format_timespan", a, .string, r) { v in
                guard case .timespan(let t) = v[0] else { return .string("") }
                return .string(DateParts.formatTimespan(t, v[1].asString))
            }
        }
        def(["unixtime_seconds_todatetime"], 1, 1) { a, r in
            call("unixtime_seconds_todatetime", a, .datetime, r) { v in v[0].asDouble.map { .datetime(Ticks.unixEpoch + Int64(($0 * 1e7).rounded())) } ?? .null }
        }
        def(["unixtime_microseconds_todatetime"], 1, 1) { a, r in
            call("unixtime_microseconds_todatetime", a, .datetime, r) { v in v[0].asDouble.map { .datetime(Ticks.unixEpoch + Int64(($0 * 10).rounded())) } ?? .null }
        }
        def(["unixtime_nanoseconds_todatetime"], 1, 1) { a, r in
            call("unixtime_nanoseconds_todatetime", a, .datetime, r) { v in v[0].asDouble.map { .datetime(Ticks.unixEpoch + Int64(($0 / 100).rounded())) } ?? .null }
        }
        def(["unixtime_milliseconds_todatetime"], 1, 1) { a, r in
            call("unixtime_milliseconds_todatetime", a, .datetime, r) { v in v[0].asDouble.map { .datetime(Ticks.unixEpoch + Int64(($0 * 1e4).rounded())) } ?? .null }
        }

        // conversions
        def(["tostring"], 1, 1) { a, r in
            if a[0].type == .string { return a[0] }
            return Call("tostring", a, type: .string, range: r) { c, n in
                let col = c[0]
                if col.type == .dynamic {
                    // A JSON string becomes its text; other values their JSON; null becomes "".
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
                return col.converted(to: .string)
            }
        }
        def(["toint"], 1, 1) { a, r in call("toint", a, .int, r) { v in Convert.toLong(v[0]).flatMap { $0 >= Int64(Int32.min) && $0 <= Int64(Int32.max) ? .long($0) : nil } ?? .null } }
        def(["tolong"], 1, 1) { a, r in call("tolong", a, .long, r) { v in Convert.toLong(v[0]).map { .long($0) } ?? .null } }
        def(["todouble", "toreal", "todecimal"], 1, 1) { a, r in call("todouble", a, .real, r) { v in Convert.toDouble(v[0]).map { .real($0) } ?? .null } }
        def(["tobool", "toboolean"], 1, 1) { a, r in call("tobool", a, .bool, r) { v in Convert.toBool(v[0]).map { .bool($0) } ?? .null } }
        def(["todatetime"], 1, 1) { a, r in call("todatetime", a, .datetime, r) { v in
            switch v[0] { case .datetime: return v[0]; case .null: return .null
            default: return Ticks.parseDatetime(v[0].asString).map { .datetime($0) } ?? .null }
        } }
        def(["totimespan", "time"], 1, 1) { a, r in call("totimespan", a, .timespan, r) { v in
            switch v[0] { case .timespan: return v[0]; case .long(let x): return .timespan(x); case .null: return .null
            default: return Ticks.parseTimespan(v[0].asString).map { .timespan($0) } ?? .null }
        } }
        def(["toguid"], 1, 1) { a, r in call("toguid", a, .guid, r) { v in
            let s = v[0].asString.lowercased()
            return s.count == 36 && s.allSatisfy({ $0.isHexDigit || $0 == "-" }) ? .string(s) : .null
        } }
        def(["todynamic", "parse_json"], 1, 1) { a, r in call("parse_json", a, .dynamic, r) { v in
            if case .dynamic = v[0] { return v[0] }
            if case .string(let s) = v[0] { return .dynamic((try? JSONValue.parse(s)) ?? .string(s)) }
            return .dynamic(v[0].asJSON)
        } }
        def(["gettype"], 1, 1) { a, r in call("gettype", a, .string, r) { v in
            switch v[0] {
            case .dynamic(let j):
                switch j { case .null: return .string("null"); case .bool: return .string("bool"); case .int: return .string("long"); case .real: return .string("real")
                case .string: return .string("string"); case .array: return .string("array"); case .object: return .string("dictionary") }
            default: return .string(a[0].type.name)
            }
        } }

        // nulls and conditionals
        def(["isnull"], 1, 1) { a, r in
            Call("isnull", a, type: .bool, range: r) { c, n in .ints(.bool, (0..<n).map { c[0].isNull($0) ? 1 : 0 }) }
        }
        def(["isnotnull"], 1, 1) { a, r in
            Call("isnotnull", a, type: .bool, range: r) { c, n in .ints(.bool, (0..<n).map { c[0].isNull($0) ? 0 : 1 }) }
        }
        def(["isempty"], 1, 1) { a, r in
            Call("isempty", a, type: .bool, range: r) { c, n in
                if case .bytes(let s) = c[0].storage { return .ints(.bool, (0..<n).map { s.length($0) == 0 ? 1 : 0 }) }
                return .ints(.bool, (0..<n).map { c[0].isNull($0) ? 1 : 0 })
            }
        }
        def(["isnotempty", "notempty"], 1, 1) { a, r in
            Call("isnotempty", a, type: .bool, range: r) { c, n in
                if case .bytes(let s) = c[0].storage { return .ints(.bool, (0..<n).map { s.length($0) == 0 ? 0 : 1 }) }
                return .ints(.bool, (0..<n).map { c[0].isNull($0) ? 0 : 1 })
            }
        }
        def(["isnan"], 1, 1) { a, r in call("isnan", a, .bool, r) { v in .bool(v[0].asDouble?.isNaN ?? false) } }
        def(["isinf"], 1, 1) { a, r in call("isinf", a, .bool, r) { v in .bool(v[0].asDouble?.isInfinite ?? false) } }
        def(["iff", "iif"], 3, 3) { a, r in
            guard a[0].type == .bool else { throw Diagnostic(Msg.notBoolean("the condition of iff()", a[0].type.name), a[0].range) }
            let t = try commonType(a[1], a[2], "iff", r)
            return call("iff", a, t, r) { v in v[0] == .bool(true) ? v[1] : v[2] }
        }
        def(["case"], 3, 999) { a, r in
            guard a.count % 2 == 1 else { throw typeError("case", "expects predicate/value pairs and a final else value", r) }
            var t = a[a.count - 1].type
            for k in stride(from: 0, to: a.count - 1, by: 2) {
                guard a[k].type == .bool else { throw Diagnostic(Msg.notBoolean("a case() predicate", a[k].type.name), a[k].range) }
                t = try commonType(a[k + 1], Constant(.null, type: t, range: r), "case", r)
            }
            return call("case", a, t, r) { v in
                for k in stride(from: 0, to: v.count - 1, by: 2) where v[k] == .bool(true) { return v[k + 1] }
                return v[v.count - 1]
            }
        }
        def(["coalesce"], 1, 64) { a, r in
            var t = a[0].type
            for x in a.dropFirst() { t = try commonType(Constant(.null, type: t, range: r), x, "coalesce", r) }
            return call("coalesce", a, t, r) { v in
                for x in v where !x.isNull { if case .string(let s) = x, s.isEmpty { continue }; return x }
                return t == .string ? .string("") : .null
            }
        }
        def(["not"], 1, 1) { a, r in
            guard a[0].type == .bool else { throw Diagnostic(Msg.notBoolean("the argument of not()", a[0].type.name), a[0].range) }
            return Call("not", a, type: .bool, range: r) { c, n in Kernels.not(c[0], n) }
        }

        // strings
        def(["strlen"], 1, 1) { a, r in call("strlen", a, .long, r) { v in .long(Int64(v[0].asString.count)) } }
        def(["strcat"], 1, 64) { a, r in
            Call("strcat", a, type: .string, range: r) { c, n in
                let parts = c.map { $0.type == .string ? $0 : $0.converted(to: .string) }
                var out = ByteStrings()
                for i in 0..<n {
                    let start = out.bytes.count
                    for p in parts { out.bytes.append(contentsOf: p.byteStrings[i]) }
                    _ = start
                    out.offsets.append(out.bytes.count)
                }
                return .strings(out)
            }
        }
        def(["strcat_delim"], 2, 64) { a, r in call("strcat_delim", a, .string, r) { v in .string(v.dropFirst().map(\.asString).joined(separator: v[0].asString)) } }
        def(["tolower"], 1, 1) { a, r in call("tolower", a, .string, r) { v in .string(v[0].asString.lowercased()) } }
        def(["toupper"], 1, 1) { a, r in call("toupper", a, .string, r) { v in .string(v[0].asString.uppercased()) } }
        def(["substring"], 2, 3) { a, r in call("substring", a, .string, r) { v in
            let s = Array(v[0].asString)
            guard var start = v[1].asInt else { return .string("") }
            if start < 0 { start = 0 }
            let len = v.count > 2 ? (v[2].asInt ?? Int64(s.count)) : Int64(s.count)
            guard start < s.count, len > 0 else { return .string("") }
            let end = min(Int64(s.count), start + len)
            return .string(String(s[Int(start)..<Int(end)]))
        } }
        def(["trim"], 2, 2) { a, r in call("trim", a, .string, r) { v in .string(StringFns.trim(v[1].asString, v[0].asString, start: true, end: true)) } }
        def(["trim_start"], 2, 2) { a, r in call("trim_start", a, .string, r) { v in .string(StringFns.trim(v[1].asString, v[0].asString, start: true, end: false)) } }
        def(["trim_end"], 2, 2) { a, r in call("trim_end", a, .string, r) { v in .string(StringFns.trim(v[1].asString, v[0].asString, start: false, end: true)) } }
        def(["split"], 2, 3) { a, r in call("split", a, .dynamic, r) { v in
            let s = v[0].asString, d = v[1].asString
            let parts: [JSONValue] = d.isEmpty ? [.string(s)] : s.components(separatedBy: d).map { .string($0) }
            if v.count > 2 {
                guard let k = v[2].asInt, k >= 0, Int(k) < parts.count else { return .dynamic(.array([])) }
                return .dynamic(.array([parts[Int(k)]]))
            }
            return .dynamic(.array(parts))
        } }
        def(["replace_string"], 3, 3) { a, r in call("replace_string", a, .string, r) { v in
            let f = v[1].asString
            return .string(f.isEmpty ? v[0].asString : v[0].asString.replacingOccurrences(of: f, with: v[2].asString))
        } }
        def(["indexof"], 2, 5) { a, r in call("indexof", a, .long, r) { v in
            let s = Array(v[0].asString), f = Array(v[1].asString)
            let start = v.count > 2 ? Int(v[2].asInt ?? 0) : 0
            guard start >= 0, start <= s.count else { return .long(-1) }
            if f.isEmpty { return .long(Int64(start)) }
            var i = start
            while i + f.count <= s.count { if Array(s[i..<i + f.count]) == f { return .long(Int64(i)) }; i += 1 }
            return .long(-1)
        } }
        def(["countof"], 2, 3) { a, r in call("countof", a, .long, r) { v in
            let s = v[0].asString, f = v[1].asString
            guard !f.isEmpty else { return .long(0) }
            if v.count > 2 && v[2].asString == "regex" {
                guard let re = try? KQLRegex(f) else { return .null }
                return .long(Int64(re.allMatches(in: s).count))
            }
            return .long(Int64(s.components(separatedBy: f).count - 1))
        } }
        def(["strcmp"], 2, 2) { a, r in call("strcmp", a, .int, r) { v in
            let x = Array(v[0].asString.utf8), y = Array(v[1].asString.utf8)
            return .long(x == y ? 0 : x.lexicographicallyPrecedes(y) ? -1 : 1)
        } }
        def(["translate"], 3, 3) { a, r in call("translate", a, .string, r) { v in
            // Each character of the search list becomes the one at the same place in the replacement
            // list (its last character when shorter); an empty replacement list deletes them.
            let search = Array(v[0].asString), replace = Array(v[1].asString)
            var map: [Character: Character?] = [:]
            for (i, c) in search.enumerated() where map[c] == nil { map[c] = replace.isEmpty ? .some(nil) : replace[min(i, replace.count - 1)] }
            var out = ""
            for c in v[2].asString { if let m = map[c] { if let m = m { out.append(m) } } else { out.append(c) } }
            return .string(out)
        } }
        def(["make_datetime"], 3, 6) { a, r in call("make_datetime", a, .datetime, r) { v in
            guard let y = v[0].asInt, let mo = v[1].asInt, let d = v[2].asInt, (1...9999).contains(y), (1...12).contains(mo), d >= 1 else { return .null }
            let days = [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(mo) - 1]
            guard d <= days else { return .null }
            let h = v.count > 3 ? (v[3].asInt ?? -1) : 0, mi = v.count > 4 ? (v[4].asInt ?? -1) : 0
            let sec = v.count > 5 ? (v[5].asDouble ?? -1) : 0
            guard (0...23).contains(h), (0...59).contains(mi), sec >= 0, sec < 60 else { return .null }
            let whole = Int(sec), frac = Int64(((sec - Double(whole)) * 1e7).rounded())
            return .datetime(Ticks.from(year: Int(y), month: Int(mo), day: Int(d), hour: Int(h), minute: Int(mi), second: whole, fraction: frac))
        } }
        def(["parse_urlquery"], 1, 1) { a, r in call("parse_urlquery", a, .dynamic, r) { v in
            var params: [(String, JSONValue)] = []
            for pair in v[0].asString.split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (x: Substring) in String(x).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(x) }
                params.append((decode(kv[0]), .string(kv.count > 1 ? decode(kv[1]) : "")))
            }
            return .dynamic(.object([("Query Parameters", .object(params))]))
        } }
        def(["strrep"], 2, 3) { a, r in call("strrep", a, .string, r) { v in
            // Kusto repeats at most 1,024 times; a multiplier below 1 gives the empty string.
            guard let m = v[1].asInt else { return .string("") }
            let times = Int(min(max(m, 0), 1024))
            return .string(Array(repeating: v[0].asString, count: times).joined(separator: v.count > 2 ? v[2].asString : ""))
        } }
        def(["reverse"], 1, 1) { a, r in call("reverse", a, .string, r) { v in .string(String(v[0].asString.reversed())) } }
        def(["url_encode", "url_encode_component"], 1, 1) { a, r in call("url_encode", a, .string, r) { v in
            .string(v[0].asString.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? "")
        } }
        def(["url_decode"], 1, 1) { a, r in call("url_decode", a, .string, r) { v in .string(v[0].asString.removingPercentEncoding ?? "") } }
        def(["base64_encode_tostring", "base64_encodestring"], 1, 1) { a, r in call("base64_encode_tostring", a, .string, r) { v in .string(Data(v[0].asString.utf8).base64EncodedString()) } }
        def(["base64_decode_tostring", "base64_decodestring"], 1, 1) { a, r in call("base64_decode_tostring", a, .string, r) { v in
            Data(base64Encoded: v[0].asString).map { .string(String(decoding: $0, as: UTF8.self)) } ?? .string("")
        } }
        // GUIDs as bytes in .NET's order (Guid.ToByteArray: the first three groups little-endian), as Kusto does.
        def(["base64_encode_fromguid"], 1, 1) { a, r in call("base64_encode_fromguid", a, .string, r) { v in
            guard let bytes = StringFns.guidBytes(v[0].asString) else { return .null }
            return .string(Data(bytes).base64EncodedString())
        } }
        def(["base64_decode_toguid"], 1, 1) { a, r in call("base64_decode_toguid", a, .guid, r) { v in
            guard let d = Data(base64Encoded: v[0].asString), d.count == 16 else { return .null }
            return .string(StringFns.guidString(Array(d)))
        } }
        def(["base64_decode_toarray"], 1, 1) { a, r in call("base64_decode_toarray", a, .dynamic, r) { v in
            guard let d = Data(base64Encoded: v[0].asString) else { return .null }
            return .dynamic(.array(d.map { .int(Int64($0)) }))
        } }
        // has_any_index(source, values): the index in `values` of the first one `source` has (as
        // `has` matches: whole terms, any case), else -1.
        def(["has_any_index"], 2, 2) { a, r in
            if let k = a[1].constant, case .dynamic(.array(let items)) = k {
                let needles = items.map { j -> [UInt8] in if case .string(let t) = j { return Array(t.utf8) }; return Array(j.jsonText.utf8) }
                let hay = a[0].type == .string ? a[0] : (try ScalarFunctions.table["tostring"]!.bind([a[0]], a[0].range))
                return Call("has_any_index", [hay], type: .long, range: r) { c, n in
                    var out = [Int64](repeating: -1, count: n)
                    for (idx, nd) in needles.enumerated().reversed() {
                        let m = Kernels.stringPredicate(.has, caseSensitive: false, negate: false, c[0], needle: nd, n).int64Values
                        for i in 0..<n where m[i] != 0 { out[i] = Int64(idx) }
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
                    if Kernels.stringPredicate(.has, caseSensitive: false, negate: false, col, needle: nd, 1).int64Values[0] != 0 { return .long(Int64(idx)) }
                }
                return .long(-1)
            }
        }
        def(["hash"], 1, 2) { a, r in call("hash", a, .long, r) { v in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in v[0].asString.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            let x = Int64(bitPattern: h & 0x7FFF_FFFF_FFFF_FFFF)
            if v.count > 1, let m = v[1].asInt, m > 0 { return .long(x % m) }
            return .long(x)
        } }
        def(["parse_url"], 1, 1) { a, r in call("parse_url", a, .dynamic, r) { v in .dynamic(StringFns.parseURL(v[0].asString)) } }
        def(["extract"], 3, 4) { a, r in
            guard let pattern = a[0].constant?.asString else { throw typeError("extract", "the regex must be a constant string", r) }
            let re = try compileRegex(pattern, a[0].range)
            let t: KustoType = a.count > 3 ? (a[3].type) : .string
            return call("extract", a, t, r) { v in
                guard let g = v[1].asInt, g >= 0, let m = re.firstMatch(in: v[2].asString) else { return t == .string ? .string("") : .null }
                let s = Int(g) < m.count ? (m[Int(g)] ?? "") : ""
                return t == .string ? .string(s) : (Convert.parse(s, as: t))
            }
        }
        def(["extract_all"], 2, 3) { a, r in
            guard let pattern = a[0].constant?.asString else { throw typeError("extract_all", "the regex must be a constant string", r) }
            let re = try compileRegex(pattern, a[0].range)
            return call("extract_all", a, .dynamic, r) { v in
                let s = v[v.count - 1].asString
                var out: [JSONValue] = []
                for m in re.allMatches(in: s) {
                    if m.count == 1 { out.append(.string(m[0] ?? "")) }
                    else if m.count == 2 { out.append(.string(m[1] ?? "")) }
                    else { out.append(.array((1..<m.count).map { .string(m[$0] ?? "") })) }
                }
                return out.isEmpty ? .dynamic(.null) : .dynamic(.array(out))
            }
        }
        def(["replace_regex"], 3, 3) { a, r in
            guard let pattern = a[1].constant?.asString else { throw typeError("replace_regex", "the regex must be a constant string", r) }
            let re = try compileRegex(pattern, a[1].range)
            return call("replace_regex", a, .string, r) { v in
                .string(re.replaceAll(in: v[0].asString, with: v[2].asString))
            }
        }
        // The deprecated replace() takes its arguments in another order: regex, rewrite, text.
        def(["replace"], 3, 3) { a, r in
            guard let pattern = a[0].constant?.asString else { throw typeError("replace", "the regex must be a constant string", r) }
            let re = try compileRegex(pattern, a[0].range)
            return call("replace", a, .string, r) { v in
                .string(re.replaceAll(in: v[2].asString, with: v[1].asString))
            }
        }

        // numbers
        def(["abs"], 1, 1) { a, r in call("abs", a, a[0].type, r) { v in
            switch v[0] { case .long(let x): return .long(abs(x)); case .real(let x): return .real(abs(x)); case .timespan(let x): return .timespan(abs(x)); default: return .null }
        } }
        def(["round"], 1, 2) { a, r in call("round", a, .real, r) { v in
            guard let x = v[0].asDouble else { return .null }
            let p = v.count > 1 ? Double(v[1].asInt ?? 0) : 0
            let m = pow(10, p)
            return .real((x * m).rounded(.toNearestOrAwayFromZero) / m)
        } }
        def(["ceiling"], 1, 1) { a, r in call("ceiling", a, a[0].type == .real ? .real : .long, r) { v in
            if case .long = v[0] { return v[0] }; return v[0].asDouble.map { .real($0.rounded(.up)) } ?? .null
        } }
        for (n, f) in [("exp", { (x: Double) in Foundation.exp(x) }), ("log", { Foundation.log($0) }), ("log10", { Foundation.log10($0) }),
                       ("log2", { Foundation.log2($0) }), ("sqrt", { $0.squareRoot() }), ("exp2", { Foundation.exp2($0) }), ("exp10", { Foundation.pow(10, $0) })] as [(String, (Double) -> Double)] {
            def([n], 1, 1) { a, r in call(n, a, .real, r) { v in v[0].asDouble.map { .real(f($0)) } ?? .null } }
        }
        // The great-circle distance in meters on a sphere of radius 6,371,010 m (S2's Earth, which reproduces the docs' example);
        // null for a coordinate out of range (longitude ±180, latitude ±90) or null.
        def(["geo_distance_2points"], 4, 4) { a, r in call("geo_distance_2points", a, .real, r) { v in
            guard let lon1 = v[0].asDouble, let lat1 = v[1].asDouble, let lon2 = v[2].asDouble, let lat2 = v[3].asDouble,
                  abs(lon1) <= 180, abs(lon2) <= 180, abs(lat1) <= 90, abs(lat2) <= 90 else { return .null }
            let rad = Double.pi / 180
            let dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad
            let h = pow(sin(dLat / 2), 2) + cos(lat1 * rad) * cos(lat2 * rad) * pow(sin(dLon / 2), 2)
            return .real(2 * 6_371_010 * asin(min(1, sqrt(h))))
        } }
        def(["pow"], 2, 2) { a, r in call("pow", a, .real, r) { v in
            guard let x = v[0].asDouble, let y = v[1].asDouble else { return .null }; return .real(Foundation.pow(x, y))
        } }
        def(["sign"], 1, 1) { a, r in call("sign", a, a[0].type == .real ? .real : .long, r) { v in
            if case .long(let x) = v[0] { return .long(x.signum()) }
            return v[0].asDouble.map { .real($0 > 0 ? 1 : $0 < 0 ? -1 : 0) } ?? .null
        } }
        for (n, isMin) in [("min_of", true), ("max_of", false)] {
            def([n], 1, 64) { a, r in
                var t = a[0].type
                for x in a.dropFirst() where x.type != t {
                    if t.isNumeric && x.type.isNumeric { t = [t, x.type].contains(where: { $0 == .real || $0 == .decimal }) ? .real : .long }
                    else { t = try commonType(a[0], x, n, r) }
                }
                return call(n, a, t, r) { v in
                    var best: Value = .null
                    for x in v where !x.isNull {
                        if best.isNull || (ValueOrder.compare(x, best) < 0) == isMin && ValueOrder.compare(x, best) != 0 { best = x }
                    }
                    return best
                }
            }
        }
        def(["rand"], 0, 1) { a, r in call("rand", a, a.isEmpty ? .real : .long, r) { v in
            if let m = v.first?.asInt, m > 0 { return .long(Int64.random(in: 0..<m)) }
            return .real(Double.random(in: 0..<1))
        } }
        def(["new_guid"], 0, 0) { a, r in call("new_guid", a, .guid, r) { _ in .string(UUID().uuidString.lowercased()) } }

        // dynamic
        def(["array_length"], 1, 1) { a, r in call("array_length", a, .long, r) { v in
            if case .dynamic(.array(let x)) = v[0] { return .long(Int64(x.count)) }; return .null
        } }
        def(["array_concat"], 1, 64) { a, r in call("array_concat", a, .dynamic, r) { v in
            var out: [JSONValue] = []
            for x in v { guard case .dynamic(.array(let e)) = x else { return .dynamic(.null) }; out += e }
            return .dynamic(.array(out))
        } }
        def(["array_slice"], 3, 3) { a, r in call("array_slice", a, .dynamic, r) { v in
            guard case .dynamic(.array(let e)) = v[0], var s = v[1].asInt, var t = v[2].asInt else { return .dynamic(.null) }
            let n = Int64(e.count)
            if s < 0 { s += n }; if t < 0 { t += n }
            s = max(s, 0); t = min(t, n - 1)
            return .dynamic(.array(s <= t ? Array(e[Int(s)...Int(t)]) : []))
        } }
        for (n, asc) in [("array_sort_asc", true), ("array_sort_desc", false)] {
            def([n], 1, 2) { a, r in call(n, a, .dynamic, r) { v in
                guard case .dynamic(.array(let e)) = v[0] else { return .dynamic(.null) }
                let nullsLast = v.count > 1 ? (Convert.toBool(v[1]) ?? true) : true
                let values = e.map { QueryLang.Binder.unwrap($0, like: Value.null) }
                // Mixed types sort by kind first (numbers, dates and timespans; strings; the rest),
                // in that order for both directions; the direction applies within a kind.
                func kind(_ v: Value) -> Int {
                    switch v {
                    case .long, .real, .datetime, .timespan: return 0
                    case .string: return 1
                    default: return 2
                    }
                }
                let nonNull = zip(e, values).filter { !$0.1.isNull }.sorted { x, y in
                    let kx = kind(x.1), ky = kind(y.1)
                    if kx != ky { return kx < ky }
                    let c = ValueOrder.compare(x.1, y.1); return asc ? c < 0 : c > 0 }.map(\.0)
                let nulls = e.filter { $0 == .null }
                return .dynamic(.array(nullsLast ? nonNull + nulls : nulls + nonNull))
            } }
        }
        def(["bag_keys"], 1, 1) { a, r in call("bag_keys", a, .dynamic, r) { v in
            if case .dynamic(.object(let kv)) = v[0] { return .dynamic(.array(kv.map { .string($0.0) })) }; return .dynamic(.null)
        } }
        def(["bag_pack", "pack"], 0, 128) { a, r in
            guard a.count % 2 == 0 else { throw typeError("bag_pack", "expects key/value pairs", r) }
            return call("bag_pack", a, .dynamic, r) { v in
                var kv: [(String, JSONValue)] = []
                for k in stride(from: 0, to: v.count, by: 2) { kv.append((v[k].asString, v[k + 1].asJSON)) }
                return .dynamic(.object(kv))
            }
        }
        def(["pack_array"], 0, 128) { a, r in call("pack_array", a, .dynamic, r) { v in .dynamic(.array(v.map(\.asJSON))) } }
        def(["set_has_element"], 2, 2) { a, r in call("set_has_element", a, .bool, r) { v in
            guard case .dynamic(.array(let e)) = v[0] else { return .null }
            return .bool(e.contains(v[1].asJSON))
        } }
        def(["array_index_of"], 2, 2) { a, r in call("array_index_of", a, .long, r) { v in
            guard case .dynamic(.array(let e)) = v[0] else { return .null }
            return .long(Int64(e.firstIndex(of: v[1].asJSON) ?? -1))
        } }
        return t
    }()

    static var names: [String] { table.keys.sorted() }

    static func compileRegex(_ pattern: String, _ r: SourceRange) throws -> KQLRegex {
        do { return try KQLRegex(pattern) }
        catch let e as KQLRegex.InvalidPattern { throw Diagnostic(Msg.invalidRegex(e.message), r) }
    }

    static func commonType(_ a: BoundExpr, _ b: BoundExpr, _ name: String, _ r: SourceRange) throws -> KustoType {
        if a.type == b.type { return a.type }
        if a.constant?.isNull == true && a.type != .string { return b.type }
        if b.constant?.isNull == true && b.type != .string { return a.type }
        if a.type.isNumeric && b.type.isNumeric { return (a.type == .real || b.type == .real) ? .real : .long }
        if a.type == .dynamic || b.type == .dynamic { return .dynamic }
        throw typeError(name, "arguments have different types (\(a.type.name) and \(b.type.name))", r)
    }

    static func bindBin(_ a: [BoundExpr], origin: BoundExpr?, _ r: SourceRange) throws -> BoundExpr {
        let x = a[0], size = a[1]
        guard let sz = size.constant else {
            // A bin size from a column: row by row.
            let t: KustoType = x.type == .datetime || x.type == .timespan ? x.type
                : (x.type == .real || x.type == .decimal || size.type == .real || size.type == .decimal) ? .real : .long
            return call("bin", a, t, r) { v in
                switch (v[0], v[1]) {
                case (.datetime(let d), .timespan(let s)) where s > 0: return .datetime(Kernels.floorDiv(d, s) * s)
                case (.timespan(let d), .timespan(let s)) where s > 0: return .timespan(Kernels.floorDiv(d, s) * s)
                case (.long(let d), .long(let s)) where s > 0 && t == .long: return .long(Kernels.floorDiv(d, s) * s)
                default:
                    guard let d = v[0].asDouble, let s = v[1].asDouble, s > 0 else { return .null }
                    return .real((d / s).rounded(.down) * s)
                }
            }
        }
        switch x.type {
        case .datetime, .timespan:
            guard case .timespan(let s) = sz else {
                if sz.isNull { return Constant(.null, type: x.type, range: r) }
                throw typeError("bin", "a \(x.type.name) is binned by a timespan", size.range)
            }
            let o = origin?.constant?.asInt ?? 0
            return Call("bin", [x], type: x.type, range: r) { c, n in Kernels.binInts(c[0], size: s, origin: o, type: x.type, n) }
        case .int, .long:
            if case .real(let d) = sz {
                return Call("bin", [x], type: .real, range: r) { c, n in Kernels.binReals(c[0], size: d, origin: origin?.constant?.asDouble ?? 0, n) }
            }
            guard let s = sz.asInt else { return Constant(.null, type: x.type, range: r) }
            let o = origin?.constant?.asInt ?? 0
            return Call("bin", [x], type: .long, range: r) { c, n in Kernels.binInts(c[0], size: s, origin: o, type: .long, n) }
        case .real, .decimal:
            guard let s = sz.asDouble else { return Constant(.null, type: .real, range: r) }
            return Call("bin", [x], type: .real, range: r) { c, n in Kernels.binReals(c[0], size: s, origin: origin?.constant?.asDouble ?? 0, n) }
        default:
            throw typeError("bin", "cannot bin a \(x.type.name)", x.range)
        }
    }
}

enum Convert {
    static func toLong(_ v: Value) -> Int64? {
        switch v {
        case .long(let x): return x
        case .real(let d): return d.isFinite && abs(d) < 9.2e18 ? Int64(d) : nil
        case .bool(let b): return b ? 1 : 0
        case .datetime(let t), .timespan(let t): return t
        case .string(let s): return Int64(s.trimmingCharacters(in: .whitespaces)) ?? Double(s.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? Int64($0) : nil }
        case .dynamic(let j):
            switch j { case .int(let x): return x; case .real(let d): return d.isFinite ? Int64(d) : nil; case .string(let s): return toLong(.string(s)); case .bool(let b): return b ? 1 : 0; default: return nil }
        case .null: return nil
        }
    }
    static func toDouble(_ v: Value) -> Double? {
        switch v {
        case .long(let x): return Double(x)
        case .real(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .datetime(let t), .timespan(let t): return Double(t)
        case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces))
        case .dynamic(let j):
            switch j { case .int(let x): return Double(x); case .real(let d): return d; case .string(let s): return Double(s); case .bool(let b): return b ? 1 : 0; default: return nil }
        case .null: return nil
        }
    }
    static func toBool(_ v: Value) -> Bool? {
        switch v {
        case .bool(let b): return b
        case .long(let x): return x != 0
        case .real(let d): return d != 0
        case .string(let s): switch s.lowercased() { case "true", "1": return true; case "false", "0": return false; default: return nil }
        case .dynamic(let j): switch j { case .bool(let b): return b; case .int(let x): return x != 0; case .string(let s): return toBool(.string(s)); default: return nil }
        default: return nil
        }
    }
    static func parse(_ s: String, as t: KustoType) -> Value {
        switch t {
        case .int, .long: return toLong(.string(s)).map { .long($0) } ?? .null
        case .real, .decimal: return toDouble(.string(s)).map { .real($0) } ?? .null
        case .bool: return toBool(.string(s)).map { .bool($0) } ?? .null
        case .datetime: return Ticks.parseDatetime(s).map { .datetime($0) } ?? .null
        case .timespan: return Ticks.parseTimespan(s).map { .timespan($0) } ?? .null
        case .dynamic: return .dynamic((try? JSONValue.parse(s)) ?? .string(s))
        case .string, .guid: return .string(s)
        }
    }
}

/// Total order over values for sorting and min/max: nulls first, then by type-appropriate order.
enum ValueOrder {
    static func compare(_ a: Value, _ b: Value) -> Int {
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return -1
        case (_, .null): return 1
        case (.long(let x), .long(let y)), (.datetime(let x), .datetime(let y)), (.timespan(let x), .timespan(let y)):
            return x < y ? -1 : x > y ? 1 : 0
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        case (.string(let x), .string(let y)):
            return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) ? -1 : (x == y ? 0 : 1)
        default:
            if let x = a.asDouble, let y = b.asDouble { return x < y ? -1 : x > y ? 1 : 0 }
            let x = a.asString, y = b.asString
            return x < y ? -1 : x > y ? 1 : 0
        }
    }
}

enum StringFns {
    /// A GUID's 16 bytes in .NET's order: the first three groups little-endian, the rest as written.
    static func guidBytes(_ s: String) -> [UInt8]? {
        let hex = s.lowercased().filter { $0 != "-" }
        guard hex.count == 32, s.count == 36 || s.count == 32 else { return nil }
        var b: [UInt8] = []
        var it = hex.makeIterator()
        while let h = it.next(), let l = it.next() {
            guard let v = UInt8(String([h, l]), radix: 16) else { return nil }
            b.append(v)
        }
        return [b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]] + b[8..<16]
    }

    static func guidString(_ b: [UInt8]) -> String {
        let ordered = [b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]] + b[8..<16]
        let hex = ordered.map { String(format: "%02x", $0) }.joined()
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    static func trim(_ s: String, _ pattern: String, start: Bool, end: Bool) -> String {
        guard let re = try? KQLRegex("^(?:\(pattern))+"), let re2 = try? KQLRegex("(?:\(pattern))+$") else { return s }
        var out = Array(s.utf8)
        if start, let m = out.withUnsafeBufferPointer({ re.firstMatch($0.baseAddress, count: $0.count) }), let w = m[0] { out.removeSubrange(..<w.upperBound) }
        if end, let m = out.withUnsafeBufferPointer({ re2.firstMatch($0.baseAddress, count: $0.count) }), let w = m[0] { out.removeSubrange(w.lowerBound...) }
        return String(decoding: out, as: UTF8.self)
    }

    static func parseURL(_ s: String) -> JSONValue {
        guard let c = URLComponents(string: s), c.scheme != nil else { return .object([]) }
        var q: [(String, JSONValue)] = []
        for item in c.queryItems ?? [] { q.append((item.name, .string(item.value ?? ""))) }
        return .object([("Scheme", .string(c.scheme ?? "")), ("Host", .string(c.host ?? "")), ("Port", .string(c.port.map(String.init) ?? "")),
                        ("Path", .string(c.path)), ("Username", .string(c.user ?? "")), ("Password", .string(c.password ?? "")),
                        ("Query Parameters", .object(q)), ("Fragment", .string(c.fragment ?? ""))])
    }
}
