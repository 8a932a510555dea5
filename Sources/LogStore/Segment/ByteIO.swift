import Foundation

/// Little-endian writer for segment payloads.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func varint(_ v: UInt64) {
        var x = v
        while x >= 0x80 { bytes.append(UInt8(x & 0x7F) | 0x80); x >>= 7 }
        bytes.append(UInt8(x))
    }
    mutating func str(_ s: String) { let b = Array(s.utf8); varint(UInt64(b.count)); bytes.append(contentsOf: b) }
    mutating func raw<C: Collection>(_ b: C) where C.Element == UInt8 { bytes.append(contentsOf: b) }
}

struct FormatError: Error { let message: String }

/// Bounds-checked little-endian reader: a corrupt length never reads out of the buffer.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var pos = 0

    init(_ b: UnsafeRawBufferPointer) { bytes = b }

    /// Bytes left after `pos`.
    var remaining: Int { bytes.count &- pos }

    mutating func need(_ n: Int) throws {
        // `n <= count - pos`, not `pos + n <= count`: n comes from the file and may be near Int.max.
        guard n >= 0, n <= bytes.count &- pos else { throw FormatError(message: "truncated data at offset \(pos) (need \(n) bytes)") }
    }
    mutating func u8() throws -> UInt8 { try need(1); defer { pos += 1 }; return bytes[pos] }
    mutating func u32() throws -> UInt32 {
        try need(4); defer { pos += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: pos, as: UInt32.self))
    }
    mutating func u64() throws -> UInt64 {
        try need(8); defer { pos += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
    }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }
    mutating func varint() throws -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = try u8()
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
            guard shift < 64 else { throw FormatError(message: "bad varint at offset \(pos)") }
        }
    }
    /// A varint that counts bytes (or items of at least one byte each) stored after it, so it can
    /// be no more than the bytes left: a hostile length fails here, before it sizes an allocation or
    /// a sum, instead of trapping in `Int(UInt64)` or overflowing later.
    mutating func length() throws -> Int {
        let at = pos
        let v = try varint()
        guard v <= UInt64(remaining) else {
            throw FormatError(message: "length \(v) at offset \(at) exceeds the \(remaining) bytes left")
        }
        return Int(v) // checked: v <= remaining, an Int
    }
    /// A varint count not tied to the bytes left (a run length), at most `limit`.
    mutating func count(atMost limit: Int) throws -> Int {
        let at = pos
        let v = try varint()
        guard limit >= 0, v <= UInt64(limit) else { throw FormatError(message: "count \(v) at offset \(at) exceeds \(limit)") }
        return Int(v) // checked: v <= limit, an Int
    }
    mutating func str() throws -> String {
        let n = try length()
        defer { pos += n }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + n]), as: UTF8.self)
    }
    mutating func raw(_ n: Int) throws -> UnsafeRawBufferPointer {
        try need(n); defer { pos += n }
        return UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + n])
    }
}
