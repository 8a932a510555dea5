import Foundation
import CLZ4
import CZlib

/// Statistics of one column in one segment, used to prune segments without reading them.
public struct ColumnStats: Sendable, Equatable {
    public var nullCount: Int
    public var minInt: Int64?
    public var maxInt: Int64?
    public var minReal: Double?
    public var maxReal: Double?
    public var minString: String?
    public var maxString: String?
    /// Membership filter of a high-cardinality string column (see `Bloom`); kept in the catalog only.
    public var bloom: [UInt8]?
    /// Membership filter of the column's `has` terms (see `TermFilter`); kept in the catalog only.
    public var terms: [UInt8]?
    public init(nullCount: Int) { self.nullCount = nullCount }
}

/// A Bloom filter over a segment's distinct strings: 8 bits per value (about 3% false positives), 3 probes derived from one
/// 64-bit hash (`ByteSliceTable.hash`, persisted: changing it needs a catalog migration). It lets
/// `operation_Id == "…"` skip segments that cannot hold the value (about 3% false positives).
public enum Bloom {
    static func build(_ s: ByteStrings) -> [UInt8]? {
        build(distinct: distinctValues(s))
    }

    static func distinctValues(_ s: ByteStrings) -> ByteSliceTable {
        var table = ByteSliceTable(capacity: min(s.count, 1 << 16))
        s.bytes.withUnsafeBufferPointer { b in
            let base = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
            for i in 0..<s.count { let r = s.range(i); _ = table.intern(base + r.lowerBound, r.count) }
        }
        return table
    }

    /// A filter over the entries of `table` at `bitsPerValue`; nil under `minimum` entries (a
    /// segment with few distinct values is cheap to scan, and min/max already bound it).
    static func build(distinct table: ByteSliceTable, bitsPerValue: Int = 8, minimum: Int = 1024) -> [UInt8]? {
        let distinct = table.count
        guard distinct >= minimum else { return nil }
        let bits = (distinct * bitsPerValue + 63) / 64 * 64
        var filter = [UInt8](repeating: 0, count: bits / 8)
        let e = table.entries
        e.bytes.withUnsafeBufferPointer { b in
            let base = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
            for i in 0..<e.count {
                let r = e.range(i)
                for bit in probes(ByteSliceTable.hash(base + r.lowerBound, r.count), bits) { filter[bit >> 3] |= 1 << UInt8(bit & 7) }
            }
        }
        return filter
    }

