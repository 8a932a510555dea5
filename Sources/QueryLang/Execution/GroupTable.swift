import Foundation
import LogStore

/// Maps each row's key (one or more columns) to a dense group id. Keys are encoded into a reused
/// byte buffer and looked up in an open-addressing table, so no allocation happens per row; only
/// a new group stores its key bytes and its key values.
final class GroupTable {
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var keyBytes = ByteStrings()
    private(set) var keyValues: [[Value]] = []
    var count: Int { keyValues.count }
    private var scratch: [UInt8] = []

    init() { slots = [Int32](repeating: -1, count: 1024) }

    @inline(__always) static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(p.count)
        var i = 0
        let raw = UnsafeRawBufferPointer(p)
        while i + 8 <= p.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < p.count { tail |= UInt64(p[i]) << shift; shift += 8; i += 1 }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }

    /// Group ids for every row of the key columns.
    func assign(_ keys: [Column], count n: Int) -> [Int32] {
        var out = [Int32](repeating: 0, count: n)
        if keys.isEmpty {
            if keyValues.isEmpty { keyValues.append([]) }
            return out
        }
        for i in 0..<n {
            scratch.removeAll(keepingCapacity: true)
            for c in keys { encode(c, i, &scratch) }
            out[i] = scratch.withUnsafeBufferPointer { lookup($0, keys, i) }
        }
        return out
    }

    @inline(__always) private func encode(_ c: Column, _ i: Int, _ out: inout [UInt8]) {
        if c.isNull(i) { out.append(0); return }
        out.append(1)
        switch c.storage {
        case .int64(let v): withUnsafeBytes(of: v[i]) { out.append(contentsOf: $0) }
        case .float64(let v): let d = v[i] == 0 ? 0 : v[i]; withUnsafeBytes(of: d.bitPattern) { out.append(contentsOf: $0) }
        case .bytes(let s):
            let len = UInt32(s.length(i))
            withUnsafeBytes(of: len) { out.append(contentsOf: $0) }
            out.append(contentsOf: s[i])
        }
    }

    private func lookup(_ key: UnsafeBufferPointer<UInt8>, _ cols: [Column], _ row: Int) -> Int32 {
        let h = GroupTable.hash(key)
        var mask = slots.count - 1
        var p = Int(truncatingIfNeeded: h) & mask
        while true {
            let g = slots[p]
            if g < 0 { break }
            if hashes[Int(g)] == h {
                let r = keyBytes.range(Int(g))
                if r.count == key.count && keyBytes.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress! + r.lowerBound, key.baseAddress!, key.count) == 0 }) {
                    return g
                }
            }
            p = (p + 1) & mask
        }
        let id = Int32(keyValues.count)
        keyValues.append(cols.map { $0.value(row) })
        hashes.append(h)
        keyBytes.append(key)
        slots[p] = id
        if keyValues.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            mask = slots.count - 1
            for (g, hh) in hashes.enumerated() {
                var q = Int(truncatingIfNeeded: hh) & mask
                while slots[q] >= 0 { q = (q + 1) & mask }
                slots[q] = Int32(g)
            }
        }
        return id
    }
}
