import Foundation
import LogStore

/// Conversions between types (`tostring`, `toint`, `todatetime`, `parse_json` …) and `gettype`.
enum ConversionFunctions: FunctionFamily {
    static func register(into r: inout FunctionRegistry) {
        r.def(["tostring"], 1, 1) { a, r in
            if a[0].type == .string { return a[0] }
            return Call("tostring", a, type: .string, range: r) { c, n in Kernels.toString(c[0], n) }
        }
        r.def(["toint"], 1, 1) { a, r in Call("toint", a, type: .int, range: r, operands: Kernels.toLong(int32: true)) }
        r.def(["tolong"], 1, 1) { a, r in Call("tolong", a, type: .long, range: r, operands: Kernels.toLong(int32: false)) }
        r.def(["todouble", "toreal", "todecimal"], 1, 1) { a, r in Call("todouble", a, type: .real, range: r, operands: Kernels.toDouble) }
        r.def(["tobool", "toboolean"], 1, 1) { a, r in call("tobool", a, .bool, r) { v in Convert.toBool(v[0]).map { .bool($0) } ?? .null } }
        r.def(["todatetime"], 1, 1) { a, r in call("todatetime", a, .datetime, r) { v in
            switch v[0] { case .datetime: return v[0]; case .null: return .null
            default: return Ticks.parseDatetime(v[0].asString).map { .datetime($0) } ?? .null }
        } }
        r.def(["totimespan", "time"], 1, 1) { a, r in call("totimespan", a, .timespan, r) { v in
            switch v[0] { case .timespan: return v[0]; case .long(let x): return .timespan(x); case .null: return .null
            default: return Ticks.parseTimespan(v[0].asString).map { .timespan($0) } ?? .null }
        } }
        r.def(["toguid"], 1, 1) { a, r in call("toguid", a, .guid, r) { v in
            let s = v[0].asString.lowercased()
            return s.count == 36 && s.allSatisfy({ $0.isHexDigit || $0 == "-" }) ? .string(s) : .null
        } }
        r.def(["todynamic", "parse_json"], 1, 1) { a, r in call("parse_json", a, .dynamic, r) { v in
            if case .dynamic = v[0] { return v[0] }
            if case .string(let s) = v[0] { return .dynamic((try? JSONValue.parse(s)) ?? .string(s)) }
            return .dynamic(v[0].asJSON)
        } }
        r.def(["gettype"], 1, 1) { a, r in call("gettype", a, .string, r) { v in
            switch v[0] {
            case .dynamic(let j):
                switch j { case .null: return .string("null"); case .bool: return .string("bool"); case .int: return .string("long"); case .real: return .string("real")
                case .string: return .string("string"); case .array: return .string("array"); case .object: return .string("dictionary") }
            default: return .string(a[0].type.name)
            }
        } }
    }
}
