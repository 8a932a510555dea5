import Foundation
import XCTest

/// `logq verify` and `logq repair` end to end, and queries on a store that cannot be written.
final class VerifyRepairTests: XCTestCase {
    typealias Run = ProcessRun

    func run(_ exe: String, _ args: [String]) throws -> Run { try runProcess(args, executable: exe) }
    func logq(_ args: String...) throws -> Run { try run(CLITests.binary, args) }

    var tmp = ""
    var store: String { tmp + "/s" }
    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary) else { XCTFail("logq binary not built at \(CLITests.binary)"); return }
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("logq-verify-\(UUID())").path
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }
    override func tearDown() {
        _ = try? run("/bin/chmod", ["-R", "u+w", tmp])
        try? FileManager.default.removeItem(atPath: tmp)
    }

    /// Table A from three files (three segments of 2, 3 and 4 rows, one per day), table B from one.
    /// Returns A's segment files in time order (relative to the store).
    func makeStore() throws -> [String] {
        for (day, n) in [(1, 2), (2, 3), (3, 4)] {
            let lines = (0..<n).map { "{\"timestamp\":\"2025-01-0\(day)T00:00:0\($0)Z\",\"v\":\"a\(day)-\($0)\"}" }
            try (lines.joined(separator: "\n") + "\n").write(toFile: tmp + "/A\(day).jsonl", atomically: true, encoding: .utf8)
        }
        try "{\"timestamp\":\"2025-01-01T00:00:00Z\",\"w\":1}\n".write(toFile: tmp + "/B.jsonl", atomically: true, encoding: .utf8)
        // One run per file: their segments' names then sort in day order (one run may write files in parallel).
        for day in 1...3 { XCTAssertEqual(try logq("ingest", "--store", store, "--table", "A", tmp + "/A\(day).jsonl").code, 0) }
        XCTAssertEqual(try logq("ingest", "--store", store, "--table", "B", tmp + "/B.jsonl").code, 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: store + "/segments/A").sorted()
        XCTAssertEqual(files.count, 3)
        return files.map { "segments/A/" + $0 }
    }

    func testVerifyCleanStore() throws {
        _ = try makeStore()
        let v = try logq("verify", "--store", store)
        XCTAssertEqual(v.code, 0, v.err)
        XCTAssertEqual(v.out, "")
        XCTAssertEqual(v.err, "logq verify: ok: 4 segments in 2 tables\n")
        let r = try logq("repair", "--store", store)
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertEqual(r.err, "logq repair: nothing to repair (4 segments verified)\n")
        let help = try logq("--help").out
        XCTAssertTrue(help.contains("  verify ") && help.contains("  repair "), help)
    }

    /// One damaged and one missing segment made the whole table unqueryable; verify names both,
    /// repair quarantines them with the loss stated, and the rest of the table answers.
    func testRepairQuarantinesDamagedSegments() throws {
        let files = try makeStore()
        // Flip bytes inside the first segment's first column block; delete the second.
        let h = try XCTUnwrap(FileHandle(forUpdatingAtPath: store + "/" + files[0]))
        try h.seek(toOffset: 24); h.write(Data([0xFF, 0xFF, 0xFF])); try h.close()
        try FileManager.default.removeItem(atPath: store + "/" + files[1])
        let q = try logq("query", "--store", store, "A | count")
        XCTAssertEqual(q.code, 1, q.err)
        XCTAssertTrue(q.err.contains("LQ3003"), q.err)

        let v = try logq("verify", "--store", store)
        XCTAssertEqual(v.code, 1, v.err)
        let lines = v.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, v.out)
        XCTAssertTrue(lines.contains { $0.hasPrefix("A\t") && $0.contains("\t\(files[0])\tcorrupt at offset ") && $0.hasSuffix("block checksum mismatch") }, v.out)
        XCTAssertTrue(lines.contains { $0.hasPrefix("A\t") && $0.hasSuffix("\t\(files[1])\tfile is missing or unreadable: No such file or directory") }, v.out)
        XCTAssertEqual(v.err, "logq verify: 2 problems (2 damaged segments) in 4 segments in 2 tables; run 'logq repair --store \(store)'\n")

        let r = try logq("repair", "--store", store)
        XCTAssertEqual(r.code, 0, r.err)
        let actions = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(actions.count, 2, r.out)
        let moved = "quarantine/" + files[0].dropFirst("segments/".count)
        XCTAssertTrue(actions.contains { $0.hasPrefix("quarantined\tA\t") && $0.contains("\t\(files[0])\t2 rows lost from A: corrupt at offset ")
            && $0.hasSuffix("(file moved to \(moved))") }, r.out)
        XCTAssertTrue(actions.contains { $0.hasPrefix("quarantined\tA\t") && $0.contains("\t\(files[1])\t3 rows lost from A: file is missing")
            && $0.hasSuffix("(file was missing)") }, r.out)
        XCTAssertEqual(r.err, "logq repair: 2 segments quarantined (5 rows from A lost), 0 entries rebuilt, 0 orphan files moved; the store verifies clean\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: store + "/" + moved))

        let after = try logq("query", "--store", store, "--format", "csv", "A | summarize n = count(), v = make_set(v)")
        XCTAssertEqual(after.code, 0, after.err)
        XCTAssertTrue(after.out.hasPrefix("n,v\n4,"), after.out)
        XCTAssertEqual(try logq("verify", "--store", store).code, 0)
        XCTAssertEqual(try logq("query", "--store", store, "--format", "csv", "B | count").out, "Count\n1\n")
    }

    /// A catalog entry damaged in place (the file is fine) is rebuilt from the file, with no loss;
    /// before the repair the damaged time range was already not trusted.
    func testRepairRebuildsDamagedEntryAndMovesOrphans() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") else { throw XCTSkip("needs the sqlite3 shell") }
        let files = try makeStore()
        let sql = try run("/usr/bin/sqlite3", [store + "/catalog.sqlite", "UPDATE segments SET max_time = min_time WHERE file = '\(files[2].dropFirst("segments/".count))'"])
        XCTAssertEqual(sql.code, 0, sql.err)
        try FileManager.default.copyItem(atPath: store + "/" + files[0], toPath: store + "/segments/A/stray.seg")
        let q = "A | where timestamp > datetime(2025-01-03 00:00:01) | count"
        let damaged = try logq("query", "--store", store, "--format", "csv", q)
        XCTAssertEqual(damaged.out, "Count\n2\n")
        XCTAssertTrue(damaged.err.contains("logq: warning: segment ") && damaged.err.contains(" of table A (\(files[2].dropFirst("segments/".count))): catalog entry fails its checksum (row count, time range, size or file checksum); it was read whole, without pruning (run 'logq verify')\n"), damaged.err)
        let v = try logq("verify", "--store", store)
        XCTAssertEqual(v.code, 1)
        XCTAssertTrue(v.out.contains("\t\(files[2])\tcatalog entry fails its checksum (row count, time range, size or file checksum)\n"), v.out)
        XCTAssertTrue(v.out.contains("A\t-\tsegments/A/stray.seg\tfile is not listed in the catalog\n"), v.out)
        let r = try logq("repair", "--store", store)
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertTrue(r.out.contains("rebuilt\tA\t"), r.out)
        XCTAssertTrue(r.out.contains("orphan\tA\t-\tsegments/A/stray.seg\tmoved to quarantine/A/stray.seg, no rows lost"), r.out)
        XCTAssertEqual(r.err, "logq repair: 0 segments quarantined, 1 entries rebuilt, 1 orphan files moved; the store verifies clean\n")
        let repaired = try logq("query", "--store", store, "--format", "csv", q)
        XCTAssertEqual(repaired.out, "Count\n2\n")
        XCTAssertEqual(repaired.err, "")
        XCTAssertEqual(try logq("query", "--store", store, "--format", "csv", "A | count").out, "Count\n9\n")
    }

    /// Queries, tables and verify work on a store nobody can write (as root chmod does not bind,
    /// and this checks that the read-only commands leave the store unchanged).
    func testQueriesOnReadOnlyStore() throws {
        _ = try makeStore()
        _ = try logq("query", "--store", store, "A | count") // let the writer's WAL settle
        XCTAssertEqual(try run("/bin/chmod", ["-R", "a-w", store]).code, 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: store).sorted()
        let q = try logq("query", "--store", store, "--format", "csv", "union A, B | count")
        XCTAssertEqual(q.code, 0, q.err)
        XCTAssertEqual(q.out, "Count\n10\n")
        XCTAssertEqual(try logq("tables", "--store", store).code, 0)
        XCTAssertEqual(try logq("schema", "--store", store, "A").code, 0)
        let rj = try logq("rejects", "--store", store)
        XCTAssertEqual(rj.code, 0, rj.err)
        XCTAssertEqual(try logq("verify", "--store", store).code, 0)
        if access(store, W_OK) != 0 {
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store).sorted(), before)
        }
    }
}
