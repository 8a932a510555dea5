import Foundation
import XCTest
@testable import LogStore

/// Compaction, retention and appends from a running process.
final class MaintenanceTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-maint-\(UUID())").path }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ name: String, _ lines: [String]) -> String {
        try? FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
        let p = dir + "/in/" + name
        FileManager.default.createFile(atPath: p, contents: lines.joined(separator: "\n").data(using: .utf8))
        return p
    }

    /// Every row of a table as text, sorted: what must survive compaction unchanged.
    func rows(_ store: Store, _ table: String) throws -> [String] {
        let schema = try store.schema(of: table)!
        var out: [String] = []
        for s in try store.segments(of: table) {
            let b = try store.read(s, columns: schema.columns.map(\.name), schema: schema)
            for i in 0..<b.count { out.append(b.columns.map { "\($0.v(i))" }.joined(separator: "|")) }
        }
        return out.sorted()
    }

    func segmentFiles(_ store: Store) -> Set<String> {
        var out = Set<String>()
        let fm = FileManager.default
        for t in (try? fm.contentsOfDirectory(atPath: store.segmentsDirectory)) ?? [] {
            for f in (try? fm.contentsOfDirectory(atPath: store.segmentsDirectory + "/" + t)) ?? [] { out.insert(t + "/" + f) }
        }
        return out
    }

    func time(day: Int, second: Int) -> String { String(format: "2025-03-%02dT00:%02d:%02d.1234567Z", day, second / 60 % 60, second % 60) }

    /// Six ingests of 500 rows, interleaved in time, with `n` long in some files and real in others.
    func sixSmallIngests(_ store: Store) throws {
        for f in 0..<6 {
            let lines = (0..<500).map { i in
                "{\"timestamp\":\"\(time(day: 3 + f / 2, second: i * 6 + f))\",\"id\":\"r\(f)-\(i)\",\"n\":\(f % 2 == 0 ? "\(i)" : "\(i).5"),\"d\":{\"k\":\"v\(i % 7)\"}}"
            }
            _ = try store.ingest(paths: [write("part\(f).jsonl", lines)], options: IngestOptions(table: "T"))
        }
    }

    func testCompactMergesSmallSegmentsKeepingEveryRowInTimeOrder() throws {
        let store = try Store(path: dir + "/store", create: true)
        try sixSmallIngests(store)
        XCTAssertEqual(try store.segments(of: "T").map(\.rows), [500, 500, 500, 500, 500, 500])
        let before = try rows(store, "T")
        var o = CompactOptions(); o.targetRows = 1200; o.smallRows = 1000
        let r = try store.compact(options: o)
        XCTAssertEqual(r, [CompactReport(table: "T", segmentsBefore: 6, segmentsAfter: 3, rowsRewritten: 3000,
                                         bytesBefore: r[0].bytesBefore, bytesAfter: r[0].bytesAfter)])
        let segs = try store.segments(of: "T")
        XCTAssertEqual(segs.map(\.rows), [1000, 1000, 1000])
        XCTAssertEqual(try rows(store, "T"), before)
        XCTAssertEqual(try store.schema(of: "T")!.columns.map(\.type), [.datetime, .string, .real, .dynamic])
        // each merged segment is sorted by time and its catalog range is exact
        let schema = try store.schema(of: "T")!
        for s in segs {
            let t = try store.read(s, columns: ["timestamp"], schema: schema).columns[0].int64Values
            XCTAssertEqual(t, t.sorted())
            XCTAssertEqual(s.minTime, t.first); XCTAssertEqual(s.maxTime, t.last)
        }
        // the sub-column of the frequent dynamic key is rebuilt in the merged segments
        let sub = try store.read(segs[0], columns: [DynamicPaths.subcolumn("d", "k")], schema: schema).columns[0]
        XCTAssertEqual(sub.byteStrings.string(0).first, "\"")
        // the old files are gone: only the three listed ones remain
        XCTAssertEqual(segmentFiles(store), Set(segs.map(\.file)))
        // a second run has nothing to do
        XCTAssertEqual(try store.compact(options: o)[0].segmentsAfter, 3)
    }

    func testCompactionKeepsFilesAQueryHoldsUntilItEnds() throws {
        let store = try Store(path: dir + "/store", create: true)
        try sixSmallIngests(store)
        let old = try store.segments(of: "T")
        let schema = try store.schema(of: "T")!
        var lease: ReadLease? = store.beginRead()
        _ = try store.compact()
        XCTAssertEqual(try store.segments(of: "T").count, 1)
        // the query that planned over the old segments can still read every one of them
        XCTAssertEqual(try old.reduce(0) { $0 + (try store.read($1, columns: ["id"], schema: schema).count) }, 3000)
        // another process's lease blocks deletion too: a second Store on the same folder
        let other = try Store(path: dir + "/store")
        XCTAssertEqual(other.reclaimRetired(), 0)
        withExtendedLifetime(lease) {}
        lease = nil
        XCTAssertEqual(store.reclaimRetired(), 6)
        XCTAssertEqual(segmentFiles(store), Set(try store.segments(of: "T").map(\.file)))
        XCTAssertThrowsError(try store.read(old[0], columns: ["id"], schema: schema)) { e in
            XCTAssertTrue("\(e)".contains(old[0].file), "\(e)")
        }
    }

    func testDropBeforeRemovesWholeSegmentsOnly() throws {
        let store = try Store(path: dir + "/store", create: true)
        for day in 3...5 {
            let lines = (0..<100).map { "{\"timestamp\":\"\(time(day: day, second: $0))\",\"v\":\($0)}" }
            _ = try store.ingest(paths: [write("day\(day).jsonl", lines)], options: IngestOptions(table: "T"))
        }
        // one segment that straddles the cut at 2025-03-05
        _ = try store.ingest(paths: [write("mixed.jsonl", ["{\"timestamp\":\"2025-03-04T23:00:00Z\",\"v\":1}",
                                                         "{\"timestamp\":\"2025-03-05T01:00:00Z\",\"v\":2}"])],
                             options: IngestOptions(table: "T"))
        let cut = Ticks.parseDatetime("2025-03-05")!
        let dry = try store.drop(before: cut, dryRun: true)
        XCTAssertEqual(dry.map(\.segmentsDropped), [2])
        XCTAssertEqual(try store.rowCount(of: "T"), 302)
        let r = try store.drop(before: cut)
        XCTAssertEqual(r, [DropReport(table: "T", segmentsDropped: 2, rowsDropped: 200, bytesDropped: r[0].bytesDropped, segmentsStraddling: 1)])
        XCTAssertEqual(try store.rowCount(of: "T"), 102)
        XCTAssertEqual(try store.segments(of: "T").compactMap(\.minTime).min(), Ticks.parseDatetime("2025-03-04T23:00:00Z"))
        XCTAssertEqual(segmentFiles(store).count, 2)
    }

    func testAppenderCommitsWholeBatchesAndRoutesRecords() throws {
        let store = try Store(path: dir + "/store", create: true)
        let app = RecordAppender(store: store, table: "alerts")
        let at = Date(timeIntervalSince1970: 1_741_000_000.25)
        try app.append(["timestamp": at, "name": "cpu", "value": 91.5, "tags": ["a", 1] as [Any], "ok": false, "missing": nil])
        try app.append(json: #"{"itemType":"request","timestamp":"2025-03-03T00:00:00Z","name":"GET /","duration":12.5,"success":true}"#)
        try app.append(json: #"{"timestamp": nope}"#)
        XCTAssertEqual(app.pendingRows, 2)
        XCTAssertNil(try store.schema(of: "alerts"), "nothing is visible before commit")
        let r = try app.commit()
        XCTAssertEqual(r.rowsByTable, ["alerts": 1, "requests": 1])
        XCTAssertEqual(r.rejected, 1)
        XCTAssertEqual(r.rejects.first?.line, 3)
        XCTAssertEqual(r.rejects.first?.file, "append:daemon")
        let schema = try store.schema(of: "alerts")!
        XCTAssertEqual(schema.columns.map(\.name), ["missing", "name", "ok", "tags", "timestamp", "value"])
        XCTAssertEqual(schema.columns.map(\.type), [.string, .string, .bool, .dynamic, .datetime, .real])
        XCTAssertEqual(schema.timeColumn, "timestamp")
        let b = try store.read(try store.segments(of: "alerts")[0], columns: ["timestamp", "tags", "ok"], schema: schema)
        XCTAssertEqual(b.columns[0].v(0), .long(Ticks.fromUnixSeconds(1_741_000_000.25)))
        XCTAssertEqual(b.columns[1].byteStrings.string(0), #"["a",1]"#)
        XCTAssertEqual(b.columns[2].v(0), .bool(false))
        XCTAssertEqual(try store.schema(of: "requests")!.column(named: "duration")!.type, .real)
        XCTAssertEqual(try store.rowCount(of: "requests"), 1)
        // an empty commit writes nothing
        XCTAssertEqual(try app.commit().rows, 0)
        XCTAssertEqual(try store.ingestHistory().count, 1)
        XCTAssertThrowsError(try app.append(["bad": NSObject()])) { e in
            XCTAssertEqual("\(e)", "field 'bad': a value of type NSObject cannot be stored")
        }
    }

    func testAppenderCommitsOnItsOwnAtTheSegmentBoundAndReadersSeeWholeBatches() throws {
        let store = try Store(path: dir + "/store", create: true)
        var o = IngestOptions(); o.segmentRows = 250
        let app = RecordAppender(store: store, table: "events", options: o)
        let stop = NSLock()
        nonisolated(unsafe) var seen: [Int] = [], done = false
        let reader = Thread {
            let r = try! Store(path: self.dir + "/store")
            while true {
                stop.lock(); let d = done; stop.unlock()
                if d { break }
                if let n = try? r.rowCount(of: "events") { stop.lock(); seen.append(n); stop.unlock() }
            }
        }
        reader.start()
        for i in 0..<1000 {
            try app.append(json: "{\"timestamp\":\"\(time(day: 3, second: i))\",\"i\":\(i)}")
            if i % 100 == 99 { XCTAssertEqual(app.pendingRows, (i + 1) % 250 == 0 ? 0 : (i + 1) % 250) }
        }
        stop.lock(); done = true; stop.unlock()
        while !reader.isFinished { usleep(1000) }
        XCTAssertEqual(try store.rowCount(of: "events"), 1000)
        XCTAssertEqual(try store.segments(of: "events").map(\.rows), [250, 250, 250, 250])
        // a reader only ever saw whole batches
        XCTAssertTrue(seen.allSatisfy { $0 % 250 == 0 }, "\(Set(seen))")
    }
}
