import Foundation
import LogStore

/// Dynamic values: arrays and property bags.
enum DynamicFunctions: FunctionFamily {
    static func register(into r: inout FunctionRegistry) {
        r.def(["array_length"], 1, 1) { a, r in call("array_length", a, .long, r) { v in
            if case .dynamic(.array(let x)) = v[0] { return .long(Int64(x.count)) }; return .null // checked: a count
        } }
        r.def(["array_concat"], 1, 64) { a, r in call("array_concat", a, .dynamic, r) { v in
            var out: [JSONValue] = []
            for x in v { guard case .dynamic(.array(let e)) = x else { return .dynamic(.null) }; out += e }
            return .dynamic(.array(out))
        } }
        r.def(["array_slice"], 3, 3) { a, r in call("array_slice", a, .dynamic, r) { v in
            guard case .dynamic(.array(let e)) = v[0], var s = v[1].asInt, var t = v[2].asInt else { return .dynamic(.null) }
            let n = Int64(e.count) // checked: a count
            if s < 0 { s += n }; if t < 0 { t += n }
            s = max(s, 0); t = min(t, n - 1)
            return .dynamic(.array(s <= t ? Array(e[Int(s)...Int(t)]) : [])) // checked: 0 <= s <= t < count
        } }
        for (n, asc) in [("array_sort_asc", true), ("array_sort_desc", false)] {
            r.def([n], 1, 2) { a, r in call(n, a, .dynamic, r) { v in
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
        r.def(["bag_keys"], 1, 1) { a, r in call("bag_keys", a, .dynamic, r) { v in
            if case .dynamic(.object(let kv)) = v[0] { return .dynamic(.array(kv.map { .string($0.0) })) }; return .dynamic(.null)
        } }
        r.def(["bag_pack", "pack"], 0, 128) { a, r in
            guard a.count % 2 == 0 else { throw Diagnostic(Msg.argumentPairs("bag_pack", "key/value pairs"), r) }
            return call("bag_pack", a, .dynamic, r) { v in
                var kv: [(String, JSONValue)] = []
                for k in stride(from: 0, to: v.count, by: 2) { kv.append((v[k].asString, v[k + 1].asJSON)) }
                return .dynamic(.object(kv))
            }
        }
        r.def(["pack_array"], 0, 128) { a, r in call("pack_array", a, .dynamic, r) { v in .dynamic(.array(v.map(\.asJSON))) } }
        r.def(["set_has_element"], 2, 2) { a, r in call("set_has_element", a, .bool, r) { v in
            guard case .dynamic(.array(let e)) = v[0] else { return .null }
            return .bool(e.contains(v[1].asJSON))
        } }
        r.def(["array_index_of"], 2, 2) { a, r in call("array_index_of", a, .long, r) { v in
            guard case .dynamic(.array(let e)) = v[0] else { return .null }
            return .long(Int64(e.firstIndex(of: v[1].asJSON) ?? -1)) // checked: an index or -1
        } }
    }
}
