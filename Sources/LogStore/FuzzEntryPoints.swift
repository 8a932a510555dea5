import Foundation

/// Entry points for the libFuzzer targets in `Fuzz/` and nothing else: the segment reader has no
/// public surface of its own (queries reach it through the catalog, whose checksum must match),
/// and a fuzzer needs to hand it bytes directly.
public enum _Fuzz {
    /// Rewrites every block CRC and the footer CRC of a would-be segment file so that they match,
    /// as far as its structure can be followed. Without this almost every mutation stops at the
    /// first checksum, and the decoders behind it are never reached. Leaves `bytes` as they are
    /// where the layout cannot be followed.
    ///
    /// Returns false when the footer holds a count, offset or length no writer produces (past
    /// `Int.max`, an offset plus length that overflows, a payload or row count or string length over
    /// 2^28); the reader must reject those with an error too (`SegmentFooterTests`).
    @discardableResult
    public static func repairSegmentChecksums(_ bytes: inout [UInt8]) -> Bool {
        let tail = 16, size = bytes.count
        var sane = true
        let limit: UInt64 = 1 << 28
        guard size >= SegmentFormat.magic.count + tail else { return sane }
        func u32(_ at: Int) -> Int {
            Int(UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
        }
        func put32(_ v: UInt32, _ at: Int) {
            for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
        }
        let flen = u32(size - tail)
        guard flen > 0, flen <= size - tail - 8 else { return sane }
        let foff = size - tail - flen
        // The column chunks, from the footer (a damaged footer yields whatever columns it lists
        // before the damage).
        var chunks: [(offset: Int, length: Int, blocks: Int)] = []
        bytes.withUnsafeBytes { all in
            var r = ByteReader(UnsafeRawBufferPointer(rebasing: all[foff..<(foff + flen)]))
            // Strings are skipped here without `ByteReader.str()`, whose length it trusts (a
            // known crash): only their bytes are needed, and a length past the footer ends the walk.
            func skipString() -> Bool {
                guard let n = try? r.varint() else { return false }
                if n > limit { sane = false }
                guard n <= UInt64(r.bytes.count - r.pos) else { return false }
                r.pos += Int(n)
                return true
            }
            guard (try? r.u32()) != nil, let rows = try? r.u64(), let n = try? r.u32() else { return }
            if rows > limit { sane = false }
            for _ in 0..<n {
                guard skipString(), (try? r.u8()) != nil, let off = try? r.u64(), let len = try? r.u64(),
                      let blocks = try? r.u32(), let rawLength = try? r.u64(), let nulls = try? r.u64(),
                      let flags = try? r.u8() else { return }
                if off > limit || len > limit || rawLength > limit || nulls > limit { sane = false }
                if flags & 1 != 0 { guard (try? r.raw(16)) != nil else { return } }
                if flags & 2 != 0 { guard (try? r.raw(16)) != nil else { return } }
                if flags & 4 != 0 { guard skipString(), skipString() else { return } }
                guard off <= UInt64(foff), len <= UInt64(foff) else { return }
                chunks.append((Int(off), Int(len), Int(blocks)))
            }
        }
        for c in chunks {
            var p = c.offset
            let end = min(c.offset + c.length, foff)
            for _ in 0..<c.blocks {
                guard p + 12 <= end else { break }
                let comp = u32(p + 4)
                guard comp <= end - p - 12 else { break }
                let crc = bytes.withUnsafeBytes { SegmentFormat.crc(UnsafeRawBufferPointer(rebasing: $0[(p + 12)..<(p + 12 + comp)])) }
                put32(crc, p + 8)
                p += 12 + comp
            }
        }
        let fcrc = bytes.withUnsafeBytes { SegmentFormat.crc(UnsafeRawBufferPointer(rebasing: $0[foff..<(foff + flen)])) }
        put32(fcrc, size - tail + 4)
        return sane
    }

    /// Opens the segment file at `path` and reads it every way a query does: each column whole,
    /// at a few rows, dictionary-only, and the string-equality and time-range selections.
    /// Returns the number of values read; a damaged file throws `StoreError`.
    public static func readSegment(path: String) throws -> Int {
        let reader = try SegmentReader(path: path)
        let n = reader.footer.rows
        var seen = 0
        let some: [Int32] = n > 0 ? [Int32(truncatingIfNeeded: n - 1), 0, Int32(truncatingIfNeeded: n / 2)] : []
        for info in reader.footer.columns {
            seen += try reader.read(info).count
            if !some.isEmpty && n <= Int(Int32.max) { seen += try reader.read(info, rows: some).count }
            switch info.type.physical {
            case .bytes:
                seen += try reader.read(info, dictionaryOnly: true).count
                seen += try reader.rowsEqual(info, Array("a".utf8)).count
            case .int64:
                seen += try reader.selectRange(info, lo: -1_000, hi: 1 << 40).count
            case .float64:
                break
            }
        }
        return seen
    }
}
