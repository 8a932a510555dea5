import Foundation
import XCTest
@testable import LogStore
import TelemetryGenerator

final class TimeTests: XCTestCase {
    func testDatetimeRoundTrip() {
        let t = Ticks.parseDatetime("2025-03-03T13:42:07.1234567Z")!
        XCTAssertEqual(Ticks.formatDatetime(t), "2025-03-03T13:42:07.1234567Z")
        XCTAssertEqual(Ticks.parseDatetime("2015-12-31 23:59:59.9"), Ticks.parseDatetime("2015-12-31T23:59:59.9000000Z"))
        XCTAssertEqual(Ticks.parseDatetime("2015-12-31"), Ticks.from(year: 2015, month: 12, day: 31))
        XCTAssertEqual(Ticks.parseDatetime("2025-03-03T02:00:00+02:00"), Ticks.parseDatetime("2025-03-03T00:00:00Z"))
        XCTAssertEqual(Ticks.parseDatetime("1970-01-01T00:00:00Z"), Ticks.unixEpoch)
        XCTAssertNil(Ticks.parseDatetime("2025-02-30"))
        XCTAssertNil(Ticks.parseDatetime("not a date"))
    }

    func testTimespanFormat() {
        XCTAssertEqual(Ticks.formatTimespan(Ticks.perDay + 2 * Ticks.perHour + 3 * Ticks.perMinute + 4 * Ticks.perSecond + 5_000_000), "1.02:03:04.5000000")
        XCTAssertEqual(Ticks.formatTimespan(-Ticks.perMinute), "-00:01:00")
        XCTAssertEqual(Ticks.parseTimespan("1.00:00:01.0010001"), Ticks.perDay + Ticks.perSecond + 10_001)
    }
}

final class EncodingTests: XCTestCase {
    struct RNG { var s: UInt64; mutating func next() -> UInt64 { s &+= 0x9E37_79B9_7F4A_7C15; var z = s; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; return z ^ (z >> 27) } }

    func roundTrip(_ cols: [Column], _ schema: [ColumnSchema], rows: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-enc-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var consumed = cols
        let enc = SegmentFormat.encode(schema: schema, columns: &consumed, rows: rows)
        let path = dir + "/x.seg"
        FileManager.default.createFile(atPath: path, contents: Data(enc.bytes))
        let r = try SegmentReader(path: path)
        XCTAssertEqual(r.footer.rows, rows, file: file, line: line)
        for (k, c) in cols.enumerated() {
            let got = try r.read(r.footer.columns[k])
            for i in 0..<rows { XCTAssertEqual(got.v(i), c.v(i), "column \(k) row \(i)", file: file, line: line) }
            // Selective decode (late materialization) equals decode-then-gather.
            let pick: [Int32] = rows == 0 ? [] : [Int32(rows - 1), 0] + stride(from: 0, to: rows, by: 7).map { Int32($0) }
            let part = try r.read(r.footer.columns[k], rows: pick)
            XCTAssertEqual(part.count, pick.count, file: file, line: line)
            for (j, row) in pick.enumerated() { XCTAssertEqual(part.v(j), c.v(Int(row)), "column \(k) picked row \(row)", file: file, line: line) }
        }
    }

    func testIntegerEncodingsRoundTripOverEdgeCases() throws {
        var rng = RNG(s: 7)
        let cases: [[Int64]] = [
            [], [0], [Int64.min, Int64.max, 0, -1], Array(repeating: 42, count: 1000),
            (0..<5000).map { Int64($0) * 10_000_000 + 638_000_000_000_000_000 },
            (0..<5000).map { _ in Int64(bitPattern: rng.next()) }, (0..<5000).map { _ in Int64(rng.next() % 100) },
        ]
        for v in cases {
            try roundTrip([.ints(.long, v)], [ColumnSchema(name: "a", type: .long)], rows: v.count)
        }
        let valid: [UInt8] = (0..<300).map { $0 % 3 == 0 ? 0 : 1 }
        try roundTrip([.ints(.long, (0..<300).map { Int64($0) }, validity: valid)], [ColumnSchema(name: "a", type: .long)], rows: 300)
    }

