import Foundation
import XCTest
@testable import LogStore

/// Catalog entry checksums, read-only stores, and segment files damaged under a reader.
final class IntegrityTests: XCTestCase {
    var tmp = ""
    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("logq-integrity-\(UUID())").path
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }
    override func tearDown() {
        _ = chmodAll(tmp, writable: true)
        try? FileManager.default.removeItem(atPath: tmp)
    }

    @discardableResult
    func chmodAll(_ path: String, writable: Bool) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/chmod")
        p.arguments = ["-R", writable ? "u+w" : "a-w", path]
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// Three files of one hour each (three segments), `n` rows per file, with a high-cardinality
    /// string column (so its segments carry a Bloom filter).
    func makeStore(n: Int = 3000) throws -> Store {
        for f in 0..<3 {
            var text = ""
            for i in 0..<n {
                let ts = Ticks.formatDatetime(Ticks.fromUnixSeconds(1_735_689_600 + Double(f * 3600 + i)))
                text += "{\"timestamp\":\"\(ts)\",\"op\":\"op-\(f)-\(i)\",\"n\":\(f * n + i)}\n"
            }
            try text.write(toFile: tmp + "/T\(f).jsonl", atomically: true, encoding: .utf8)
        }
        let s = try Store(path: tmp + "/store", create: true)
        _ = try s.ingest(paths: (0..<3).map { tmp + "/T\($0).jsonl" }, options: { var o = IngestOptions(); o.table = "T"; return o }())
        XCTAssertEqual(try s.segments(of: "T").count, 3)
        return s
    }

    func count(_ s: Store, _ r: ScanRequest) throws -> Int {
        var st = ScanStats(), rows = 0
        try s.scan("T", r, stats: &st) { rows += $0.count }
        return rows
    }

    /// The second segment's hour, as a scan window.
    var secondHour: ScanRequest {
        ScanRequest(columns: ["n"], timeFrom: Ticks.fromUnixSeconds(1_735_689_600 + 3600), timeTo: Ticks.fromUnixSeconds(1_735_689_600 + 7200))
    }

    func testEveryEntryVerifiesAsWritten() throws {
        let s = try makeStore()
        XCTAssertTrue(s.catalog.hasChecksums)
        XCTAssertEqual(try s.segments(of: "T").map(\.damage), [nil, nil, nil])
        let (kept, pruned) = try s.plan("T", secondHour)
        XCTAssertEqual([kept.count, pruned], [1, 2])
        XCTAssertEqual(try count(s, secondHour), 3000)
    }

    /// A damaged time range used to prune the segment away (zero rows); now the entry fails its
    /// checksum and the segment is read whole, giving the right count.
    func testDamagedTimeRangeIsNotTrusted() throws {
        let s = try makeStore()
        let seg = try s.segments(of: "T")[1]
        try s.catalog.db.exec("UPDATE segments SET max_time = min_time - 1 WHERE id = \(seg.id)")
        let damaged = try s.segments(of: "T")[1]
        XCTAssertEqual(damaged.damage, "catalog entry fails its checksum (row count, time range, size or file checksum)")
        XCTAssertNil(damaged.minTime); XCTAssertNil(damaged.maxTime)
        let (kept, _) = try s.plan("T", secondHour)
        XCTAssertTrue(kept.contains { $0.id == seg.id })
        XCTAssertEqual(try count(s, secondHour), 3000)
        // The other segments still verify and are still pruned.
        XCTAssertEqual(try s.plan("T", secondHour).pruned, 2)
    }

    func testDamagedStatisticsAndBloomAreNotTrusted() throws {
        let s = try makeStore()
        let seg = try s.segments(of: "T")[2]
        // min/max of `n` claim the segment cannot hold 7000; without the checksum it would be pruned.
        try s.catalog.db.exec("UPDATE column_stats SET max_int = 0 WHERE segment_id = \(seg.id) AND column_name = 'n'")
        let r = ScanRequest(columns: ["n"], predicates: [.intRange(column: "n", min: 7000, max: 7000)])
        XCTAssertEqual(try s.segments(of: "T")[2].damage, "statistics of column 'n' fail their checksum")
        XCTAssertEqual(try s.plan("T", r).kept.map(\.id), [seg.id])

        // The Bloom filter prunes a value inside the segment's min/max that it does not hold...
        let mid = try s.segments(of: "T")[1].id
        let absent = ScanRequest(columns: ["op"], predicates: [.stringEquals(column: "op", value: "op-1-17x")])
        XCTAssertFalse(try s.plan("T", absent).kept.map(\.id).contains(mid))
        // ...and one zeroed out would prune the segment for a value it holds.
        let eq = ScanRequest(columns: ["op"], predicates: [.stringEquals(column: "op", value: "op-1-17")])
        XCTAssertEqual(try s.plan("T", eq).kept.map(\.id), [mid, seg.id]) // seg: its damaged entry is read whole
        try s.catalog.db.exec("UPDATE column_stats SET bloom = zeroblob(length(bloom)) WHERE segment_id = \(mid) AND column_name = 'op' AND bloom IS NOT NULL")
        XCTAssertTrue(try s.plan("T", eq).kept.map(\.id).contains(mid), "a damaged Bloom filter must not prune")
    }

    /// A catalog written before checksums (schema 3) still opens: read-only it is used unverified,
    /// opened for writing it is migrated and every entry verifies.
    func testSchema3CatalogMigratesAndVerifies() throws {
        let s = try makeStore()
        try s.catalog.db.exec("""
            ALTER TABLE segments DROP COLUMN entry_crc; ALTER TABLE column_stats DROP COLUMN stats_crc;
            ALTER TABLE column_stats DROP COLUMN bloom_crc; ALTER TABLE column_stats DROP COLUMN terms_crc;
            DROP TABLE quarantine; PRAGMA user_version = 3;
            """)
        let ro = try Store(path: tmp + "/store", readOnly: true)
        XCTAssertFalse(ro.catalog.hasChecksums)
        XCTAssertEqual(try ro.plan("T", secondHour).pruned, 2)
        XCTAssertEqual(try count(ro, secondHour), 3000)
        let rw = try Store(path: tmp + "/store")
        XCTAssertEqual(try rw.catalog.db.userVersion(), 4)
        XCTAssertEqual(try rw.segments(of: "T").map(\.damage), [nil, nil, nil])
        XCTAssertEqual(try rw.plan("T", secondHour).pruned, 2)
    }

    /// A store nobody can write: the catalog opens read-only and immutable, and scans work.
    func testReadOnlyStoreCanBeScanned() throws {
        _ = try makeStore()
        let store = tmp + "/store"
        let before = try FileManager.default.contentsOfDirectory(atPath: store).sorted()
        XCTAssertTrue(chmodAll(store, writable: false))
        if Store.isWritable(store) {
            // Root: chmod does not bind, so say the store is unwritable to exercise the same open.
            let s = try Store(path: store, readOnly: true, housekeeping: false, unwritable: true)
            XCTAssertTrue(s.immutable)
            XCTAssertEqual(try count(s, secondHour), 3000)
            XCTAssertEqual(try s.snapshot().plan("T", secondHour).kept.count, 1)
        } else {
            XCTAssertThrowsError(try Store(path: store)) // a writer cannot open it
            let s = try Store(path: store, readOnly: true)
            XCTAssertTrue(s.immutable)
            XCTAssertEqual(try count(s, secondHour), 3000)
            XCTAssertEqual(try s.snapshot().plan("T", secondHour).kept.count, 1)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store).sorted(), before, "a read-only open created files")
    }

    /// A segment truncated between open and read (or under a running query) is an error naming the
    /// file, never SIGBUS (the reader no longer maps files).
    func testSegmentTruncatedAfterOpenIsAnError() throws {
        let s = try makeStore()
        let seg = try s.segments(of: "T")[0]
        let schema = try s.schema(of: "T")!
        let open = try s.openSegment(seg, schema: schema)
        let path = s.segmentsDirectory + "/" + seg.file
        XCTAssertEqual(truncate(path, 64), 0)
        XCTAssertThrowsError(try open.read(["timestamp", "op", "n"])) { e in
            guard case StoreError.corruptSegment(let p, _, let reason) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(p, path)
            XCTAssertEqual(reason, "file is shorter than its footer says")
        }
        XCTAssertEqual(truncate(path, 0), 0)
        XCTAssertThrowsError(try s.openSegment(seg, schema: schema)) { e in
            XCTAssertEqual("\(e)", "corrupt segment \(path) at offset 0: file too short (0 bytes)")
        }
    }
}