    /// Three bit positions: `h1 + i·h2` mapped onto [0, bits) by multiply-shift (no power-of-two rounding).
    @inline(__always) static func probes(_ h: UInt64, _ bits: Int) -> [Int] {
        // h2 must change the high bits too (multiply-shift reads them): a full-width remix of h.
        let h1 = h, h2 = ((h << 32) | (h >> 32)) &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<3).map { Int((h1 &+ UInt64($0) &* h2).multipliedFullWidth(by: UInt64(bits)).high) }
    }

    public static func mayContain(_ filter: [UInt8], _ value: String) -> Bool {
        mayContain(filter, bytes: Array(value.utf8))
    }

    /// The bytes (and bits in them) a value's probes test in a filter of `filterBytes` bytes.
    static func probeBytes(_ v: [UInt8], filterBytes: Int) -> [(byte: Int, mask: UInt8)] {
        let h = v.withUnsafeBufferPointer { ByteSliceTable.hash($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
        return probes(h, filterBytes * 8).map { ($0 >> 3, UInt8(1) << UInt8($0 & 7)) }
    }

    static func mayContain(_ filter: [UInt8], bytes v: [UInt8]) -> Bool {
        let h = v.withUnsafeBufferPointer { ByteSliceTable.hash($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
        let bits = filter.count * 8
        guard bits > 0 else { return true }
        return probes(h, bits).allSatisfy { filter[$0 >> 3] & (1 << UInt8($0 & 7)) != 0 }
    }
}

/// A Bloom filter over the `has` terms of a segment's string column: a term is a maximal run of
/// ASCII letters and digits, lower-cased (as the `has` kernel matches them). Every term of a `has`
/// needle must be a whole term of a matching value, so a segment whose filter lacks one of them
/// is skipped unread. 10 bits per term (about 1.7% false positives); no filter above `maxTerms`
/// distinct terms (free text with that many terms matches most needles' segments anyway, and the
/// filter would outweigh its column).
public enum TermFilter {
    static let maxTerms = 1 << 15

    static func build(distinct values: ByteSliceTable) -> [UInt8]? {
        var terms = ByteSliceTable(capacity: min(values.count * 2, 1 << 14))
        var term: [UInt8] = []
        let e = values.entries
        var tooMany = false
        e.bytes.withUnsafeBufferPointer { b in
            for i in 0..<e.count where !tooMany {
                for p in e.range(i) {
                    let c = b[p]
                    if isTermByte(c) { term.append(c | (c &- 0x41 < 26 ? 0x20 : 0)); continue }
                    if !term.isEmpty { add() }
                }
                if !term.isEmpty { add() }
            }
        }
        func add() {
            term.withUnsafeBufferPointer { _ = terms.intern($0.baseAddress!, $0.count) }
            term.removeAll(keepingCapacity: true)
            if terms.count > maxTerms { tooMany = true }
        }
        guard !tooMany, terms.count > 0 else { return nil }
        return Bloom.build(distinct: terms, bitsPerValue: 10, minimum: 1)
    }

    @inline(__always) static func isTermByte(_ c: UInt8) -> Bool { (c &- 0x30 < 10) || (c | 0x20) &- 0x61 < 26 }

    /// The lower-cased terms of a `has` needle.
    public static func terms(of needle: String) -> [String] {
        var out: [String] = [], cur: [UInt8] = []
        for c in needle.utf8 {
            if isTermByte(c) { cur.append(c | (c &- 0x41 < 26 ? 0x20 : 0)) }
            else if !cur.isEmpty { out.append(String(decoding: cur, as: UTF8.self)); cur = [] }
        }
        if !cur.isEmpty { out.append(String(decoding: cur, as: UTF8.self)) }
        return out
    }

    public static func mayContain(_ filter: [UInt8], term: String) -> Bool { Bloom.mayContain(filter, term) }
}

struct ColumnChunkInfo {
    var name: String
    var type: KustoType
    var offset: Int
    var length: Int
    var blockCount: Int
    var rawLength: Int
    var stats: ColumnStats
}

struct SegmentFooter {
    var rows: Int
    var columns: [ColumnChunkInfo]
    var checksum: UInt32
    var version: UInt32
}

/// The segment file: `docs/FORMAT.md` describes the layout byte by byte.
enum SegmentFormat {
    static let magic: [UInt8] = Array("LOGQSEG".utf8) + [1]
    static let endMagic: [UInt8] = Array("LOGQEND".utf8) + [1]
    /// 2: a block whose LZ4 output would not be smaller is stored as is (compressed length == raw length).
    static let version: UInt32 = 2
    static let oldestReadable: UInt32 = 1
    static let blockSize = 1 << 20
    /// Rows one segment may hold (docs/FORMAT.md). The writers cut segments far below it (131,072
    /// rows by default); the reader rejects a footer claiming more, because run-length columns let a
    /// file of a few kilobytes claim millions of rows and every column is decoded at that length.
    static let maxRows = 1 << 20
    /// LZ4 expands one stored byte into at most 255; with the 12-byte block headers counted in a
    /// column's length, `length × 256` bounds what its blocks can decompress to.
    static let maxExpansion = 256
    /// Decoded bytes one string column may expand to (docs/FORMAT.md): a dictionary of one long
    /// entry, or a fixed-length nibble template, repeated on every row turns a few kilobytes of
    /// file into rows × entry bytes, so the bound is a number. The writer refuses more.
    static let maxColumnBytes = 1 << 30

    static func crc(_ p: UnsafeRawBufferPointer) -> UInt32 {
        guard let b = p.baseAddress, p.count > 0 else { return 0 }
        var c: UInt = 0
        var off = 0
        while off < p.count { // zlib's crc32 takes a 32-bit length
            let n = min(p.count - off, 1 << 30)
            c = crc32(c, b.assumingMemoryBound(to: Bytef.self) + off, uInt(n))
            off += n
        }
        return UInt32(truncatingIfNeeded: c)
    }

    static func stats(of c: Column) -> ColumnStats {
        var st = ColumnStats(nullCount: 0)
        let val = c.validity
        switch c.storage {
        case .int64(let v):
            var lo = Int64.max, hi = Int64.min, nulls = 0
            for i in 0..<v.count {
                if let val = val, val[i] == 0 { nulls += 1; continue }
                lo = min(lo, v[i]); hi = max(hi, v[i])
            }
            st.nullCount = nulls
            if nulls < v.count { st.minInt = lo; st.maxInt = hi }
        case .float64(let v):
            var lo = Double.infinity, hi = -Double.infinity, nulls = 0, seen = false
            for i in 0..<v.count {
                if let val = val, val[i] == 0 { nulls += 1; continue }
                if v[i].isNaN { continue }
                lo = min(lo, v[i]); hi = max(hi, v[i]); seen = true
            }
            st.nullCount = nulls
            if seen { st.minReal = lo; st.maxReal = hi }
        case .bytes(let s):
            if c.type == .dynamic {
                var nulls = 0
                for i in 0..<s.count where s.length(i) == 0 { nulls += 1 }
                st.nullCount = nulls
            } else if s.count > 0 {
                var lo = s.range(0), hi = s.range(0), long = false
                s.bytes.withUnsafeBufferPointer { b in
                    for i in 0..<s.count {
                        let x = s.range(i)
                        if x.count > 128 { long = true; break }
                        if ByteOrder.compare(b, x, lo) < 0 { lo = x }
                        if ByteOrder.compare(b, x, hi) > 0 { hi = x }
                    }
                }
                if !long {
                    st.minString = String(decoding: s.bytes[lo], as: UTF8.self)
                    st.maxString = String(decoding: s.bytes[hi], as: UTF8.self)
                }
                let distinct = Bloom.distinctValues(s)
                if c.dictionaryCodes == nil { st.bloom = Bloom.build(distinct: distinct) }
                st.terms = TermFilter.build(distinct: distinct)
            }
        }
        return st
    }

    /// Encodes the columns; returns the complete file bytes and the footer checksum.
    /// Encodes the columns, releasing each once it is written (ingest memory peaks here).
    static func encode(schema: [ColumnSchema], columns: inout [Column], rows: Int) -> (bytes: [UInt8], checksum: UInt32, stats: [ColumnStats]) {
        var file = ByteWriter()
        file.raw(magic)
        var infos: [ColumnChunkInfo] = []
        for i in columns.indices {
            let col = columns[i]
            columns[i] = .ints(.long, [])
            var payload = ByteWriter()
            if let v = col.validity {
                payload.u8(1)
                var bits = [UInt8](repeating: 0, count: (v.count + 7) / 8)
                for j in 0..<v.count where v[j] != 0 { bits[j >> 3] |= 1 << UInt8(j & 7) }
                payload.raw(bits)
            } else {
                payload.u8(0)
            }
            switch col.storage {
            case .int64(let v): IntegerCodec.encode(v, into: &payload)
            case .float64(let v): RealCodec.encode(v, into: &payload)
            case .bytes(let s): BytesCodec.encode(s, into: &payload)
            }
            let offset = file.bytes.count
            var blocks = 0
            payload.bytes.withUnsafeBytes { raw in
                var off = 0
                repeat {
                    let n = min(blockSize, raw.count - off)
                    let bound = Int(LZ4_compressBound(Int32(n)))
                    var out = [UInt8](repeating: 0, count: bound)
                    let written = out.withUnsafeMutableBytes { dst in
                        LZ4_compress_default(raw.baseAddress!.advanced(by: off).assumingMemoryBound(to: CChar.self),
                                             dst.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(n), Int32(bound))
                    }
                    precondition(written > 0 || n == 0, "LZ4 compression failed")
                    // Incompressible blocks (hex ids, random text) are stored as they are: never larger than raw.
                    if Int(written) >= n {
                        let plain = UnsafeRawBufferPointer(rebasing: raw[off..<(off + n)])
                        file.u32(UInt32(n)); file.u32(UInt32(n))
                        file.u32(crc(plain))
                        file.raw(Array(plain))
                    } else {
                        let compressed = out[0..<Int(written)]
                        file.u32(UInt32(n)); file.u32(UInt32(written))
                        file.u32(compressed.withUnsafeBytes { crc($0) })
                        file.raw(compressed)
                    }
                    blocks += 1
                    off += n
                } while off < raw.count
            }
            infos.append(ColumnChunkInfo(name: schema[i].name, type: schema[i].type, offset: offset,
                                         length: file.bytes.count - offset, blockCount: blocks,
                                         rawLength: payload.bytes.count, stats: stats(of: col)))
        }
        var footer = ByteWriter()
        footer.u32(version)
        footer.u64(UInt64(rows))
        footer.u32(UInt32(infos.count))
        for c in infos {
            footer.str(c.name); footer.u8(c.type.rawValue)
            footer.u64(UInt64(c.offset)); footer.u64(UInt64(c.length)); footer.u32(UInt32(c.blockCount))
            footer.u64(UInt64(c.rawLength)); footer.u64(UInt64(c.stats.nullCount))
            writeStats(c.stats, &footer)
        }
        let footerCRC = footer.bytes.withUnsafeBytes { crc($0) }
        file.raw(footer.bytes)
        file.u32(UInt32(footer.bytes.count)); file.u32(footerCRC)
        file.raw(endMagic)
        return (file.bytes, footerCRC, infos.map(\.stats))
    }

    static func writeStats(_ s: ColumnStats, _ w: inout ByteWriter) {
        var flags: UInt8 = 0
        if s.minInt != nil { flags |= 1 }
        if s.minReal != nil { flags |= 2 }
        if s.minString != nil { flags |= 4 }
        w.u8(flags)
        if let a = s.minInt, let b = s.maxInt { w.i64(a); w.i64(b) }
        if let a = s.minReal, let b = s.maxReal { w.f64(a); w.f64(b) }
        if let a = s.minString, let b = s.maxString { w.str(a); w.str(b) }
    }

    static func readStats(_ r: inout ByteReader, nullCount: Int) throws -> ColumnStats {
        var s = ColumnStats(nullCount: nullCount)
        let flags = try r.u8()
        if flags & 1 != 0 { s.minInt = try r.i64(); s.maxInt = try r.i64() }
        if flags & 2 != 0 { s.minReal = try r.f64(); s.maxReal = try r.f64() }
        if flags & 4 != 0 { s.minString = try r.str(); s.maxString = try r.str() }
        return s
    }
}

/// Reads columns of one segment file, verifying every checksum it touches.
///
/// Column chunks are read with `pread` into buffers this reader owns, never memory-mapped: a
/// mapped file that shrinks under a reader (truncated by a user, a failing disk, a damaged
/// filesystem) ends the process with SIGBUS at the first touched page past the new end, which no
/// check can prevent, while `pread` returns short and becomes a `corruptSegment` error naming the
/// file and offset. Published segments never change, so this only matters for damage, but damage
/// must be an error, not a crash. The copy out of the page cache costs little next to decoding.
final class SegmentReader {
    let path: String
    let fd: Int32
    let footer: SegmentFooter
    let fileSize: Int

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.segmentMissing(path: path, reason: String(cString: strerror(errno))) }
        var st = stat()
        fstat(fd, &st)
        fileSize = Int(st.st_size)
        do {
            footer = try SegmentReader.readFooter(fd: fd, size: fileSize, path: path)
        } catch {
            close(fd); throw error
        }
    }

    deinit {
        close(fd)
        chunkBuffer.deallocate(); payloadBuffer.deallocate()
    }

    private var chunkBuffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var payloadBuffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// The column chunk's bytes, in a buffer reused until the next call.
    func readChunk(offset: Int, count: Int) throws -> UnsafeRawBufferPointer {
        guard offset >= 0, count >= 0, offset <= fileSize - count else {
            throw StoreError.corruptSegment(path: path, offset: offset, reason: "file is shorter than its footer says")
        }
        if chunkBuffer.count < count {
            chunkBuffer.deallocate()
            chunkBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        }
        var done = 0
        while done < count {
            let n = Foundation.pread(fd, chunkBuffer.baseAddress! + done, count - done, off_t(offset + done))
            if n < 0 { throw StoreError.io(path: path, reason: String(cString: strerror(errno))) }
            if n == 0 { throw StoreError.corruptSegment(path: path, offset: offset + done, reason: "file is shorter than its footer says") }
            done += n
        }
        return UnsafeRawBufferPointer(rebasing: chunkBuffer[0..<count])
    }

    /// A buffer for a column's decompressed payload, reused until the next call.
    func payloadScratch(_ count: Int) -> UnsafeMutableRawBufferPointer {
        if payloadBuffer.count < count {
            payloadBuffer.deallocate()
            payloadBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        }
        return UnsafeMutableRawBufferPointer(rebasing: payloadBuffer[0..<count])
    }

    static func pread(fd: Int32, offset: Int, count: Int, path: String) throws -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buf.withUnsafeMutableBytes { Foundation.pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 { throw StoreError.io(path: path, reason: String(cString: strerror(errno))) }
            if n == 0 { throw StoreError.corruptSegment(path: path, offset: offset + done, reason: "file is shorter than its footer says") }
            done += n
        }
        return buf
    }

    static func readFooter(fd: Int32, size: Int, path: String) throws -> SegmentFooter {
        let tail = 16
        guard size >= SegmentFormat.magic.count + tail else {
            throw StoreError.corruptSegment(path: path, offset: 0, reason: "file too short (\(size) bytes)")
        }
        let head = try pread(fd: fd, offset: 0, count: 8, path: path)
        guard head == SegmentFormat.magic else { throw StoreError.corruptSegment(path: path, offset: 0, reason: "bad magic number") }
        let t = try pread(fd: fd, offset: size - tail, count: tail, path: path)
        guard Array(t[8..<16]) == SegmentFormat.endMagic else {
            throw StoreError.corruptSegment(path: path, offset: size - 8, reason: "bad end marker (truncated file?)")
        }
        let flen = Int(UInt32(t[0]) | UInt32(t[1]) << 8 | UInt32(t[2]) << 16 | UInt32(t[3]) << 24)
        let fcrc = UInt32(t[4]) | UInt32(t[5]) << 8 | UInt32(t[6]) << 16 | UInt32(t[7]) << 24
        guard flen > 0, flen <= size - tail - 8 else { throw StoreError.corruptSegment(path: path, offset: size - tail, reason: "bad footer length") }
        let foff = size - tail - flen
        let fb = try pread(fd: fd, offset: foff, count: flen, path: path)
        guard fb.withUnsafeBytes({ SegmentFormat.crc($0) }) == fcrc else {
            throw StoreError.corruptSegment(path: path, offset: foff, reason: "footer checksum mismatch")
        }
        do {
            return try fb.withUnsafeBytes { raw in
                var r = ByteReader(raw)
                let v = try r.u32()
                guard v >= SegmentFormat.oldestReadable && v <= SegmentFormat.version else {
                    throw FormatError(message: "unsupported format version \(v) (this logq reads \(SegmentFormat.oldestReadable)…\(SegmentFormat.version))")
                }
                // Every count and offset is checked before it is used: a footer whose checksum
                // matches may still come from a buggy writer or anyone who can write segments/.
                func int(_ v: UInt64, _ what: @autoclosure () -> String) throws -> Int {
                    guard let x = Int(exactly: v) else { throw FormatError(message: "\(what()) \(v) is out of range") }
                    return x
                }
                let rows = try int(try r.u64(), "row count")
                guard rows <= SegmentFormat.maxRows else {
                    throw FormatError(message: "row count \(rows) exceeds the maximum of \(SegmentFormat.maxRows) rows per segment")
                }
                let n = Int(try r.u32())
                var cols: [ColumnChunkInfo] = []
                for _ in 0..<n {
                    let name = try r.str()
                    guard let type = KustoType(rawValue: try r.u8()) else { throw FormatError(message: "unknown column type") }
                    let off = try int(try r.u64(), "column '\(name)': offset")
                    let len = try int(try r.u64(), "column '\(name)': length")
                    let blocks = Int(try r.u32())
                    let rawLen = try int(try r.u64(), "column '\(name)': raw length")
                    let nulls = try int(try r.u64(), "column '\(name)': null count")
                    guard off >= 8, off <= foff &- len else { throw FormatError(message: "column '\(name)' lies outside the data area") }
                    // Each block has a 12-byte header and holds at most `blockSize` bytes: the raw
                    // length must fit what the stored bytes can hold before it sizes a buffer.
                    guard blocks >= 1, blocks <= len / 12 else {
                        throw FormatError(message: "column '\(name)': \(blocks) blocks cannot fit in its \(len) bytes")
                    }
                    guard rawLen <= blocks * SegmentFormat.blockSize, rawLen / SegmentFormat.maxExpansion <= len else {
                        throw FormatError(message: "column '\(name)': raw length \(rawLen) is more than its \(blocks) blocks of \(len) bytes can hold")
                    }
                    guard nulls <= rows else { throw FormatError(message: "column '\(name)': null count \(nulls) exceeds the \(rows) rows") }
                    let st = try SegmentFormat.readStats(&r, nullCount: nulls)
                    cols.append(ColumnChunkInfo(name: name, type: type, offset: off, length: len, blockCount: blocks, rawLength: rawLen, stats: st))
                }
                return SegmentFooter(rows: rows, columns: cols, checksum: fcrc, version: v)
            }
        } catch let e as FormatError {
            throw StoreError.corruptSegment(path: path, offset: foff, reason: e.message)
        }
    }

    func column(named name: String) -> ColumnChunkInfo? { footer.columns.first { $0.name == name } }

    /// A column's decoded-from bytes, each block's CRC checked: the stored block itself when the
    /// column is one uncompressed block, else decompressed into a buffer reused until the next call.
    func payload(_ info: ColumnChunkInfo) throws -> UnsafeRawBufferPointer {
        let data = try readChunk(offset: info.offset, count: info.length)
        var r = ByteReader(data)
        func corrupt(_ m: String) -> StoreError {
            .corruptSegment(path: path, offset: info.offset + r.pos, reason: "column '\(info.name)': \(m)")
        }
        func block() throws -> (raw: Int, comp: Int, bytes: UnsafeRawBufferPointer) {
            guard let rawLen = try? Int(r.u32()), let compLen = try? Int(r.u32()), let sum = try? r.u32(),
                  let block = try? r.raw(compLen) else { throw corrupt("truncated block header") }
            // LZ4 takes Int32 lengths; the writer never makes a block over `blockSize`.
            guard rawLen <= SegmentFormat.blockSize, compLen <= Int(LZ4_compressBound(Int32(SegmentFormat.blockSize))) else {
                throw corrupt("block of \(rawLen) bytes (\(compLen) stored) exceeds the block size")
            }
            guard SegmentFormat.crc(block) == sum else { throw corrupt("block checksum mismatch") }
            return (rawLen, compLen, block)
        }
        if info.blockCount == 1 && footer.version >= 2 {
            let start = r.pos
            let b = try block()
            if b.raw == b.comp {
                guard b.raw == info.rawLength else { throw corrupt("column shorter than its footer says") }
                return b.bytes
            }
            r.pos = start
        }
        let payload = payloadScratch(info.rawLength)
        var out = 0
        for _ in 0..<info.blockCount {
            let b = try block()
            guard out + b.raw <= payload.count else { throw corrupt("block longer than the column") }
            if footer.version >= 2 && b.comp == b.raw {
                if b.raw > 0 { payload.baseAddress!.advanced(by: out).copyMemory(from: b.bytes.baseAddress!, byteCount: b.raw) }
                out += b.raw
                continue
            }
            let got = LZ4_decompress_safe(b.bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                                          payload.baseAddress!.advanced(by: out).assumingMemoryBound(to: CChar.self),
                                          Int32(b.comp), Int32(b.raw))
            guard got == b.raw else { throw corrupt("LZ4 block does not decompress") }
            out += b.raw
        }
        guard out == payload.count else { throw corrupt("column shorter than its footer says") }
        return UnsafeRawBufferPointer(payload)
    }

    /// Decompresses and decodes one column, checking each block's CRC; with `rows`, decodes only those rows.
    func read(_ info: ColumnChunkInfo, rows selected: [Int32]? = nil, dictionaryOnly: Bool = false) throws -> Column {
        // Scratch buffers reused across this reader's columns: fresh multi-megabyte arrays per
        // column cost more in page faults and zeroing than the decompression itself.
        let payload = try payload(info)
        let n = footer.rows
        do {
            return try { () throws -> Column in
                var r = ByteReader(payload)
                var validity: [UInt8]? = nil
                if try r.u8() == 1 {
                    let bits = try r.raw((n + 7) / 8)
                    if let sel = selected {
                        validity = sel.map { (bits[Int($0) >> 3] >> UInt8(Int($0) & 7)) & 1 }
                    } else {
                        validity = [UInt8](unsafeUninitializedCapacity: n) { v, done in
                            for j in 0..<n { v[j] = (bits[j >> 3] >> UInt8(j & 7)) & 1 }
                            done = n
                        }
                    }
                }
                if let sel = selected {
                    switch info.type.physical {
                    case .int64: return .ints(info.type, try IntegerCodec.decode(&r, count: n, rows: sel), validity: validity)
                    case .float64: return .reals(try RealCodec.decode(&r, count: n, rows: sel), validity: validity, type: info.type)
                    case .bytes: return .strings(try BytesCodec.decode(&r, count: n, rows: sel), type: info.type)
                    }
                }
                switch info.type.physical {
                case .int64: return .ints(info.type, try IntegerCodec.decode(&r, count: n), validity: validity)
                case .float64: return .reals(try RealCodec.decode(&r, count: n), validity: validity, type: info.type)
                case .bytes:
                    if dictionaryOnly, validity == nil, let (entries, codes) = try BytesCodec.decodeDictionaryOnly(&r, count: n) {
                        var c = Column.strings(entries, type: info.type)
                        c.dictionaryCodes = codes; c.dictionarySize = entries.count; c.dictionaryOnly = true
                        return c
                    }
                    let (strings, dictionary) = try BytesCodec.decodeWithDictionary(&r, count: n)
                    var c = Column.strings(strings, type: info.type)
                    if let (codes, size) = dictionary { c.dictionaryCodes = codes; c.dictionarySize = size }
                    return c
                }
            }()
        } catch let e as FormatError {
            throw StoreError.corruptSegment(path: path, offset: info.offset, reason: "column '\(info.name)': \(e.message)")
        }
    }

    /// The rows of a string column equal to `needle`, found without expanding the column.
    func rowsEqual(_ info: ColumnChunkInfo, _ needle: [UInt8]) throws -> [Int32] {
        precondition(info.type.physical == .bytes)
        let payload = try payload(info)
        do {
            var r = ByteReader(payload)
            if try r.u8() == 1 { _ = try r.raw((footer.rows + 7) / 8) }
            return try BytesCodec.rowsEqual(&r, count: footer.rows, needle: needle)
        } catch let e as FormatError {
            throw StoreError.corruptSegment(path: path, offset: info.offset, reason: "column '\(info.name)': \(e.message)")
        }
    }

    /// The rows of an integer-typed column (a time column) whose non-null value is in `lo ..< hi`.
    func selectRange(_ info: ColumnChunkInfo, lo: Int64, hi: Int64) throws -> [Int32] {
        precondition(info.type.physical == .int64)
        let payload = try payload(info)
        do {
            var r = ByteReader(payload)
            let valid: UnsafeRawBufferPointer? = try r.u8() == 1 ? try r.raw((footer.rows + 7) / 8) : nil
            return try IntegerCodec.selectRange(&r, count: footer.rows, lo: lo, hi: hi, valid: valid)
        } catch let e as FormatError {
            throw StoreError.corruptSegment(path: path, offset: info.offset, reason: "column '\(info.name)': \(e.message)")
        }
    }
}

enum ByteOrder {
    @inline(__always) static func compare(_ b: UnsafeBufferPointer<UInt8>, _ x: Range<Int>, _ y: Range<Int>) -> Int {
        let m = min(x.count, y.count)
        if m > 0, let p = b.baseAddress {
            let c = memcmp(p + x.lowerBound, p + y.lowerBound, m)
            if c != 0 { return Int(c) }
        }
        return x.count - y.count
    }
}