    func testNibbleEncodingRoundTripsHexIdsAndGuids() throws {
        var rng = RNG(s: 3)
        let hex = ByteStrings((0..<500).map { _ in String(rng.next(), radix: 16) + String(rng.next(), radix: 16) })          // variable length
        let guids = ByteStrings((0..<500).map { _ in UUID().uuidString.lowercased() })                                          // fixed, dashes constant
        let fixedHex = ByteStrings((0..<500).map { _ in String(format: "%016llx", rng.next()) })
        for col in [hex, guids, fixedHex] {
            var w = ByteWriter()
            BytesCodec.encode(col, into: &w)
            XCTAssertEqual(w.bytes.first, Encoding.nibbleBytes.rawValue)
            XCTAssertLessThan(w.bytes.count, col.bytes.count * 6 / 10)
        }
        try roundTrip([.strings(hex), .strings(guids), .strings(fixedHex)],
                      [ColumnSchema(name: "h", type: .string), ColumnSchema(name: "g", type: .string), ColumnSchema(name: "f", type: .string)], rows: 500)
    }

    func testIncompressibleBlocksAreStoredAsTheyAre() throws {
        var rng = RNG(s: 5)
        let values = (0..<300_000).map { _ in Int64(bitPattern: rng.next()) }
        var cols: [Column] = [.ints(.long, values)]
        let enc = SegmentFormat.encode(schema: [ColumnSchema(name: "b", type: .long)], columns: &cols, rows: values.count)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("logq-raw-\(UUID()).seg").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data(enc.bytes))
        let r = try SegmentReader(path: path)
        let info = r.footer.columns[0]
        // 12 bytes of header per block, nothing else: random bits are not "compressed" larger
        XCTAssertGreaterThan(info.blockCount, 1)
        XCTAssertEqual(info.length, info.rawLength + 12 * info.blockCount)
        XCTAssertEqual(try r.read(info).int64Values, values)
        XCTAssertEqual(try r.read(info, rows: [7, 299_999]).int64Values, [values[7], values[299_999]])
    }

    func testRealAndStringEncodingsRoundTrip() throws {
        var rng = RNG(s: 11)
        let reals: [Double] = (0..<3000).map { i in i % 2 == 0 ? Double(rng.next() % 1_000_000) / 10_000 : Double(bitPattern: rng.next() >> 2) }
        let strs = ByteStrings((0..<3000).map { i in i % 5 == 0 ? "" : "value-\(rng.next() % 7)-é" })
        let unique = ByteStrings((0..<3000).map { _ in String(rng.next(), radix: 36) })
        try roundTrip([.reals(reals), .strings(strs), .strings(unique, type: .dynamic)],
                      [ColumnSchema(name: "r", type: .real), ColumnSchema(name: "s", type: .string), ColumnSchema(name: "d", type: .dynamic)], rows: 3000)
    }
}

