import Foundation
import LogStore

/// Kusto's conversions of one value to another type (the `to*` functions, `parse` columns, parameters).
enum Convert {
    static func toLong(_ v: Value) -> Int64? {
        switch v {
        case .long(let x): return x
        case .real(let d): return Checked.int64(truncating: d)
        case .bool(let b): return b ? 1 : 0
        case .datetime(let t), .timespan(let t): return t
        case .string(let s):
            // A number beyond Int64 (as text, "1e19"), NaN or infinity is null, as a real beyond it is.
            let t = s.trimmingCharacters(in: .whitespaces)
            return Int64(t) ?? Double(t).flatMap { Checked.int64(truncating: $0) } // checked: Int64(text) parses, returning nil beyond its range
        case .dynamic(let j):
            switch j { case .int(let x): return x; case .real(let d): return Checked.int64(truncating: d); case .string(let s): return toLong(.string(s)); case .bool(let b): return b ? 1 : 0; default: return nil }
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
