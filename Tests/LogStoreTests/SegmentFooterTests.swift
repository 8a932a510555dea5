import Foundation
import XCTest
@testable import LogStore

/// Hostile segment footers and payloads (issue 11, fuzz findings S1–S10): every value the file
/// claims is checked before it converts, sums or sizes anything, and a bad one is the
/// corrupt-segment error naming the file and what is wrong, never a trap or a huge allocation.
/// Each case patches a real segment and recomputes its checksums the way the fuzzer does, so the
/// reader sees a file whose CRCs match (a writer bug, or anyone who can write into segments/).
final class SegmentFooterTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-footer-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// 100 rows of one long column "n" (0…99): footer fields of column 0 sit at fixed offsets.
    func realSegment() -> [UInt8] {
        var cols: [Column] = [.ints(.long, (0..<100).map { Int64($0) })]
        return SegmentFormat.encode(schema: [ColumnSchema(name: "n", type: .long)], columns: &cols, rows: 100).bytes
    }
    // Offsets inside the footer (docs/FORMAT.md): u32 version, u64 rows, u32 columns, then column 0:
    // varint name length (1 byte for "n"), the name, u8 type, u64 offset, u64 length, u32 blocks,
    // u64 raw length, u64 null count, stats.
    enum F { static let rows = 4, nameLength = 16, offset = 19, length = 27, blocks = 35, rawLength = 39, nulls = 47, stats = 55 }

    func footerRange(_ file: [UInt8]) -> Range<Int> {
        let t = file.count - 16
        let flen = Int(file[t]) | Int(file[t + 1]) << 8 | Int(file[t + 2]) << 16 | Int(file[t + 3]) << 24
        return (t - flen)..<t
    }

    /// The file with its footer edited by `edit` (which may change the footer's length), the
    /// footer length and every CRC made to match again.
    func patched(_ file: [UInt8], _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        let fr = footerRange(file)
        var footer = Array(file[fr])
        edit(&footer)
        var out = Array(file[..<fr.lowerBound]) + footer + Array(file[fr.upperBound...])
        let t = out.count - 16
        for i in 0..<4 { out[t + i] = UInt8(truncatingIfNeeded: footer.count >> (8 * i)) }
        _Fuzz.repairSegmentChecksums(&out)
        return out
    }

    static func put64(_ v: UInt64, _ b: inout [UInt8], at: Int) { for i in 0..<8 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) } }
    static func put32(_ v: UInt32, _ b: inout [UInt8], at: Int) { for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
    static func varint(_ v: UInt64) -> [UInt8] { var w = ByteWriter(); w.varint(v); return w.bytes }

    func write(_ bytes: [UInt8], _ name: String = "x.seg") -> String {
        let path = dir + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Opening (and reading every way a query does) fails with exactly this corrupt-segment error.
    func assertCorrupt(_ bytes: [UInt8], offset: Int? = nil, _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        let path = write(bytes)
        let at = offset ?? footerRange(bytes).lowerBound
        XCTAssertThrowsError(try _Fuzz.readSegment(path: path), file: file, line: line) { e in
            guard case StoreError.corruptSegment(let p, let o, let r) = e else { return XCTFail("not corruptSegment: \(e)", file: file, line: line) }
            XCTAssertEqual(p, path, file: file, line: line)
            XCTAssertEqual(r, reason, file: file, line: line)
            XCTAssertEqual(o, at, file: file, line: line)
            XCTAssertEqual("\(e)", "corrupt segment \(path) at offset \(at): \(reason)", file: file, line: line)
        }
    }

    func testTheUnpatchedSegmentReads() throws {
        let seg = patched(realSegment()) { _ in }
        XCTAssertEqual(seg, realSegment())
        let r = try SegmentReader(path: write(seg))
        XCTAssertEqual(r.footer.rows, 100)
        XCTAssertEqual(try r.read(r.footer.columns[0]).int64Values, (0..<100).map { Int64($0) })
    }

    // S1: a row count past Int.max; S10: a row count over the documented maximum.
    func testRowCountIsCheckedBeforeUse() {
        let seg = realSegment()
        assertCorrupt(patched(seg) { Self.put64(UInt64.max, &$0, at: F.rows) }, "row count 18446744073709551615 is out of range")
        assertCorrupt(patched(seg) { Self.put64(1 << 63, &$0, at: F.rows) }, "row count 9223372036854775808 is out of range")
        assertCorrupt(patched(seg) { Self.put64(33_554_433, &$0, at: F.rows) },
                      "row count 33554433 exceeds the maximum of 1048576 rows per segment")
        assertCorrupt(patched(seg) { Self.put64(UInt64(SegmentFormat.maxRows) + 1, &$0, at: F.rows) },
                      "row count 1048577 exceeds the maximum of 1048576 rows per segment")
        XCTAssertEqual(SegmentFormat.maxRows, 1 << 20)
    }

    // S2–S5: offset, length, raw length, null count past Int.max.
    func testColumnValuesPastIntMaxAreErrors() {
        let seg = realSegment()
        assertCorrupt(patched(seg) { Self.put64(1 << 63, &$0, at: F.offset) }, "column 'n': offset 9223372036854775808 is out of range")
        assertCorrupt(patched(seg) { Self.put64(UInt64.max, &$0, at: F.length) }, "column 'n': length 18446744073709551615 is out of range")
        assertCorrupt(patched(seg) { Self.put64(1 << 63, &$0, at: F.rawLength) }, "column 'n': raw length 9223372036854775808 is out of range")
        assertCorrupt(patched(seg) { Self.put64(1 << 63 | 5, &$0, at: F.nulls) }, "column 'n': null count 9223372036854775813 is out of range")
    }

    // S6: offset + length overflows Int; and plain out-of-area values.
    func testColumnAreaIsCheckedWithoutOverflow() {
        let seg = realSegment()
        assertCorrupt(patched(seg) { Self.put64(UInt64(Int.max) - 10, &$0, at: F.offset) }, "column 'n' lies outside the data area")
        assertCorrupt(patched(seg) { Self.put64(UInt64(Int.max), &$0, at: F.length) }, "column 'n' lies outside the data area")
        assertCorrupt(patched(seg) { Self.put64(3, &$0, at: F.offset) }, "column 'n' lies outside the data area")
        let foff = footerRange(seg).lowerBound
        assertCorrupt(patched(seg) { Self.put64(UInt64(foff), &$0, at: F.length) }, "column 'n' lies outside the data area")
    }

    // S7: a raw length the blocks cannot hold is refused before it sizes the payload buffer.
    func testRawLengthIsBoundedByWhatTheBlocksHold() throws {
        let seg = realSegment()
        let info = try SegmentReader(path: write(seg)).footer.columns[0]
        XCTAssertEqual(info.blockCount, 1)
        assertCorrupt(patched(seg) { Self.put64(0x4000000027b, &$0, at: F.rawLength) },
                      "column 'n': raw length 4398046511739 is more than its 1 blocks of \(info.length) bytes can hold")
        assertCorrupt(patched(seg) { Self.put64(0x8_0000_007a, &$0, at: F.rawLength) },
                      "column 'n': raw length 34359738490 is more than its 1 blocks of \(info.length) bytes can hold")
        // Within one block's 1 MiB but far more than LZ4 can expand this column's bytes to.
        assertCorrupt(patched(seg) { Self.put64(1 << 20, &$0, at: F.rawLength) },
                      "column 'n': raw length 1048576 is more than its 1 blocks of \(info.length) bytes can hold")
        assertCorrupt(patched(seg) { Self.put32(0, &$0, at: F.blocks) }, "column 'n': 0 blocks cannot fit in its \(info.length) bytes")
        assertCorrupt(patched(seg) { Self.put32(UInt32.max, &$0, at: F.blocks) },
                      "column 'n': 4294967295 blocks cannot fit in its \(info.length) bytes")
        // A plausible raw length that is still wrong is caught when the column is read.
        assertCorrupt(patched(seg) { Self.put64(UInt64(info.rawLength + 1), &$0, at: F.rawLength) }, offset: info.offset + 12 + (info.length - 12),
                      "column 'n': column shorter than its footer says")
    }

    func testNullCountIsAtMostTheRowCount() {
        assertCorrupt(patched(realSegment()) { Self.put64(101, &$0, at: F.nulls) }, "column 'n': null count 101 exceeds the 100 rows")
    }

    // S8/S9: a string length (column name, string statistics) past Int.max or within `pos` of it.
    func testStringLengthsAreBoundedByTheBytesLeft() {
        let seg = realSegment()
        func name(_ n: UInt64) -> [UInt8] {
            patched(seg) { $0.replaceSubrange(F.nameLength..<(F.nameLength + 1), with: Self.varint(n)) }
        }
        let big = name(1 << 63)
        let left = footerRange(big).count - F.nameLength - 10
        assertCorrupt(big, "length 9223372036854775808 at offset 16 exceeds the \(left) bytes left")
        let nearMax = name(UInt64(Int.max) - 3)
        assertCorrupt(nearMax, "length 9223372036854775804 at offset 16 exceeds the \(footerRange(nearMax).count - F.nameLength - 9) bytes left")
        // String statistics: a string column's min/max go through the same reader.
        var cols: [Column] = [.strings(ByteStrings(["b", "a", "c"]))]
        let s = SegmentFormat.encode(schema: [ColumnSchema(name: "s", type: .string)], columns: &cols, rows: 3).bytes
        // stats: u8 flags (4 = strings), varint 1, "a", varint 1, "c": the min's length is at F.stats + 1.
        XCTAssertEqual(Array(s[footerRange(s)][(footerRange(s).lowerBound + F.stats)...].prefix(5)), [4, 1, 97, 1, 99])
        let hostile = patched(s) { $0.replaceSubrange((F.stats + 1)..<(F.stats + 2), with: Self.varint(UInt64.max)) }
        assertCorrupt(hostile, "length 18446744073709551615 at offset \(F.stats + 1) exceeds the 3 bytes left")
    }

    // A block header claiming more than a block holds would overflow LZ4's Int32 lengths.
    func testBlockHeaderLengthsAreBounded() throws {
        var rng = EncodingTests.RNG(s: 9)
        // Random values are stored as they are (one uncompressed block): the header is at the column's offset.
        var cols: [Column] = [.ints(.long, (0..<1000).map { _ in Int64(bitPattern: rng.next()) })]
        var seg = SegmentFormat.encode(schema: [ColumnSchema(name: "n", type: .long)], columns: &cols, rows: 1000).bytes
        let info = try SegmentReader(path: write(seg)).footer.columns[0]
        Self.put32(UInt32.max, &seg, at: info.offset)
        _Fuzz.repairSegmentChecksums(&seg)
        assertCorrupt(seg, offset: info.offset + 12 + (info.length - 12), "column 'n': block of 4294967295 bytes (\(info.length - 12) stored) exceeds the block size")
    }

    // MARK: decoders: lengths and counts inside a column's payload

    /// A segment of `rows` rows whose one column's payload is `payload` (stored uncompressed).
    func segment(rows: Int, type: KustoType, payload: [UInt8]) -> (bytes: [UInt8], offset: Int) {
        var f = ByteWriter()
        f.raw(SegmentFormat.magic)
        let offset = f.bytes.count
        f.u32(UInt32(payload.count)); f.u32(UInt32(payload.count))
        f.u32(payload.withUnsafeBytes { SegmentFormat.crc($0) })
        f.raw(payload)
        var footer = ByteWriter()
        footer.u32(SegmentFormat.version); footer.u64(UInt64(rows)); footer.u32(1)
        footer.str("c"); footer.u8(type.rawValue)
        footer.u64(UInt64(offset)); footer.u64(UInt64(payload.count + 12)); footer.u32(1)
        footer.u64(UInt64(payload.count)); footer.u64(0); footer.u8(0)
        f.raw(footer.bytes)
        f.u32(UInt32(footer.bytes.count)); f.u32(footer.bytes.withUnsafeBytes { SegmentFormat.crc($0) })
        f.raw(SegmentFormat.endMagic)
        return (f.bytes, offset)
    }

    func assertColumnCorrupt(rows: Int, _ type: KustoType, _ payload: [UInt8], _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        let s = segment(rows: rows, type: type, payload: payload)
        assertCorrupt(s.bytes, offset: s.offset, "column 'c': \(reason)", file: file, line: line)
    }

    func testDecoderLengthsAndCountsAreChecked() throws {
        // A well-formed hand-made column reads (the harness itself is right): 3 rows of run-length 7.
        let ok = segment(rows: 3, type: .long, payload: [0, Encoding.runLength.rawValue] + Self.varint(1) + [7, 0, 0, 0, 0, 0, 0, 0] + Self.varint(3))
        XCTAssertEqual(try SegmentReader(path: write(ok.bytes)).read(SegmentReader(path: write(ok.bytes)).footer.columns[0]).int64Values, [7, 7, 7])
        let seven: [UInt8] = [7, 0, 0, 0, 0, 0, 0, 0]
        // Run length past Int.max (was Int(UInt64) trap) and one overflowing `count + len`.
        assertColumnCorrupt(rows: 3, .long, [0, Encoding.runLength.rawValue] + Self.varint(1) + seven + Self.varint(1 << 63),
                            "run-length data longer than the column")
        assertColumnCorrupt(rows: 3, .long, [0, Encoding.runLength.rawValue] + Self.varint(2) + seven + Self.varint(1) + seven + Self.varint(UInt64(Int.max)),
                            "run-length data longer than the column")
        // A run count past the bytes left.
        assertColumnCorrupt(rows: 3, .long, [0, Encoding.runLength.rawValue] + Self.varint(UInt64.max),
                            "length 18446744073709551615 at offset 2 exceeds the 0 bytes left")
        // Plain strings: a length past Int.max, and lengths whose sum would overflow.
        assertColumnCorrupt(rows: 2, .string, [0, Encoding.plainBytes.rawValue] + Self.varint(1 << 63) + Self.varint(1),
                            "length 9223372036854775808 at offset 2 exceeds the 1 bytes left")
        // Dictionary: an entry count past Int.max, an entry length past the bytes left.
        assertColumnCorrupt(rows: 2, .string, [0, Encoding.dictionaryBytes.rawValue] + Self.varint(UInt64.max),
                            "length 18446744073709551615 at offset 2 exceeds the 0 bytes left")
        assertColumnCorrupt(rows: 2, .string, [0, Encoding.dictionaryBytes.rawValue] + Self.varint(1) + Self.varint(UInt64(Int.max)) + [0],
                            "length 9223372036854775807 at offset 3 exceeds the 1 bytes left")
        // Nibble, fixed length: a template length past the bytes left, and a template that would
        // make rows × template bytes from nothing (the writer always has a varying position).
        assertColumnCorrupt(rows: 2, .string, [0, Encoding.nibbleBytes.rawValue, 1] + Self.varint(1 << 62),
                            "length 4611686018427387904 at offset 3 exceeds the 0 bytes left")
        assertColumnCorrupt(rows: 1000, .string, [0, Encoding.nibbleBytes.rawValue, 1] + Self.varint(4) + Array("abcd".utf8) + [0, 0, 0, 0, 1, 97] + Self.varint(0),
                            "nibble template without variable positions")
    }

    // A few kilobytes must not expand to gigabytes: one dictionary entry or a fixed nibble
    // template on every row of the largest segment.
    func testStringColumnsExpandAtMostToTheDocumentedMaximum() throws {
        XCTAssertEqual(SegmentFormat.maxColumnBytes, 1 << 30)
        let rows = SegmentFormat.maxRows
        let entry = [UInt8](repeating: 120, count: 2000)
        let dictionary: [UInt8] = [0, Encoding.dictionaryBytes.rawValue] + Self.varint(1) + Self.varint(2000) + entry + [0]
        assertColumnCorrupt(rows: rows, .string, dictionary, "strings expand to 2097152000 bytes, over the maximum of 1073741824 per column")
        // Under the bound (1000 bytes on every row: 1,048,576,000 bytes) the column still reads.
        let small = [UInt8](repeating: 120, count: 1000)
        let ok = segment(rows: rows, type: .string, payload: [0, Encoding.dictionaryBytes.rawValue] + Self.varint(1) + Self.varint(1000) + small + [0])
        let r = try SegmentReader(path: write(ok.bytes))
        XCTAssertEqual(try r.read(r.footer.columns[0], rows: [0, 5]).count, 2)
        let template = [UInt8](repeating: 45, count: 1100)
        let flags = [1] + [UInt8](repeating: 0, count: 1099)
        assertColumnCorrupt(rows: rows, .string, [0, Encoding.nibbleBytes.rawValue, 1] + Self.varint(1100) + template + flags,
                            "strings expand to 1153433600 bytes, over the maximum of 1073741824 per column")
    }

    // MARK: the fuzzers' inputs

    /// Every input the segment fuzzer crashed, hung or ran out of memory on (Fuzz/Crashes/segment,
    /// copied from the findings) is a corrupt-segment error after its checksums are repaired, the
    /// way FuzzSegment hands it to the reader.
    func testEveryFuzzCrashInputIsACorruptSegmentError() throws {
        let crashes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/Crashes/segment").path
        let names = try FileManager.default.contentsOfDirectory(atPath: crashes).sorted()
        XCTAssertGreaterThanOrEqual(names.count, 12)
        for name in ["crash-12d41b27a59b74ce6381332b30e34c5c09e6dc02", "crash-3b87ad9b978da2dc378bee18ede82aedcfa1586b",
                     "crash-2dd722238ed49127ed79e2519ca17eac0ba75a68", "crash-0175cb6d63b1924fbe718395e3111f1f90aea85a",
                     "crash-0b3540dbd4a9a21df2de33b0cad3b5d4d1fb3430", "crash-24ba3346ef62549f8fac19bdcb92c75379f5af04",
                     "crash-5bf1b942a00587ccc6e01f925636dbf8d72a468e", "crash-280aea695f83abdf9d522c34a653434a3d3ab026",
                     "crash-18a84a091bed46f52b8b16b972df339ed6c78bb9", "timeout-7c9e403d59382bffc9d122e3bf91258a401a0a0a"] {
            XCTAssert(names.contains(name), "\(name) missing from Fuzz/Crashes/segment")
        }
        var reasons: [String: String] = [:]
        for name in names {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: crashes + "/" + name)))
            _Fuzz.repairSegmentChecksums(&bytes)
            let path = write(bytes, name + ".seg")
            let started = Date()
            do {
                let n = try _Fuzz.readSegment(path: path)
                XCTFail("\(name) read \(n) values without an error")
            } catch StoreError.corruptSegment(let p, _, let reason) {
                XCTAssertEqual(p, path)
                reasons[name] = reason
            } catch {
                XCTFail("\(name): not a corrupt-segment error: \(error)")
            }
            XCTAssertLessThan(Date().timeIntervalSince(started), 2, "\(name) took too long")
        }
        // The findings' one input per site, each now the error for what its footer claims.
        XCTAssertEqual(reasons["crash-12d41b27a59b74ce6381332b30e34c5c09e6dc02"].map { $0.hasPrefix("row count ") && $0.hasSuffix(" is out of range") }, true, reasons.description)
        XCTAssertEqual(reasons["timeout-7c9e403d59382bffc9d122e3bf91258a401a0a0a"], "row count 33554433 exceeds the maximum of 1048576 rows per segment")
        XCTAssertEqual(reasons["crash-5bf1b942a00587ccc6e01f925636dbf8d72a468e"].map { $0.contains("raw length 4398046511739 is more than") }, true, reasons.description)
        XCTAssertEqual(reasons["crash-280aea695f83abdf9d522c34a653434a3d3ab026"].map { $0.hasPrefix("length ") && $0.contains("bytes left") }, true, reasons.description)
    }
}