final class IngestTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-test-\(UUID())").path }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ name: String, _ text: String) -> String {
        try? FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
        let p = dir + "/in/" + name
        FileManager.default.createFile(atPath: p, contents: text.data(using: .utf8))
        return p
    }

    func all(_ store: Store, _ table: String) throws -> Batch {
        var stats = ScanStats()
        var out: [Batch] = []
        try store.scan(table, ScanRequest(), stats: &stats) { out.append($0) }
        XCTAssertGreaterThanOrEqual(out.count, 1)
        var b = out[0]
        for more in out.dropFirst() { for k in 0..<b.columns.count { b.columns[k].append(more.columns[k]) }; b.count += more.count }
        return b
    }

    func testNDJSONWithBadLinesKeepsGoodOnesAndReportsRejects() throws {
        let f = write("events.jsonl", """
        {"TimeGenerated":"2025-01-01T00:00:02Z","n":1,"s":"a"}
        {"TimeGenerated":"2025-01-01T00:00:01Z","n":2.5,"s":"b"}
        {"TimeGenerated": oops}

        {"TimeGenerated":"2025-01-01T00:00:03Z","n":3,"extra":{"k":[1,2]}}
        """)
        let store = try Store(path: dir + "/store", create: true)
        let r = try store.ingest(paths: [f])
        XCTAssertEqual(r[0].rows, 3)
        XCTAssertEqual(r[0].rejected, 1)
        XCTAssertEqual(r[0].firstRejects[0].line, 3)
        XCTAssertTrue(r[0].firstRejects[0].reason.contains("unexpected character 'o'"), r[0].firstRejects[0].reason)
        let schema = try store.schema(of: "events")!
        XCTAssertEqual(schema.columns.map(\.name), ["TimeGenerated", "n", "s", "extra"])
        XCTAssertEqual(schema.columns.map(\.type), [.datetime, .real, .string, .dynamic])
        XCTAssertEqual(schema.timeColumn, "TimeGenerated")
        let b = try all(store, "events")
        // time-sorted within the segment; n widened long → real; absent string is ""; absent dynamic is null
        XCTAssertEqual((0..<3).map { b.columns[1].v($0) }, [.real(2.5), .real(1), .real(3)])
        XCTAssertEqual(b.columns[2].v(2), .string(""))
        XCTAssertTrue(b.columns[3].isNull(0))
        XCTAssertEqual(b.columns[3].byteStrings.string(2), "{\"k\":[1,2]}")
        // ingesting the same content again is a no-op
        XCTAssertTrue(try store.ingest(paths: [f])[0].skipped)
        XCTAssertEqual(try store.rowCount(of: "events"), 3)
        // rejects are queryable
        var st = ScanStats()
        var rejects: [Batch] = []
        try store.scan(Store.rejectsTable, ScanRequest(), stats: &st) { rejects.append($0) }
        XCTAssertEqual(rejects[0].count, 1)
        XCTAssertEqual(rejects[0].column(named: "Line")!.v(0), .long(3))
    }

    func testTypeConflictAcrossBatchesWidensInCatalog() throws {
        let store = try Store(path: dir + "/store", create: true)
        _ = try store.ingest(paths: [write("t1.jsonl", "{\"x\":1}\n{\"x\":2}\n")], options: IngestOptions(table: "T"))
        _ = try store.ingest(paths: [write("t2.jsonl", "{\"x\":\"abc\"}\n")], options: IngestOptions(table: "T"))
        XCTAssertEqual(try store.schema(of: "T")!.columns[0].type, .string)
        var st = ScanStats()
        var vals: [V] = []
        try store.scan("T", ScanRequest(), stats: &st) { b in for i in 0..<b.count { vals.append(b.columns[0].v(i)) } }
        XCTAssertEqual(vals.sorted { $0.asString < $1.asString }, [.string("1"), .string("2"), .string("abc")])
    }

    func testSamplesIngestIntoTheRightTables() throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/samples").standardized.path
        guard FileManager.default.fileExists(atPath: samples) else { throw XCTSkip("shared/samples not present") }
        let store = try Store(path: dir + "/store", create: true)
        _ = try store.ingest(paths: [samples + "/appinsights-rest-api/requests_take10.response.json"], options: IngestOptions(table: "requests"))
        let req = try store.schema(of: "requests")!
        XCTAssertEqual(req.column(named: "success")?.type, .bool)
        XCTAssertEqual(req.column(named: "itemCount")?.type, .int)
        XCTAssertEqual(req.column(named: "customDimensions")?.type, .dynamic)
        XCTAssertEqual(try store.rowCount(of: "requests"), 10)
        let b = try all(store, "requests")
        XCTAssertEqual(b.column(named: "success")!.v(0), .bool(true))
        XCTAssertEqual(b.column(named: "customDimensions")!.byteStrings.string(0), "{\"_MS.ProcessedByMetricExtractors\":\"(Name:'Requests', Ver:'1.0')\"}")
        for t in ["AppRequests", "AppDependencies", "AppEvents", "AppExceptions", "AppTraces"] {
            let r = try store.ingest(paths: [samples + "/diag-settings-eventhub/\(t).records.json"])
            XCTAssertEqual(r[0].rejected, 0, t)
            XCTAssertEqual(try store.schema(of: t)?.column(named: "TimeGenerated")?.type, .datetime, t)
        }
        let v2 = try store.ingest(paths: [samples + "/kusto-rest-responses/deft.json"], options: IngestOptions(table: "deft"))
        XCTAssertEqual(v2[0].rows, 11)
        XCTAssertEqual(v2[0].rejected, 0)
        // Continuous Export: mapped to the classic table, duration from ticks to milliseconds.
        let ce = try store.ingest(paths: [samples + "/continuous-export/doc-example-request.jsonl"])
        XCTAssertEqual(ce[0].rowsByTable, ["requests": 1])
        let all = try self.all(store, "requests")
        let rows = (0..<all.count).filter { all.column(named: "operation_Id")!.v($0) == .string("fCOhCdCnZ9I=") }
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(all.column(named: "duration")!.v(rows[0]), .real(104.6804))
        XCTAssertEqual(all.column(named: "resultCode")!.v(rows[0]), .string("200"))
        XCTAssertEqual(all.column(named: "cloud_RoleInstance")!.v(rows[0]), .string("WFWEB14B.fabrikam.net"))
        // OTLP/JSON documents (pretty-printed, one object over many lines).
        XCTAssertEqual(try store.ingest(paths: [samples + "/otlp-json/logs.json"])[0].rowsByTable, ["OTelLogs": 1])
        XCTAssertEqual(try store.ingest(paths: [samples + "/otlp-json/trace.json"])[0].rowsByTable, ["OTelSpans": 1])
        XCTAssertEqual(try self.all(store, "OTelSpans").column(named: "DurationMs")!.v(0), .real(1000))
        // Partial-failure results keep their good rows and reject the error.
        let partial = try store.ingest(paths: [samples + "/kusto-rest-responses/query_partial_results_defer_is_false.json"], options: IngestOptions(table: "partial"))
        XCTAssertEqual(partial[0].rows, 5)
        XCTAssertEqual(partial[0].rejected, 1)
    }

    func testGzipAndTruncatedGzip() throws {
        let plain = (0..<1000).map { "{\"timestamp\":\"2025-01-01T00:00:\(String(format: "%02d", $0 % 60))Z\",\"i\":\($0)}" }.joined(separator: "\n") + "\n"
        let p = write("g.jsonl", plain)
        XCTAssertEqual(system("gzip -k -f \(p) && head -c 2000 \(p).gz > \(dir)/in/cut.jsonl.gz"), 0)
        let store = try Store(path: dir + "/store", create: true)
        let r = try store.ingest(paths: [p + ".gz"], options: IngestOptions(table: "G"))
        XCTAssertEqual(r[0].rows, 1000)
        let cut = try store.ingest(paths: [dir + "/in/cut.jsonl.gz"], options: IngestOptions(table: "C"))
        XCTAssertGreaterThan(cut[0].rows, 0)
        XCTAssertLessThan(cut[0].rows, 1000)
        XCTAssertTrue(cut[0].firstRejects.contains { $0.reason.contains("gzip") }, "\(cut[0].firstRejects.map(\.reason))")
    }

    func testCorruptSegmentIsDetectedAndNamed() throws {
        let store = try Store(path: dir + "/store", create: true)
        _ = try store.ingest(paths: [write("c.jsonl", (0..<500).map { "{\"timestamp\":\"2025-01-01T00:00:00Z\",\"v\":\"row \($0)\"}" }.joined(separator: "\n"))], options: IngestOptions(table: "C"))
        let seg = try store.segments(of: "C")[0]
        let path = store.segmentsDirectory + "/" + seg.file
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[40] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        var st = ScanStats()
        XCTAssertThrowsError(try store.scan("C", ScanRequest(), stats: &st) { _ in }) { e in
            XCTAssertTrue("\(e)".contains(seg.file), "\(e)")
            XCTAssertTrue("\(e)".contains("checksum"), "\(e)")
        }
    }

    func testCorruptCatalogIsDetectedAndNamed() throws {
        do { // closed at the end of this scope, so the WAL is checkpointed into the catalog file
            let store = try Store(path: dir + "/store", create: true)
            _ = try store.ingest(paths: [write("k.jsonl", "{\"timestamp\":\"2025-01-01T00:00:00Z\",\"v\":1}\n")], options: IngestOptions(table: "K"))
        }
        let catalog = dir + "/store/catalog.sqlite"
        // Overwrite the SQLite header: the store must refuse to open with an error naming the catalog, not crash.
        let fh = FileHandle(forUpdatingAtPath: catalog)!
        try fh.seek(toOffset: 0)
        try fh.write(contentsOf: Data(repeating: 0x5A, count: 100))
        try fh.close()
        XCTAssertThrowsError(try Store(path: dir + "/store")) { e in
            XCTAssertTrue("\(e)".contains(catalog), "\(e)")
        }
        // The segment files themselves are untouched.
        let segs = try FileManager.default.subpathsOfDirectory(atPath: dir + "/store/segments").filter { $0.hasSuffix(".seg") }
        XCTAssertEqual(segs.count, 1)
    }

    func testBloomFiltersPruneSegmentsOnStringEquality() throws {
        var rng = EncodingTests.RNG(s: 8)
        let ids = (0..<8000).map { _ in String(format: "%016llx%016llx", rng.next(), rng.next()) }
        let f = write("ids.jsonl", ids.enumerated().map { "{\"timestamp\":\"2025-01-01T00:00:00Z\",\"i\":\($0.offset),\"op\":\"\($0.element)\"}" }.joined(separator: "\n"))
        let store = try Store(path: dir + "/store", create: true)
        var o = IngestOptions(table: "T"); o.segmentRows = 2000
        _ = try store.ingest(paths: [f], options: o)
        let total = try store.segments(of: "T").count
        XCTAssertGreaterThanOrEqual(total, 4)
        var falsePositives = 0
        for id in ids.prefix(50) {
            let (kept, pruned) = try store.plan("T", ScanRequest(predicates: [.stringEquals(column: "op", value: id)]))
            XCTAssertEqual(kept.count + pruned, total)
            XCTAssertGreaterThanOrEqual(kept.count, 1, "the segment holding \(id) must be kept")
            falsePositives += kept.count - 1
        }
        // 3 probes at 8 bits a value: about 3% per segment.
        XCTAssertLessThan(falsePositives, 50 * (total - 1) / 8)
        let (absent, _) = try store.plan("T", ScanRequest(predicates: [.stringEquals(column: "op", value: "not-an-id")]))
        XCTAssertLessThanOrEqual(absent.count, 1)
    }

    func testOversizeLinesAreRejectedOrKeptWithStringsCut() throws {
        let big = String(repeating: "x", count: 3_000_000)
        let f = write("big.jsonl", """
        {"timestamp":"2025-01-01T00:00:00Z","message":"éééééééé\(big)","n":1}
        {"timestamp":"2025-01-01T00:00:01Z","message":"short","n":2}
        """)
        let a = try Store(path: dir + "/a", create: true)
        let ra = try a.ingest(paths: [f])
        XCTAssertEqual(ra[0].rows, 1)
        XCTAssertEqual(ra[0].firstRejects.map(\.reason), ["line longer than 1048576 bytes"])
        let b = try Store(path: dir + "/b", create: true)
        var o = IngestOptions(); o.maxStringBytes = 15
        let rb = try b.ingest(paths: [f], options: o)
        XCTAssertEqual(rb[0].rows, 2)
        XCTAssertEqual(rb[0].rejected, 0)
        XCTAssertEqual(rb[0].truncated, 1)
        XCTAssertEqual(rb[0].firstTruncations.map { "\($0.line): \($0.reason)" }, ["1: kept with strings cut to 15 bytes: 'message' from 3000016 bytes"])
        let rows = try all(b, "big")
        // cut at a character boundary: seven two-byte characters, not half of the eighth
        XCTAssertEqual(rows.column(named: "message")!.v(0), .string("ééééééé"))
        XCTAssertEqual(rows.column(named: "message")!.v(1), .string("short"))
    }

    func testTermFiltersPruneSegmentsForHas() throws {
        // 4 segments of 1,024 log lines; "deadlock" appears only in the third, "Timeout" in the first and last.
        var lines: [String] = []
        for seg in 0..<4 {
            for i in 0..<1024 {
                var msg = "worker-\(seg * 1024 + i) handled job \(i % 37) in \(i % 91)ms"
                if seg == 2 && i == 250 { msg = "DB error: Deadlock detected on orders (retry 3)" }
                if (seg == 0 || seg == 3) && i % 50 == 0 { msg = "upstream call failed: Timeout after 30s" }
                lines.append("{\"timestamp\":\"2025-01-0\(seg + 1)T00:00:00Z\",\"message\":\"\(msg)\"}")
            }
        }
        let f = write("log.jsonl", lines.joined(separator: "\n"))
        let store = try Store(path: dir + "/store", create: true)
        var o = IngestOptions(table: "T"); o.segmentRows = 1024
        _ = try store.ingest(paths: [f], options: o)
        XCTAssertEqual(try store.segments(of: "T").map(\.rows), [1024, 1024, 1024, 1024])
        func kept(_ needle: String) throws -> [Int] {
            let (k, pruned) = try store.plan("T", ScanRequest(predicates: [.hasTerms(column: "message", terms: TermFilter.terms(of: needle))]))
            XCTAssertEqual(k.count + pruned, 4)
            return k.map { Int(($0.minTime! - Ticks.parseDatetime("2025-01-01")!) / Ticks.perDay) }
        }
        XCTAssertEqual(TermFilter.terms(of: "Deadlock detected!"), ["deadlock", "detected"])
        XCTAssertEqual(try kept("deadlock"), [2])
        XCTAssertEqual(try kept("DEADLOCK detected"), [2])
        XCTAssertEqual(try kept("timeout"), [0, 3])
        XCTAssertEqual(try kept("worker-4000"), [3])
        XCTAssertEqual(try kept("no-such-word-anywhere"), [])
        // a term is whole: "dead" is not a term of "Deadlock"
        XCTAssertEqual(try kept("dead"), [])
    }

    func testGeneratorIsDeterministicAndRoundTrips() throws {
        var o = TelemetryGenerator.Options()
        o.rows = 2000; o.seed = 5
        _ = try TelemetryGenerator(options: o).write(to: dir + "/a")
        _ = try TelemetryGenerator(options: o).write(to: dir + "/b")
        for t in TelemetryGenerator.tables {
            let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/a/\(t).jsonl")), b = try Data(contentsOf: URL(fileURLWithPath: dir + "/b/\(t).jsonl"))
            XCTAssertEqual(a, b, t)
        }
        // Pin the bytes: a change to the generator must be deliberate.
        let req = try Data(contentsOf: URL(fileURLWithPath: dir + "/a/requests.jsonl"))
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in req { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
        XCTAssertEqual(String(h, radix: 16), GeneratorPin.requestsHash, "requests.jsonl changed; update GeneratorPin if intended")
        let store = try Store(path: dir + "/store", create: true)
        let r = try store.ingest(paths: [dir + "/a"])
        XCTAssertEqual(r.reduce(0) { $0 + $1.rejected }, 0)
        XCTAssertEqual(try store.rowCount(of: "requests"), 2000)
        XCTAssertEqual(try store.rowCount(of: "exceptions"), 200)
        XCTAssertEqual(try store.tableNames().sorted(), TelemetryGenerator.tables.sorted())
    }
}

enum GeneratorPin { static let requestsHash = "6f6f854f732b2950" }

/// A test-side view of one cell (QueryLang's Value is not visible here).
enum V: Equatable {
    case null, bool(Bool), long(Int64), real(Double), string(String)
    var asString: String { if case .string(let s) = self { return s }; return "\(self)" }
}

extension Column {
    func v(_ i: Int) -> V {
        if isNull(i) { return .null }
        switch storage {
        case .int64(let x): return type == .bool ? .bool(x[i] != 0) : .long(x[i])
        case .float64(let x): return .real(x[i])
        case .bytes(let s): return .string(s.string(i))
        }
    }
}
