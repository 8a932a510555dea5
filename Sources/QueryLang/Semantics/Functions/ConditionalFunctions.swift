import Foundation
import LogStore

/// Null tests and conditionals: `isnull`, `isempty`, `iff`, `case`, `coalesce`, `not`.
enum ConditionalFunctions: FunctionFamily {
    static func register(into r: inout FunctionRegistry) {
        r.def(["isnull"], 1, 1) { a, r in
            Call("isnull", a, type: .bool, range: r) { c, n in .ints(.bool, (0..<n).map { c[0].isNull($0) ? 1 : 0 }) }
        }
        r.def(["isnotnull"], 1, 1) { a, r in
            Call("isnotnull", a, type: .bool, range: r) { c, n in .ints(.bool, (0..<n).map { c[0].isNull($0) ? 0 : 1 }) }
        }
        r.def(["isempty"], 1, 1) { a, r in
            Call("isempty", a, type: .bool, range: r) { c, n in
                if case .bytes(let s) = c[0].storage { return .ints(.bool, (0..<n).map { s.length($0) == 0 ? 1 : 0 }) }
                return .ints(.bool, (0..<n).map { c[0].isNull($0) ? 1 : 0 })
            }
        }
        r.def(["isnotempty", "notempty"], 1, 1) { a, r in
            Call("isnotempty", a, type: .bool, range: r) { c, n in
                if case .bytes(let s) = c[0].storage { return .ints(.bool, (0..<n).map { s.length($0) == 0 ? 0 : 1 }) }
                return .ints(.bool, (0..<n).map { c[0].isNull($0) ? 0 : 1 })
            }
        }
        r.def(["isnan"], 1, 1) { a, r in call("isnan", a, .bool, r) { v in .bool(v[0].asDouble?.isNaN ?? false) } }
        r.def(["isinf"], 1, 1) { a, r in call("isinf", a, .bool, r) { v in .bool(v[0].asDouble?.isInfinite ?? false) } }
        r.def(["iff", "iif"], 3, 3) { a, r in
            guard a[0].type == .bool else { throw Diagnostic(Msg.notBoolean("the condition of iff()", a[0].type.name), a[0].range) }
            let t = try commonType(a[1], a[2], "iff", r)
            return call("iff", a, t, r) { v in v[0] == .bool(true) ? v[1] : v[2] }
        }
        r.def(["case"], 3, 999) { a, r in
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
        r.def(["coalesce"], 1, 64) { a, r in
            var t = a[0].type
            for x in a.dropFirst() { t = try commonType(Constant(.null, type: t, range: r), x, "coalesce", r) }
            return call("coalesce", a, t, r) { v in
                for x in v where !x.isNull { if case .string(let s) = x, s.isEmpty { continue }; return x }
                return t == .string ? .string("") : .null
            }
        }
        r.def(["not"], 1, 1) { a, r in
            guard a[0].type == .bool else { throw Diagnostic(Msg.notBoolean("the argument of not()", a[0].type.name), a[0].range) }
            return Call("not", a, type: .bool, range: r) { c, n in Kernels.not(c[0], n) }
        }
    }
}
