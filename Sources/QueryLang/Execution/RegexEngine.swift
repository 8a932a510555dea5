import CRE2
import Foundation

/// A compiled regular expression with Kusto's semantics: RE2 syntax, matching in time linear in
/// the input (a pathological pattern cannot hang a query), UTF-8 byte offsets. Safe to share
/// across threads (RE2 matches without mutating the compiled program).
final class KQLRegex: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Capturing groups (group 0, the whole match, not counted).
    let groups: Int
    let pattern: String

    struct InvalidPattern: Error { let message: String }

    init(_ pattern: String) throws {
        self.pattern = pattern
        var error = [CChar](repeating: 0, count: 256)
        let bytes = Array(pattern.utf8)
        let h = bytes.withUnsafeBufferPointer { p in
            p.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: p.count) { logq_re2_compile($0, p.count, &error, error.count) }
            } ?? logq_re2_compile("", 0, &error, error.count)
        }
        guard let h = h else { throw InvalidPattern(message: String(cString: error)) }
        handle = h
        groups = Int(logq_re2_groups(h))
    }

    deinit { logq_re2_free(handle) }

    /// Byte spans of the first match at or after `start` (index 0: the whole match; nil: a group
    /// that did not take part).
    func firstMatch(_ base: UnsafePointer<UInt8>?, count: Int, from start: Int = 0) -> [Range<Int>?]? {
        var spans = [Int32](repeating: -1, count: 2 * (groups + 1))
        let text = UnsafeRawPointer(base)?.assumingMemoryBound(to: CChar.self)
        let found = spans.withUnsafeMutableBufferPointer { sp in
            logq_re2_match(handle, text, base == nil ? 0 : count, start, sp.baseAddress, Int32(sp.count))
        }
        guard found != 0 else { return nil }
        return (0...groups).map { g in spans[2 * g] < 0 ? nil : Int(spans[2 * g])..<Int(spans[2 * g + 1]) }
    }

    func matches(_ base: UnsafePointer<UInt8>?, count: Int) -> Bool {
        let text = UnsafeRawPointer(base)?.assumingMemoryBound(to: CChar.self)
        return logq_re2_match(handle, text, base == nil ? 0 : count, 0, nil, 0) != 0
    }

    func matches(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { matches($0.baseAddress, count: $0.count) }
    }

    /// The first match's groups as strings (index 0: the whole match).
    func firstMatch(in s: String) -> [String?]? {
        let b = Array(s.utf8)
        return b.withUnsafeBufferPointer { p in
            firstMatch(p.baseAddress, count: p.count).map { spans in spans.map { $0.map { String(decoding: p[$0], as: UTF8.self) } } }
        }
    }

    /// Every non-overlapping match, left to right; an empty match moves on by one character.
    func allMatches(in s: String) -> [[String?]] {
        let b = Array(s.utf8)
        var out: [[String?]] = []
        b.withUnsafeBufferPointer { p in
            var pos = 0
            while pos <= p.count, let m = firstMatch(p.baseAddress, count: p.count, from: pos), let whole = m[0] {
                out.append(m.map { $0.map { String(decoding: p[$0], as: UTF8.self) } })
                pos = whole.isEmpty ? KQLRegex.nextCharacter(p, whole.upperBound) : whole.upperBound
            }
        }
        return out
    }

    /// Replaces every match with `rewrite`, where `\0` … `\9` stand for the match's groups.
    func replaceAll(in s: String, with rewrite: String) -> String {
        let b = Array(s.utf8), rw = Array(rewrite.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        b.withUnsafeBufferPointer { p in
            var pos = 0, copied = 0
            while pos <= p.count, let m = firstMatch(p.baseAddress, count: p.count, from: pos), let whole = m[0] {
                out.append(contentsOf: p[copied..<whole.lowerBound])
                var i = 0
                while i < rw.count {
                    if rw[i] == 0x5C, i + 1 < rw.count, rw[i + 1] >= 0x30, rw[i + 1] <= 0x39 {
                        let g = Int(rw[i + 1] - 0x30)
                        if g < m.count, let r = m[g] { out.append(contentsOf: p[r]) }
                        i += 2
                        continue
                    }
                    out.append(rw[i]); i += 1
                }
                copied = whole.upperBound
                if whole.isEmpty {
                    let next = KQLRegex.nextCharacter(p, whole.upperBound)
                    out.append(contentsOf: p[copied..<min(next, p.count)])
                    copied = min(next, p.count)
                    pos = next
                } else {
                    pos = whole.upperBound
                }
            }
            if copied < p.count { out.append(contentsOf: p[copied...]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func nextCharacter(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var j = i + 1
        while j < p.count && p[j] & 0xC0 == 0x80 { j += 1 }
        return j
    }

    /// `text` as a pattern that matches it literally.
    static func quote(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            if c.value == 0 { out += "\\x00"; continue }
            if c.isASCII && !(CharacterSet.alphanumerics.contains(c) || c == "_") { out += "\\" }
            out.unicodeScalars.append(c)
        }
        return out
    }
}
