import Foundation
import LogStore

/// One scalar, used off the hot path (constants, row-at-a-time functions, result rendering).
/// Hot kernels work on `Column` buffers directly.
public enum Value: Equatable, Sendable {
    case null
    case bool(Bool)
    case long(Int64)      // int and long
    case real(Double)     // real and decimal
    case datetime(Int64)
    case timespan(Int64)
    case string(String)   // string and guid
    case dynamic(JSONValue)

    public var isNull: Bool { if case .null = self { return true }; if case .dynamic(.null) = self { return true }; return false }

    var asDouble: Double? {
        switch self {
        case .long(let v): return Double(v)
        case .real(let v): return v
        case .bool(let b): return b ? 1 : 0
        case .dynamic(.int(let v)): return Double(v)
        case .dynamic(.real(let v)): return v
        default: return nil
        }
    }
    var asInt: Int64? {
        switch self {
        case .long(let v), .datetime(let v), .timespan(let v): return v
        case .real(let v): return Checked.int64(truncating: v)
        case .bool(let b): return b ? 1 : 0
        case .dynamic(.int(let v)): return v
        case .dynamic(.real(let v)): return Checked.int64(truncating: v)
        default: return nil
        }
    }
    var asString: String {
        switch self {
        case .null: return ""
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .long(let v): return String(v)
        case .real(let v): var b: [UInt8] = []; ValueText.real(v, into: &b); return String(decoding: b, as: UTF8.self)
        case .datetime(let t): var b: [UInt8] = []; ValueText.datetime(t, into: &b); return String(decoding: b, as: UTF8.self)
        case .timespan(let t): return Ticks.formatTimespan(t)
        case .dynamic(let j):
            if case .string(let s) = j { return s }
            if case .null = j { return "" }
            return j.jsonText
        }
    }
    var asJSON: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .long(let v): return .int(v)
        case .real(let v): return .real(v)
        case .datetime, .timespan: return .string(asString)
        case .string(let s): return .string(s)
        case .dynamic(let j): return j
        }
    }
}

extension Column {
    /// The value of row i (for row-at-a-time code only).
    func value(_ i: Int) -> Value {
        if isNull(i) { return type == .dynamic ? .dynamic(.null) : .null }
        switch storage {
        case .int64(let v):
            switch type {
            case .bool: return .bool(v[i] != 0)
            case .datetime: return .datetime(v[i])
            case .timespan: return .timespan(v[i])
            default: return .long(v[i])
            }
        case .float64(let v): return .real(v[i])
        case .bytes(let s):
            let k = row(i)
            if type == .dynamic { return .dynamic((try? JSONValue.parse(Array(s[k]))) ?? .string(s.string(k))) }
            return .string(s.string(k))
        }
    }

    /// Builds a column of `type` from values (row-at-a-time code and constants).
    static func from(_ values: [Value], type: KustoType) -> Column {
        let n = values.count
        switch type.physical {
        case .int64:
            var v = [Int64](repeating: 0, count: n)
            var valid = [UInt8](repeating: 1, count: n)
            var anyNull = false
            for (i, x) in values.enumerated() {
                switch x {
                case .bool(let b): v[i] = b ? 1 : 0
                case .long(let a), .datetime(let a), .timespan(let a): v[i] = a
                case .real(let d): if let x = Checked.int64(truncating: d) { v[i] = x } else { valid[i] = 0; anyNull = true }
                default: valid[i] = 0; anyNull = true
                }
            }
            return .ints(type, v, validity: anyNull ? valid : nil)
        case .float64:
            var v = [Double](repeating: 0, count: n)
            var valid = [UInt8](repeating: 1, count: n)
            var anyNull = false
            for (i, x) in values.enumerated() {
                if let d = x.asDouble, !x.isNull { v[i] = d } else { valid[i] = 0; anyNull = true }
            }
            return .reals(v, validity: anyNull ? valid : nil, type: type)
        case .bytes:
            var s = ByteStrings()
            for x in values {
                if type == .dynamic {
                    if x.isNull { s.appendEmpty() } else { s.append(x.asJSON.jsonBytes) }
                } else {
                    s.append(x.asString)
                }
            }
            return .strings(s, type: type)
        }
    }

    /// A column repeating one value n times.
    static func constant(_ v: Value, type: KustoType, count n: Int) -> Column {
        switch (type.physical, v) {
        case (.int64, _) where !v.isNull && v.asInt != nil:
            return .ints(type, [Int64](repeating: v.asInt!, count: n))
        case (.float64, _) where !v.isNull && v.asDouble != nil:
            return .reals([Double](repeating: v.asDouble!, count: n), type: type)
        case (.bytes, _):
            let one: [UInt8] = type == .dynamic ? (v.isNull ? [] : v.asJSON.jsonBytes) : Array(v.asString.utf8)
            var s = ByteStrings()
            s.bytes.reserveCapacity(one.count * n)
            s.offsets.reserveCapacity(n + 1)
            for _ in 0..<n { s.append(one) }
            return .strings(s, type: type)
        default:
            return .nulls(type, count: n)
        }
    }
}

extension Batch {
    static func empty(_ names: [String], _ types: [KustoType]) -> Batch {
        Batch(names: names, columns: types.map { .nulls($0, count: 0) }, count: 0)
    }
}
