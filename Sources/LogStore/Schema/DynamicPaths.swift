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
                let rg = s.range(i)
                var sc = JSONScanner(base, start: rg.lowerBound, end: rg.upperBound)
                sc.skipWhitespace()
                if sc.peek() == 0x7B {
                    sc.pos += 1
                    while true {
                        sc.skipWhitespace()
                        key.removeAll(keepingCapacity: true)
                        guard sc.peek() == 0x22, (try? sc.readString(into: &key)) != nil else { break }
                        sc.skipWhitespace()
                        guard sc.peek() == 0x3A else { break }
                        sc.pos += 1
                        sc.skipWhitespace()
                        guard let v = try? sc.skipValue() else { break }
                        if let k = wanted[key], !(v.count == 4 && base[v.lowerBound] == 0x6E) { found[k] = v }
                        sc.skipWhitespace()
                        if sc.peek() == 0x2C { sc.pos += 1 } else { break }
                    }
                }
                for k in 0..<keys.count {
                    if let v = found[k] { outs[k].append(UnsafeBufferPointer(start: base + v.lowerBound, count: v.count)) } else { outs[k].appendEmpty() }
                }
            }
        }
        return outs.map { .strings($0, type: .dynamic) }
    }

    /// The byte range of `key`'s value in the JSON object at `rg`, scanning keys without building values.
    public static func find(_ base: UnsafePointer<UInt8>, _ rg: Range<Int>, _ key: [UInt8], _ scratch: inout [UInt8]) -> Range<Int>? {
        guard rg.count > 1 else { return nil }
        var s = JSONScanner(base, start: rg.lowerBound, end: rg.upperBound)
        s.skipWhitespace()
        guard s.peek() == 0x7B else { return nil }
        s.pos += 1
        while true {
            s.skipWhitespace()
            guard s.peek() == 0x22 else { return nil }
            scratch.removeAll(keepingCapacity: true)
            guard (try? s.readString(into: &scratch)) != nil else { return nil }
            s.skipWhitespace()
            guard s.peek() == 0x3A else { return nil }
            s.pos += 1
            s.skipWhitespace()
            guard let v = try? s.skipValue() else { return nil }
            if scratch == key {
                if v.count == 4 && base[v.lowerBound] == 0x6E { return nil } // JSON null reads as dynamic null
                return v
            }
            s.skipWhitespace()
            if s.peek() == 0x2C { s.pos += 1; continue }
            return nil
        }
    }

    /// Keys present in at least half of the sampled objects, most frequent first (at most 16).
    static func frequentKeys(_ column: Column) -> [String] {
        let s = column.byteStrings
        let n = min(s.count, 4096)
        var counts: [String: Int] = [:]
        var objects = 0
        s.bytes.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return }
            for i in 0..<n {
                let rg = s.range(i)
                var sc = JSONScanner(base, start: rg.lowerBound, end: rg.upperBound)
                sc.skipWhitespace()
                guard sc.peek() == 0x7B else { continue }
                objects += 1
                sc.pos += 1
                var k: [UInt8] = []
                while true {
                    sc.skipWhitespace()
                    k.removeAll(keepingCapacity: true)
                    guard sc.peek() == 0x22, (try? sc.readString(into: &k)) != nil else { break }
                    sc.skipWhitespace()
                    guard sc.peek() == 0x3A else { break }
                    sc.pos += 1
                    guard (try? sc.skipValue()) != nil else { break }
                    counts[String(decoding: k, as: UTF8.self), default: 0] += 1
                    sc.skipWhitespace()
                    if sc.peek() == 0x2C { sc.pos += 1 } else { break }
                }
            }
        }
        guard objects > 0 else { return [] }
        return counts.filter { $0.value * 2 >= objects && !$0.key.contains(separator) }
            .sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(16).map(\.key)
    }
}
