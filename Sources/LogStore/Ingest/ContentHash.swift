import Foundation

/// XXH64 (Yann Collet's xxHash, 64-bit, seed 0) over a stream of bytes fed in pieces.
///
/// Why: the catalog must record exactly what an ingest read, and duplicate detection must compare
/// whole contents, not a size and samples; this runs at memory speed in release builds and needs
/// no library. It is not a defence against a deliberate collision, only against accidental ones.
struct ContentHash {
    private static let p1: UInt64 = 11_400_714_785_074_694_791, p2: UInt64 = 14_029_467_366_897_019_727
    private static let p3: UInt64 = 1_609_587_929_392_839_161, p4: UInt64 = 9_650_029_242_287_828_579
    private static let p5: UInt64 = 2_870_177_450_012_600_261

    // checked: xxHash is defined over wrapping 64-bit arithmetic.
    private var v1: UInt64 = 0 &+ p1 &+ p2, v2: UInt64 = p2, v3: UInt64 = 0, v4: UInt64 = 0 &- p1
    private var total: UInt64 = 0
    private var tail = [UInt8](repeating: 0, count: 32)
    private var tailCount = 0

    init() {}

    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 { rotl(acc &+ input &* p2, 31) &* p1 }
    @inline(__always) private static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 { (acc ^ round(0, v)) &* p1 &+ p4 }
    @inline(__always) private static func load64(_ p: UnsafeRawPointer, _ i: Int) -> UInt64 { UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) }

    private mutating func stripe(_ p: UnsafeRawPointer, _ i: Int) {
        v1 = Self.round(v1, Self.load64(p, i)); v2 = Self.round(v2, Self.load64(p, i + 8))
        v3 = Self.round(v3, Self.load64(p, i + 16)); v4 = Self.round(v4, Self.load64(p, i + 24))
    }

    mutating func update(_ data: UnsafeRawBufferPointer) {
        guard let base = data.baseAddress, data.count > 0 else { return }
        total &+= UInt64(data.count)
        var i = 0
        if tailCount > 0 {
            let take = min(32 - tailCount, data.count)
            tail.withUnsafeMutableBytes { t in t.baseAddress!.advanced(by: tailCount).copyMemory(from: base, byteCount: take) }
            tailCount += take; i = take
            if tailCount < 32 { return }
            tail.withUnsafeBytes { t in stripe(t.baseAddress!, 0) }
            tailCount = 0
        }
        while i + 32 <= data.count { stripe(base, i); i += 32 }
        if i < data.count {
            tail.withUnsafeMutableBytes { t in t.baseAddress!.copyMemory(from: base + i, byteCount: data.count - i) }
            tailCount = data.count - i
        }
    }

    func finish() -> UInt64 {
        var h: UInt64
        if total >= 32 {
            h = Self.rotl(v1, 1) &+ Self.rotl(v2, 7) &+ Self.rotl(v3, 12) &+ Self.rotl(v4, 18)
            h = Self.merge(h, v1); h = Self.merge(h, v2); h = Self.merge(h, v3); h = Self.merge(h, v4)
        } else {
            h = v3 &+ Self.p5
        }
        h &+= total
        tail.withUnsafeBytes { t in
            let p = t.baseAddress!
            var i = 0
            while i + 8 <= tailCount { h ^= Self.round(0, Self.load64(p, i)); h = Self.rotl(h, 27) &* Self.p1 &+ Self.p4; i += 8 }
            if i + 4 <= tailCount {
                h ^= UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* Self.p1
                h = Self.rotl(h, 23) &* Self.p2 &+ Self.p3; i += 4
            }
            while i < tailCount { h ^= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) &* Self.p5; h = Self.rotl(h, 11) &* Self.p1; i += 1 }
        }
        h ^= h >> 33; h &*= Self.p2; h ^= h >> 29; h &*= Self.p3; h ^= h >> 32
        return h
    }

    static func of(_ bytes: [UInt8]) -> UInt64 {
        var h = ContentHash()
        bytes.withUnsafeBytes { h.update($0) }
        return h.finish()
    }

    /// `ingests.fingerprint`: the whole content's hash and length (so that a prefix never matches).
    static func fingerprint(hash: UInt64, bytes: Int) -> String {
        "xxh64:\(bytes):" + String(repeating: "0", count: 16 - String(hash, radix: 16).count) + String(hash, radix: 16)
    }
}
