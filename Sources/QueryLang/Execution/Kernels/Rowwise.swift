import Foundation
import LogStore

/// Row-at-a-time definitions of the functions that have typed kernels. A kernel falls back to
/// its definition here for input shapes it does not specialize (dynamic values, other types), and
/// KernelTests checks each kernel against it, so the two cannot drift apart.
enum Rowwise {
    typealias Fn = ([Value]) throws -> Value

    static let strlen: Fn = { v in .long(Int64(v[0].asString.count)) } // checked: a count
    static let tolower: Fn = { v in .string(v[0].asString.lowercased()) }
    static let toupper: Fn = { v in .string(v[0].asString.uppercased()) }
    static let substring: Fn = { v in
        let s = Array(v[0].asString)
        guard var start = v[1].asInt else { return .string("") }
        if start < 0 { start = 0 }
        let len = v.count > 2 ? (v[2].asInt ?? Int64(s.count)) : Int64(s.count) // checked: counts
        guard start < s.count, len > 0 else { return .string("") }
        let end = len >= Int64(s.count) - start ? Int64(s.count) : start + len // checked: 0 <= start < count, so no overflow
        return .string(String(s[Int(start)..<Int(end)])) // checked: 0 <= start < end <= count
    }
    static let toint: Fn = { v in Convert.toLong(v[0]).flatMap { $0 >= Int64(Int32.min) && $0 <= Int64(Int32.max) ? .long($0) : nil } ?? .null }
    static let tolong: Fn = { v in Convert.toLong(v[0]).map { .long($0) } ?? .null }
    static let todouble: Fn = { v in Convert.toDouble(v[0]).map { .real($0) } ?? .null }
    static let iff: Fn = { v in v[0] == .bool(true) ? v[1] : v[2] }
    static let `case`: Fn = { v in
        for k in stride(from: 0, to: v.count - 1, by: 2) where v[k] == .bool(true) { return v[k + 1] }
        return v[v.count - 1]
    }
    static func coalesce(_ t: KustoType) -> Fn {
        return { v in
            for x in v where !x.isNull { if case .string(let s) = x, s.isEmpty { continue }; return x }
            return t == .string ? .string("") : .null
        }
    }
    static func extract(_ re: KQLRegex, _ t: KustoType) -> Fn {
        return { v in
            guard let g = v[1].asInt, g >= 0, let m = re.firstMatch(in: v[2].asString) else { return t == .string ? .string("") : .null }
            let s = g < m.count ? (m[Int(truncatingIfNeeded: g)] ?? "") : ""
            return t == .string ? .string(s) : (Convert.parse(s, as: t))
        }
    }
    static let formatDatetime: Fn = { v in
        guard case .datetime(let t) = v[0] else { return .string("") }
        return .string(DateParts.format(t, v[1].asString))
    }
}
