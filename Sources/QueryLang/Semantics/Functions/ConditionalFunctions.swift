import Foundation
import LogStore

/// Null tests and conditionals: `isnull`, `isempty`, `iff`, `case`, `coalesce`, `not`.
enum ConditionalFunctions: FunctionFamily {
    static func register(into r: inout FunctionRegistry) {
        r.def(["isnull"], 1, 1) { a, r in Call("isnull", a, type: .bool, range: r, operands: { c, n in Kernels.isNull(c, n, negate: false) }) }
        r.def(["isnotnull"], 1, 1) { a, r in Call("isnotnull", a, type: .bool, range: r, operands: { c, n in Kernels.isNull(c, n, negate: true) }) }
        r.def(["isempty"], 1, 1) { a, r in Call("isempty", a, type: .bool, range: r, operands: { c, n in Kernels.isEmpty(c, n, negate: false) }) }
        r.def(["isnotempty", "notempty"], 1, 1) { a, r in
            Call("isnotempty", a, type: .bool, range: r, operands: { c, n in Kernels.isEmpty(c, n, negate: true) })
        }
        r.def(["isnan"], 1, 1) { a, r in call("isnan", a, .bool, r) { v in .bool(v[0].asDouble?.isNaN ?? false) } }
        r.def(["isinf"], 1, 1) { a, r in call("isinf", a, .bool, r) { v in .bool(v[0].asDouble?.isInfinite ?? false) } }
        r.def(["iff", "iif"], 3, 3) { a, r in
            guard a[0].type == .bool else { throw Diagnostic(Msg.notBoolean("the condition of iff()", a[0].type.name), a[0].range) }
            let t = try commonType(a[1], a[2], "iff", r)
            return Call("iff", a, type: t, range: r, operands: Kernels.iff(t))
        }
        r.def(["case"], 3, 999) { a, r in
            guard a.count % 2 == 1 else { throw Diagnostic(Msg.argumentPairs("case", "predicate/value pairs and a final else value"), r) }
            var t = a[a.count - 1].type
            for k in stride(from: 0, to: a.count - 1, by: 2) {
                guard a[k].type == .bool else { throw Diagnostic(Msg.notBoolean("a case() predicate", a[k].type.name), a[k].range) }
                t = try commonType(a[k + 1], Constant(.null, type: t, range: r), "case", r)
            }
            return Call("case", a, type: t, range: r, operands: Kernels.case(t))
        }
        r.def(["coalesce"], 1, 64) { a, r in
            var t = a[0].type
            for x in a.dropFirst() { t = try commonType(Constant(.null, type: t, range: r), x, "coalesce", r) }
            return Call("coalesce", a, type: t, range: r, operands: Kernels.coalesce(t))
        }
        r.def(["not"], 1, 1) { a, r in
            guard a[0].type == .bool else { throw Diagnostic(Msg.notBoolean("the argument of not()", a[0].type.name), a[0].range) }
            return Call("not", a, type: .bool, range: r) { c, n in Kernels.not(c[0], n) }
        }
    }
}
