import Foundation
import LogStore

/// Helpers of the string and encoding functions that are more than one expression.
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
