import Foundation

/// Frequent keys of dynamic columns (`customDimensions.eventId`) are stored as their own
/// sub-columns, so reading one key never parses whole JSON documents per row. A sub-column is
/// named `parent␟key` (U+001F cannot appear in a real column name), holds the key's JSON value
/// text (empty for absent), is listed in segment footers but not in the table's schema.
public enum DynamicPaths {
    public static let separator: Character = "\u{1F}"

    public static func subcolumn(_ parent: String, _ key: String) -> String { parent + String(separator) + key }

    public static func split(_ name: String) -> (parent: String, key: String)? {
        guard let i = name.firstIndex(of: separator) else { return nil }
        return (String(name[..<i]), String(name[name.index(after: i)...]))
    }

    /// The value of `key` in each row's JSON object, as JSON text (empty when absent or null).
    public static func extract(_ column: Column, key: String) -> Column {
        let s = column.byteStrings
        let k = Array(key.utf8)
        var out = ByteStrings()
        out.reserve(rows: s.count, bytes: s.count * 8)
        s.bytes.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { for _ in 0..<s.count { out.appendEmpty() }; return }
            var scratch: [UInt8] = []
            for i in 0..<s.count {
                if let v = find(base, s.range(i), k, &scratch) { out.append(UnsafeBufferPointer(start: base + v.lowerBound, count: v.count)) }
                else { out.appendEmpty() }
            }
        }
        return .strings(out, type: .dynamic)
    }

    /// Several keys' values in one pass over each row's object.
    static func extract(_ column: Column, keys: [String]) -> [Column] {
        let s = column.byteStrings
        let wanted = Dictionary(uniqueKeysWithValues: keys.enumerated().map { (Array($0.element.utf8), $0.offset) })
        var outs = [ByteStrings](repeating: ByteStrings(), count: keys.count)
        for k in 0..<keys.count { outs[k].reserve(rows: s.count, bytes: s.count * 8) }
        s.bytes.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return }
            var key: [UInt8] = []
            var found = [Range<Int>?](repeating: nil, count: keys.count)
            for i in 0..<s.count {
                for k in 0..<keys.count { found[k] = nil }
                DynamicPaths.forEachMember(base, s.range(i), &key) { name, v in
                    if let k = wanted[name], !isNullValue(base, v) { found[k] = v }
                    return true
                }
                for k in 0..<keys.count {
                    if let v = found[k] { outs[k].append(UnsafeBufferPointer(start: base + v.lowerBound, count: v.count)) } else { outs[k].appendEmpty() }
                }
            }
        }
        return outs.map { .strings($0, type: .dynamic) }
    }

    /// Calls `body(key, valueRange)` for each top-level member of the JSON object at `rg`, without
    /// building values; stops when `body` returns false or the text is not an object.
    static func forEachMember(_ base: UnsafePointer<UInt8>, _ rg: Range<Int>, _ scratch: inout [UInt8], _ body: ([UInt8], Range<Int>) -> Bool) {
        guard rg.count > 1 else { return }
        var s = JSONScanner(base, start: rg.lowerBound, end: rg.upperBound)
        s.skipWhitespace()
        guard s.peek() == 0x7B else { return }
        s.pos += 1
        while true {
            s.skipWhitespace()
            scratch.removeAll(keepingCapacity: true)
            guard s.peek() == 0x22, (try? s.readString(into: &scratch)) != nil else { return }
            s.skipWhitespace()
            guard s.peek() == 0x3A else { return }
            s.pos += 1
            s.skipWhitespace()
            guard let v = try? s.skipValue(), body(scratch, v) else { return }
            s.skipWhitespace()
            guard s.peek() == 0x2C else { return }
            s.pos += 1
        }
    }

    @inline(__always) static func isNullValue(_ base: UnsafePointer<UInt8>, _ v: Range<Int>) -> Bool { v.count == 4 && base[v.lowerBound] == 0x6E }

    /// The byte range of `key`'s value in the JSON object at `rg` (nil when absent or null).
    public static func find(_ base: UnsafePointer<UInt8>, _ rg: Range<Int>, _ key: [UInt8], _ scratch: inout [UInt8]) -> Range<Int>? {
        var found: Range<Int>? = nil
        forEachMember(base, rg, &scratch) { k, v in
            if k == key { if !isNullValue(base, v) { found = v }; return false }
            return true
        }
        return found
    }

    /// Keys present in at least half of the sampled objects, most frequent first (at most 16).
    static func frequentKeys(_ column: Column) -> [String] {
        let s = column.byteStrings
        let n = min(s.count, 4096)
        var counts: [String: Int] = [:]
        var objects = 0
        s.bytes.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return }
            var scratch: [UInt8] = []
            for i in 0..<n {
                let rg = s.range(i)
                guard rg.count > 1, base[rg.lowerBound] == 0x7B || p[rg].first(where: { $0 != 0x20 }) == 0x7B else { continue }
                objects += 1
                forEachMember(base, rg, &scratch) { k, _ in counts[String(decoding: k, as: UTF8.self), default: 0] += 1; return true }
            }
        }
        guard objects > 0 else { return [] }
        return counts.filter { $0.value * 2 >= objects && !$0.key.contains(separator) }
            .sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(16).map(\.key)
    }
}
