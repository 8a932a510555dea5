import Foundation

/// Interns byte strings to dense ids with open addressing and a word-at-a-time hash.
/// Why hand-written: `Dictionary<ArraySlice<UInt8>, _>` feeds `Hasher` one byte at a time, which
/// was ~20% of ingest time in dictionary encoding.
public struct ByteSliceTable {
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    public private(set) var entries = ByteStrings()
    public var count: Int { hashes.count }

    public init(capacity: Int = 1024) {
        var n = 1024
        while n < capacity * 2 { n <<= 1 }
        slots = [Int32](repeating: -1, count: n)
    }

    @inline(__always) static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i &+= 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { tail |= UInt64(p[i]) << shift; shift &+= 8; i &+= 1 }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }

    /// The id of these bytes, adding them when new.
    public mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
        let h = ByteSliceTable.hash(p, n)
        var mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[i]
            if id < 0 { break }
            if hashes[Int(id)] == h {
                let r = entries.range(Int(id))
                if r.count == n && (n == 0 || entries.bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + r.lowerBound, p, n) == 0 }) { return id }
            }
            i = (i &+ 1) & mask
        }
        let id = Int32(hashes.count)
        hashes.append(h)
        entries.append(UnsafeBufferPointer(start: p, count: n))
        slots[i] = id
        if hashes.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            mask = slots.count - 1
            for (k, hh) in hashes.enumerated() {
                var j = Int(truncatingIfNeeded: hh) & mask
                while slots[j] >= 0 { j = (j &+ 1) & mask }
                slots[j] = Int32(k)
            }
        }
        return id
    }
}
