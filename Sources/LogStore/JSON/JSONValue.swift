/// A parsed JSON document. Used off the hot path: export wrappers, Continuous Export mapping,
/// and `dynamic` values in queries. Objects keep their key order, as Kusto's dynamic does.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case real(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.real(let x), .real(let y)): return x == y
        case (.int(let x), .real(let y)), (.real(let y), .int(let x)): return Double(x) == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let kv) = self { return kv.first { $0.0 == key }?.1 }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: [(String, JSONValue)]? { if case .object(let o) = self { return o }; return nil }

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { buf in
            guard let b = buf.baseAddress else { throw JSONScanner.Failure(message: "empty document", offset: 0) }
            var s = JSONScanner(b, end: buf.count)
            let v = try parseValue(&s, depth: 0)
            s.skipWhitespace()
            guard s.atEnd else { throw JSONScanner.Failure(message: "unexpected text after the JSON value", offset: s.pos) }
            return v
        }
    }

    public static func parse(_ text: String) throws -> JSONValue { try parse(Array(text.utf8)) }

    public static func parse(_ p: UnsafePointer<UInt8>, _ range: Range<Int>) throws -> JSONValue {
        var s = JSONScanner(p, start: range.lowerBound, end: range.upperBound)
        let v = try parseValue(&s, depth: 0)
        s.skipWhitespace()
        guard s.atEnd else { throw JSONScanner.Failure(message: "unexpected text after the JSON value", offset: s.pos) }
        return v
    }

    static func parseValue(_ s: inout JSONScanner, depth: Int) throws -> JSONValue {
        s.skipWhitespace()
        guard !s.atEnd else { throw s.fail("expected a value, found end of input") }
        guard depth < 512 else { throw s.fail("nesting deeper than 512 levels") }
        switch s.peek() {
        case 0x22:
            var b: [UInt8] = []
            try s.readString(into: &b)
            return .string(String(decoding: b, as: UTF8.self))
        case 0x7B:
            s.pos += 1; s.skipWhitespace()
            var kv: [(String, JSONValue)] = []
            if s.peek() == 0x7D { s.pos += 1; return .object(kv) }
            while true {
                s.skipWhitespace()
                var k: [UInt8] = []
                try s.readString(into: &k)
                try s.expect(0x3A, "':'")
                let v = try parseValue(&s, depth: depth + 1)
                kv.append((String(decoding: k, as: UTF8.self), v))
                s.skipWhitespace()
                if s.peek() == 0x2C { s.pos += 1; continue }
                if s.peek() == 0x7D { s.pos += 1; return .object(kv) }
                throw s.fail("expected ',' or '}' in object")
            }
        case 0x5B:
            s.pos += 1; s.skipWhitespace()
            var a: [JSONValue] = []
            if s.peek() == 0x5D { s.pos += 1; return .array(a) }
            while true {
                a.append(try parseValue(&s, depth: depth + 1))
                s.skipWhitespace()
                if s.peek() == 0x2C { s.pos += 1; continue }
                if s.peek() == 0x5D { s.pos += 1; return .array(a) }
                throw s.fail("expected ',' or ']' in array")
            }
        case 0x74: try s.literal("true"); return .bool(true)
        case 0x66: try s.literal("false"); return .bool(false)
        case 0x6E: try s.literal("null"); return .null
        default:
            switch try s.readNumber() {
            case .integer(let i): return .int(i)
            case .real(let d): return .real(d)
            }
        }
    }

    /// Compact JSON text, as Kusto prints dynamic values.
    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .real(let d): appendJSONNumber(d, to: &out)
        case .string(let s): appendJSONString(s.utf8, to: &out)
        case .array(let a):
            out.append(0x5B)
            for (i, v) in a.enumerated() { if i > 0 { out.append(0x2C) }; v.write(to: &out) }
            out.append(0x5D)
        case .object(let kv):
            out.append(0x7B)
            for (i, (k, v)) in kv.enumerated() {
                if i > 0 { out.append(0x2C) }
                appendJSONString(k.utf8, to: &out); out.append(0x3A); v.write(to: &out)
            }
            out.append(0x7D)
        }
    }

    public var jsonText: String { var b: [UInt8] = []; write(to: &b); return String(decoding: b, as: UTF8.self) }
    public var jsonBytes: [UInt8] { var b: [UInt8] = []; write(to: &b); return b }
}
