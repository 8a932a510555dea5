import Foundation
import XCTest
@testable import LogStore
@testable import QueryLang
import TelemetryGenerator

/// logq against SQLite (an independent engine) on seeded random data, and against itself with the
/// data cut into one segment or many (the answer must not depend on the storage layout).
final class DifferentialTests: XCTestCase {
    struct RNG { var s: UInt64; mutating func next() -> UInt64 { s &+= 0x9E37_79B9_7F4A_7C15; var z = s; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; return z ^ (z >> 27) } }

    /// Every join kind gives the same rows whichever side is built into the hash table (keys
    /// repeat on both sides, some are null, some match nothing).
    func testJoinsAgreeWhicheverSideIsHashed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-join-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store(path: dir, create: true)
        var rng = RNG(s: 5)
        func table(_ n: Int, _ keys: UInt64) -> String {
            (0..<n).map { i in
                let k = rng.next() % 7 == 0 ? "long(null)" : String(rng.next() % keys)
                return "\(k), \"v\(i)\""
            }.joined(separator: ", ")
        }
        let l = "datatable(k:long, a:string) [\(table(40, 12))]", r = "datatable(k:long, b:string) [\(table(300, 15))]"
        var left = ExecutionOptions(); left.joinBuildSide = .left
        var right = ExecutionOptions(); right.joinBuildSide = .right
        for kind in ["innerunique", "inner", "leftouter", "rightouter", "fullouter", "leftsemi", "leftanti", "rightsemi", "rightanti"] {
            let q = try QueryEngine.compile("let L = \(l); let R = \(r); L | join kind=\(kind) R on k", store: store)
            let a = try q.run(options: left), b = try q.run(options: right), auto = try q.run()
            func rows(_ t: ResultTable) -> [String] {
                (0..<t.rowCount).map { i in t.columns.map { ResultFormatter.text($0, i) }.joined(separator: "|") }.sorted()
            }
            XCTAssertEqual(a.names, b.names, kind)
            XCTAssertEqual(rows(a), rows(b), kind)
            XCTAssertEqual(rows(auto), rows(b), kind)
            XCTAssertGreaterThan(a.rowCount, 0, kind)
        }
    }

    /// Metamorphic: the planner's rewrites, the predicates on encoded data, and per-worker
    /// aggregation change no result, on generated telemetry in many segments: the runbook
    /// queries, every saved query, and lookups, windows and joins.
    func testRewritesEncodedPredicatesAndParallelismChangeNoResult() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-meta-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var g = TelemetryGenerator.Options(); g.rows = 12_000
        let m = try TelemetryGenerator(options: g).write(to: dir + "/data")
        let store = try Store(path: dir + "/s", create: true)
        var o = IngestOptions(); o.segmentRows = 1_500
        _ = try store.ingest(paths: [dir + "/data"], options: o)
        XCTAssertGreaterThan(try store.segments(of: "requests").count, 5)
        let from = Ticks.formatDatetime(m.incidentStart), to = Ticks.formatDatetime(m.incidentEnd)
        let some = try QueryEngine.compile("requests | where success == false | take 1 | project id, operation_Id, cloud_RoleInstance", store: store).run()
        let id = ResultFormatter.text(some.columns[0], 0), op = ResultFormatter.text(some.columns[1], 0)
        var queries: [(String, [String: Value])] = [
            ("requests | summarize TotalRequests=count(), FailedRequests=sum(itemCount) by bin(timestamp, 5m)", [:]),
            ("requests | summarize AvgDuration=avg(duration), P95=percentile(duration, 95), P99=percentile(duration, 99) by name", [:]),
            ("dependencies | summarize AvgDuration=avg(duration), ErrorCount=count() by type, name", [:]),
            ("exceptions | summarize ErrorCount=count() by type, method | order by ErrorCount desc, type asc, method asc", [:]),
            ("customEvents | where name == \"ProjectCreated\" or name == \"KnowledgeExtracted\" | summarize Count=count() by name, tostring(customDimensions.eventId)", [:]),
            ("requests | where timestamp between (datetime(\(from)) .. datetime(\(to))) and success == false | summarize count() by resultCode, cloud_RoleInstance", [:]),
            ("traces | where message has \"timeout\" | count", [:]),
            ("requests | summarize o = binary_all_or(tolong(duration) % 64), a = binary_all_and(tolong(duration) + 1024), x = binary_all_xor(itemCount) by name", [:]),
            ("requests | where operation_Id == \"\(m.needleOperationId)\"", [:]),
            ("requests | where id == \"\(id)\" or name == \"x\" | project timestamp, name, id", [:]),
            ("requests | where id == \"\(id)\" and timestamp > datetime(\(from)) - 3d | project timestamp, name, id", [:]),
            ("requests | where timestamp >= datetime(\(from)) and timestamp < datetime(\(to)) | where name startswith \"GET\" | summarize n = count(), d = max(duration) by name | order by name asc", [:]),
            ("requests | where timestamp > datetime(\(from)) | take 7 | project timestamp, id", [:]),
            ("exceptions | where operation_Id == \"\(op)\" | join kind=leftouter (requests | project operation_Id, name, success) on operation_Id | project type, name, success", [:]),
            ("requests | where success == false | join kind=inner (exceptions | project operation_Id, type) on operation_Id | summarize count() by type, cloud_RoleInstance | order by type asc, cloud_RoleInstance asc", [:]),
        ]
        let saved = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../queries")
        for f in try FileManager.default.contentsOfDirectory(atPath: saved.path).filter({ $0.hasSuffix(".kql") }).sorted() {
            queries.append((try String(contentsOf: saved.appendingPathComponent(f), encoding: .utf8),
                            ["window_start": .string(from), "window_end": .string(to)]))
        }
        XCTAssertGreaterThan(queries.count, 20)
        func table(_ text: String, _ params: [String: Value], rewrite: Bool, _ e: ExecutionOptions) throws -> [String] {
            var c = CompileOptions(); c.parameters = params; c.rewrite = rewrite
            let r = try QueryEngine.compile(text, store: store, options: c).run(options: e)
            // Sums of reals depend on the order they are added in (per worker, then merged): compared to 10 digits.
            func cell(_ c: Column, _ i: Int) -> String {
                c.type == .real && !c.isNull(i) ? String(format: "%.10g", c.float64Values[i]) : ResultFormatter.text(c, i)
            }
            return [zip(r.names, r.types).map { "\($0):\($1.name)" }.joined(separator: "|")]
                + (0..<r.rowCount).map { i in r.columns.map { cell($0, i) }.joined(separator: "|") }
        }
        var plain = ExecutionOptions(); plain.encodedPredicates = false
        var sequential = ExecutionOptions(); sequential.parallelAggregation = false
        var neither = ExecutionOptions(); neither.encodedPredicates = false; neither.parallelAggregation = false
        var nonEmpty = 0
        for (q, params) in queries {
            let reference = try table(q, params, rewrite: true, ExecutionOptions())
            if reference.count > 1 { nonEmpty += 1 }
            XCTAssertEqual(try table(q, params, rewrite: false, ExecutionOptions()), reference, "rewrites off: \(q)")
            XCTAssertEqual(try table(q, params, rewrite: true, plain), reference, "encoded predicates off: \(q)")
            XCTAssertEqual(try table(q, params, rewrite: true, sequential), reference, "sequential: \(q)")
            XCTAssertEqual(try table(q, params, rewrite: false, neither), reference, "all off: \(q)")
        }
        XCTAssertGreaterThan(nonEmpty, queries.count * 3 / 4)
    }

    func testQuickselectMatchesSort() {
        var rng = RNG(s: 1)
        for _ in 0..<200 {
            let n = 1 + Int(rng.next() % 300)
            let a = (0..<n).map { _ in Int64(rng.next() % 50) - 25 }
            let sorted = a.sorted()
            var b = a
            var lo = 0
            for k in [Int(rng.next() % UInt64(n)), n - 1].sorted() where k >= lo {
                Selection.select(&b, k, from: lo)
                XCTAssertEqual(b[k], sorted[k])
                lo = k
            }
        }
    }

    func testSummarizeAgreesWithSQLiteAndAcrossSegmentLayouts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-diff-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var rng = RNG(s: 77)
        var lines: [String] = []
        let db = try Database(path: ":memory:")
        try db.exec("CREATE TABLE t(ts INTEGER, k TEXT, v INTEGER, r REAL, id TEXT, id2 TEXT, vid TEXT, msg TEXT)")
        let ins = try db.prepare("INSERT INTO t VALUES (?,?,?,?,?,?,?,?)")
        // Strings in each encoding: k (dictionary), id and id2 (hex of even and odd length:
        // fixed-length nibbles), vid (hex of varying length: nibbles), msg (plain bytes).
        var ids: [(String, String, String, String)] = []
        for i in 0..<6000 {
            let k = "key\(rng.next() % 23)"
            let v: Int64? = rng.next() % 10 == 0 ? nil : Int64(rng.next() % 1000) - 300
            let r = Double(rng.next() % 100_000) / 100
            let ts = 1_700_000_000 + i * 7
            let id = String(format: "%016llx", rng.next()), id2 = String(String(format: "%016llx", rng.next()).dropFirst())
            let vid = String(String(rng.next(), radix: 16).prefix(1 + Int(rng.next() % 3)))
            let msg = "request \(rng.next() % 100_000) took \(i % 97) ms"
            ids.append((id, id2, vid, msg))
            lines.append("{\"ts\":\"\(Ticks.formatDatetime(Ticks.fromUnixSeconds(Double(ts))))\",\"k\":\"\(k)\",\"v\":\(v.map(String.init) ?? "null"),\"r\":\(r),\"id\":\"\(id)\",\"id2\":\"\(id2)\",\"vid\":\"\(vid)\",\"msg\":\"\(msg)\"}")
            try ins.bind(.int(Int64(ts)), .text(k), v.map { .int($0) } ?? .null, .real(r), .text(id), .text(id2), .text(vid), .text(msg)).run()
        }
        try lines.joined(separator: "\n").write(toFile: dir + "/t.jsonl", atomically: true, encoding: .utf8)
        let one = try Store(path: dir + "/one", create: true)
        _ = try one.ingest(paths: [dir + "/t.jsonl"], options: IngestOptions(table: "t"))
        let many = try Store(path: dir + "/many", create: true)
        var o = IngestOptions(table: "t"); o.segmentRows = 1000
        _ = try many.ingest(paths: [dir + "/t.jsonl"], options: o)
        XCTAssertEqual(try one.segments(of: "t").count, 1)
        XCTAssertGreaterThan(try many.segments(of: "t").count, 4)

        let kql = "t | where r > 100 | summarize n = count(), nv = count(v), s = sum(v), lo = min(v), hi = max(v), d = dcount(v), a = avg(r) by k | order by k asc"
        let sql = "SELECT k, count(*), count(v), coalesce(sum(v), 0), min(v), max(v), count(DISTINCT v), avg(r) FROM t WHERE r > 100 GROUP BY k ORDER BY k"
        var expected: [[String]] = []
        let st = try db.prepare(sql)
        while try st.step() {
            expected.append([st.text(0), String(st.int(1)), String(st.int(2)), String(st.int(3)),
                             st.isNull(4) ? "" : String(st.int(4)), st.isNull(5) ? "" : String(st.int(5)), String(st.int(6)),
                             String(format: "%.6f", st.real(7))])
        }
        XCTAssertEqual(expected.count, 23)
        for store in [one, many] {
            let r = try QueryEngine.compile(kql, store: store).run()
            var got: [[String]] = []
            for i in 0..<r.rowCount {
                var row = (0..<7).map { ResultFormatter.text(r.columns[$0], i) }
                row.append(String(format: "%.6f", r.columns[7].float64Values[i]))
                got.append(row)
            }
            XCTAssertEqual(got, expected)
        }
        // A time window that cuts segments, with string comparisons evaluated on dictionary codes
        // (kept as codes for the group key, expanded for `project`).
        let wFrom = 1_700_000_000 + 1234 * 7, wTo = 1_700_000_000 + 4321 * 7
        let window = "ts between (datetime(\(Ticks.formatDatetime(Ticks.fromUnixSeconds(Double(wFrom))))) .. datetime(\(Ticks.formatDatetime(Ticks.fromUnixSeconds(Double(wTo))))))"
        for (kql, sql) in [
            ("t | where \(window) and (k == \"key3\" or k != \"key5\") | summarize n = count(), s = sum(v) by k | order by k asc",
             "SELECT k, count(*), coalesce(sum(v), 0) FROM t WHERE ts BETWEEN \(wFrom) AND \(wTo) AND (k = 'key3' OR k <> 'key5') GROUP BY k ORDER BY k"),
            ("t | where \(window) and k == \"key7\" | project k, v | order by v asc nulls first",
             "SELECT k, v FROM t WHERE ts BETWEEN \(wFrom) AND \(wTo) AND k = 'key7' ORDER BY v NULLS FIRST"),
            ("t | where \(window) and (k startswith \"KEY1\" or k endswith \"7\") | summarize n = count() by k | order by k asc",
             "SELECT k, count(*) FROM t WHERE ts BETWEEN \(wFrom) AND \(wTo) AND (k LIKE 'key1%' OR k LIKE '%7') GROUP BY k ORDER BY k"),
            ("t | where k in (\"key2\", \"key20\") or strlen(k) == 5 | summarize n = count(), s = sum(v) by k | order by k asc",
             "SELECT k, count(*), coalesce(sum(v), 0) FROM t WHERE k IN ('key2', 'key20') OR length(k) = 5 GROUP BY k ORDER BY k"),
            // Lookups by a string, found in each encoding without expanding the column.
            ("t | where id == \"\(ids[4321].0)\" | project k, v, id",
             "SELECT k, v, id FROM t WHERE id = '\(ids[4321].0)'"),
            ("t | where \(window) and id2 == \"\(ids[2000].1)\" and isnotnull(r) | project k, id2",
             "SELECT k, id2 FROM t WHERE ts BETWEEN \(wFrom) AND \(wTo) AND id2 = '\(ids[2000].1)'"),
            ("t | where id2 == \"\(ids[5999].1)\" or id == \"x\" | project id2",
             "SELECT id2 FROM t WHERE id2 = '\(ids[5999].1)' OR id = 'x'"),
            ("t | where vid == \"\(ids[99].2)\" | summarize n = count() by k | order by k asc",
             "SELECT k, count(*) FROM t WHERE vid = '\(ids[99].2)' GROUP BY k ORDER BY k"),
            ("t | where msg == \"\(ids[2500].3)\" and r >= 0 | project k, msg",
             "SELECT k, msg FROM t WHERE msg = '\(ids[2500].3)' AND r >= 0"),
            ("t | where \(window) and id == \"\(ids[10].0)\" | count",
             "SELECT count(*) FROM t WHERE ts BETWEEN \(wFrom) AND \(wTo) AND id = '\(ids[10].0)'"),
            ("t | where id == \"0123\" or k == \"key2\" and msg == \"none\" | count", "SELECT 0"),
            ("t | where k != \"key1\" and r < 20 | summarize n = count() by k, v | order by k asc, v asc nulls first",
             "SELECT k, count(*), v FROM t WHERE k <> 'key1' AND r < 20 GROUP BY k, v ORDER BY k, v NULLS FIRST"),
        ] {
            var want: [[String]] = []
            let st = try db.prepare(sql)
            while try st.step() { want.append((0..<st.columnCount).map { st.isNull($0) ? "" : st.text($0) }) }
            XCTAssertGreaterThan(want.count, 0, sql)
            for store in [one, many] {
                let r = try QueryEngine.compile(kql, store: store).run()
                var got = (0..<r.rowCount).map { i in r.columns.map { ResultFormatter.text($0, i) } }
                if kql.contains("by k, v") { got = got.map { [$0[0], $0[2], $0[1]] } }
                XCTAssertEqual(got, want, kql)
            }
        }
        // Metamorphic: per-worker partial aggregation merged gives the same table, in the same
        // order (no order by), as one sequential pass; percentiles included.
        var sequential = ExecutionOptions(); sequential.parallelAggregation = false
        for q in ["t | summarize n = count(), s = sum(v), p = percentile(r, 90), lo = min(r), d = dcount(k) by k",
                  "t | where v > 0 | summarize c = countif(r > 500), hi = max(v), a = avg(v) by bin(ts, 1h), k",
                  "t | summarize count(), percentiles(v, 5, 50, 95)"] {
            let c = try QueryEngine.compile(q, store: many)
            let a = try c.run(), b = try c.run(options: sequential)
            XCTAssertEqual(a.rowCount, b.rowCount, q)
            XCTAssertGreaterThan(a.rowCount, 0, q)
            for i in 0..<a.rowCount {
                XCTAssertEqual(a.columns.map { ResultFormatter.text($0, i) }, b.columns.map { ResultFormatter.text($0, i) }, q)
            }
        }
        // take over a table decodes only the rows it keeps: same rows as through another operator
        // (with a time window: see CLITests).
        do {
            let direct = try QueryEngine.compile("t | take 1500", store: many).run()
            let viaExtend = try QueryEngine.compile("t | extend x = 1 | take 1500 | project-away x", store: many).run()
            XCTAssertEqual(direct.rowCount, 1500)
            XCTAssertEqual(direct.rowCount, viaExtend.rowCount)
            for i in 0..<direct.rowCount {
                XCTAssertEqual(direct.columns.map { ResultFormatter.text($0, i) }, viaExtend.columns.map { ResultFormatter.text($0, i) })
            }
        }
        // Time pruning and the exact window agree with SQLite too.
        let from = 1_700_000_000 + 1000 * 7, to = 1_700_000_000 + 4321 * 7
        let cq = try db.prepare("SELECT count(*) FROM t WHERE ts >= \(from) AND ts < \(to)")
        _ = try cq.step()
        for store in [one, many] {
            let q = "t | where ts >= datetime(\(Ticks.formatDatetime(Ticks.fromUnixSeconds(Double(from))))) and ts < datetime(\(Ticks.formatDatetime(Ticks.fromUnixSeconds(Double(to))))) | count"
            let r = try QueryEngine.compile(q, store: store).run()
            XCTAssertEqual(r.columns[0].int64Values[0], cq.int(0))
        }
    }

    /// dcount is exact up to 100,000 distinct values per group, then a HyperLogLog estimate.
    func testDcountIsExactThenEstimatesWithinOnePercentAndAHalf() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-dcount-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store(path: dir, create: true)
        let q = """
        range i from 1 to 400000 step 1
        | summarize exactInts = dcountif(i, i <= 100000), exactStrings = dcountif(tostring(i), i <= 100000),
                    ints = dcount(i), strings = dcount(strcat("user-", i)), reals = dcount(i * 0.5), few = dcount(i % 7)
        """
        let r = try QueryEngine.compile(q, store: store).run()
        let v = (0..<6).map { r.columns[$0].int64Values[0] }
        XCTAssertEqual(v[0], 100_000)
        XCTAssertEqual(v[1], 100_000)
        for est in v[2...4] { XCTAssertLessThan(abs(Double(est) - 400_000) / 400_000, 0.015, "\(v)") }
        XCTAssertEqual(v[5], 7)
        // Small counts in a sketch use linear counting.
        var h = HyperLogLog()
        for x in 0..<1000 { h.add(HyperLogLog.hash(Int64(x))) }
        XCTAssertLessThan(abs(Double(h.estimate) - 1000) / 1000, 0.02)
    }

    func testResultsAreTruncatedByRowsAndBytesWithAWarning() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-trunc-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store(path: dir, create: true)
        let q = try QueryEngine.compile("range i from 1 to 1000 step 1 | extend s = strcat('row-', i)", store: store)
        var o = ExecutionOptions(); o.maxResultBytes = 1000
        // 8 bytes for i, then "row-1" … : rows 1-9 take 13 bytes, rows 10-99 take 14
        let r = try q.run(options: o)
        XCTAssertEqual(r.rowCount, 9 + (1000 - 9 * 13) / 14)
        XCTAssertEqual(r.warnings, ["the result is larger than 1000 bytes; only the first \(r.rowCount) of 1000 rows are returned (Kusto's default limit; use --no-truncation to lift it)"])
        o.maxResultRows = 10
        XCTAssertEqual(try q.run(options: o).rowCount, 10)
        o.truncate = false
        XCTAssertEqual(try q.run(options: o).rowCount, 1000)
    }

    func testDynamicSubcolumnsMatchJSONExtraction() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-sub-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var rng = RNG(s: 5)
        let lines = (0..<3000).map { i -> String in
            let rare = rng.next() % 10 == 0 ? ",\"b\":\"rare\(rng.next() % 3)\"" : ""
            let a = rng.next() % 7 == 0 ? "null" : "\"v\(rng.next() % 5)\""
            return "{\"ts\":\"2025-01-01T00:00:00Z\",\"d\":{\"a\":\(a),\"n\":\(i % 4)\(rare)}}"
        }
        try lines.joined(separator: "\n").write(toFile: dir + "/t.jsonl", atomically: true, encoding: .utf8)
        let store = try Store(path: dir + "/s", create: true)
        var o = IngestOptions(table: "t"); o.segmentRows = 1000
        _ = try store.ingest(paths: [dir + "/t.jsonl"], options: o)
        XCTAssertEqual(try store.schema(of: "t")!.columns.map(\.name), ["ts", "d"], "sub-columns stay out of the schema")
        let seg = try store.segments(of: "t")[0]
        let footer = try SegmentReader(path: store.segmentsDirectory + "/" + seg.file).footer.columns.map(\.name)
        XCTAssertTrue(footer.contains(DynamicPaths.subcolumn("d", "a")), "\(footer)")
        XCTAssertFalse(footer.contains(DynamicPaths.subcolumn("d", "b")), "a rare key is not shredded")
        func rows(_ q: String) throws -> [String] {
            let r = try QueryEngine.compile(q, store: store).run()
            return (0..<r.rowCount).map { i in r.columns.map { ResultFormatter.text($0, i) }.joined(separator: "|") }
        }
        for key in ["a", "b", "n"] {
            let viaScan = try rows("t | where isnotnull(d.\(key)) | summarize c = count() by v = tostring(d.\(key)) | order by v asc")
            let viaJSON = try rows("t | extend x = d | where isnotnull(x.\(key)) | summarize c = count() by v = tostring(x.\(key)) | order by v asc")
            XCTAssertEqual(viaScan, viaJSON, key)
            XCTAssertFalse(viaScan.isEmpty, key)
        }
        XCTAssertTrue(try QueryEngine.compile("t | summarize count() by tostring(d.a)", store: store).explain().contains("columns=[d.a]"))
    }
}
