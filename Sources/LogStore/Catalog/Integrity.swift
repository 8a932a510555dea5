import Foundation

/// Checksums over the catalog's own rows (schema 4). A segment file checks itself (footer and
/// block CRCs), but what the catalog says about it (row count, time range, column statistics,
/// Bloom and term filters) decides which segments a query skips: a damaged value there would
/// silently change answers, so every such row carries a CRC32 over a canonical serialization of
/// the fields it vouches for, and `Catalog.segments(of:)` checks it before the values are used.
///
/// The serialization includes the row's keys (segment id, column name), so a row copied onto
/// another segment does not verify. Bloom and term filters have their own CRCs: they are read
/// only when a predicate uses them, and then whole (to verify them).
enum EntryChecksum {
    static func segment(id: Int64, table: String, file: String, rows: Int64, minTime: Int64?, maxTime: Int64?,
                        bytes: Int64, checksum: Int64) -> Int64 {
        var w = ByteWriter()
        w.u8(1) // serialization version: bump with a catalog migration if the fields change
        w.i64(id); w.str(table); w.str(file); w.i64(rows); opt(minTime, &w); opt(maxTime, &w); w.i64(bytes); w.i64(checksum)
        return crc(w)
    }

    static func stats(segment: Int64, column: String, nullCount: Int64, minInt: Int64?, maxInt: Int64?,
                      minReal: Double?, maxReal: Double?, minText: String?, maxText: String?) -> Int64 {
        var w = ByteWriter()
        w.u8(1)
        w.i64(segment); w.str(column); w.i64(nullCount); opt(minInt, &w); opt(maxInt, &w)
        optReal(minReal, &w); optReal(maxReal, &w); optText(minText, &w); optText(maxText, &w)
        return crc(w)
    }

    /// `kind` tells the Bloom filter (0) from the term filter (1), so the two cannot be swapped.
    static func filter(segment: Int64, column: String, kind: UInt8, bytes: [UInt8]?) -> Int64 {
        var w = ByteWriter()
        w.u8(1); w.u8(kind)
        w.i64(segment); w.str(column)
        if let b = bytes { w.u8(1); w.varint(UInt64(b.count)); w.raw(b) } else { w.u8(0) }
        return crc(w)
    }

    static func stats(segment: Int64, column: String, _ s: ColumnStats) -> Int64 {
        stats(segment: segment, column: column, nullCount: Int64(s.nullCount), minInt: s.minInt, maxInt: s.maxInt,
              minReal: s.minReal, maxReal: s.maxReal, minText: s.minString, maxText: s.maxString)
    }

    private static func opt(_ v: Int64?, _ w: inout ByteWriter) { if let v = v { w.u8(1); w.i64(v) } else { w.u8(0) } }
    private static func optReal(_ v: Double?, _ w: inout ByteWriter) { if let v = v { w.u8(1); w.f64(v) } else { w.u8(0) } }
    private static func optText(_ v: String?, _ w: inout ByteWriter) { if let v = v { w.u8(1); w.str(v) } else { w.u8(0) } }
    private static func crc(_ w: ByteWriter) -> Int64 { Int64(w.bytes.withUnsafeBytes { SegmentFormat.crc($0) }) }
}
