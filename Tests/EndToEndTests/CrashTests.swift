import Foundation
import XCTest
import LogStore

/// Kills `logq ingest` with SIGKILL at random moments and checks that the store always opens,
/// every committed batch is complete, nothing partial is visible, and a final run stores every
/// record exactly once. LOGQ_CRASH_ITERATIONS sets how many kills (default 24; 200 in the long
/// mode, LOGQ_LONG_TESTS=1, which `make test-long` sets).
final class CrashTests: XCTestCase {
    struct RNG { var s: UInt64; mutating func next() -> UInt64 { s &+= 0x9E37_79B9_7F4A_7C15; var z = s; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; return z ^ (z >> 27) } }

    func testKilledIngestNeverLosesOrDuplicates() throws {
        let bin = CLITests.binary
        guard FileManager.default.isExecutableFile(atPath: bin) else { XCTFail("logq not built at \(bin)"); return }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("logq-crash-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let gen = Process()
        gen.executableURL = URL(fileURLWithPath: bin)
        gen.arguments = ["generate", "--out", tmp + "/data", "--rows", "6000", "--seed", "9"]
        try gen.run(); gen.waitUntilExit()
        XCTAssertEqual(gen.terminationStatus, 0)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmp + "/data/manifest.json"))) as! [String: Any]
        let expected = manifest["rows"] as! [String: Int]
        let store = tmp + "/store"
        // Time a full ingest to spread the kills over its whole length.
        let t0 = Date()
        let full = Process()
        full.executableURL = URL(fileURLWithPath: bin)
        full.arguments = ["ingest", "--store", tmp + "/probe", tmp + "/data"]
        full.standardError = FileHandle.nullDevice
        try full.run(); full.waitUntilExit()
        let duration = max(Date().timeIntervalSince(t0), 0.2)

        var rng = RNG(s: 2024)
        let env = ProcessInfo.processInfo.environment
        let iterations = Int(env["LOGQ_CRASH_ITERATIONS"] ?? "") ?? (env["LOGQ_LONG_TESTS"] == "1" ? 200 : 24)
        var killedMidway = 0
        for k in 0..<iterations {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = ["ingest", "--store", store, tmp + "/data"]
            p.standardError = FileHandle.nullDevice
            try p.run()
            let delay = Double(rng.next() % 1000) / 1000 * duration * 1.1
            Thread.sleep(forTimeInterval: delay)
            var killed = false
            if p.isRunning { kill(p.processIdentifier, SIGKILL); killed = true; killedMidway += 1 }
            p.waitUntilExit()
            if killed && p.terminationReason == .uncaughtSignal {
                // Partial: every committed batch complete, nothing partial visible; the next run resumes on this store.
                try check(store: store, expected: expected, final: false, iteration: k)
            } else {
                // The run finished (possibly resuming a killed one): everything exactly once; start afresh.
                XCTAssertEqual(p.terminationStatus, 0, "iteration \(k)")
                try check(store: store, expected: expected, final: true, iteration: k)
                try FileManager.default.removeItem(atPath: store)
            }
        }
        XCTAssertGreaterThan(killedMidway, iterations / 3, "the kills should mostly land during ingest")
        let last = Process()
        last.executableURL = URL(fileURLWithPath: bin)
        last.arguments = ["ingest", "--store", store, tmp + "/data"]
        last.standardError = FileHandle.nullDevice
        try last.run(); last.waitUntilExit()
        XCTAssertEqual(last.terminationStatus, 0)
        try check(store: store, expected: expected, final: true, iteration: iterations)
    }

    func check(store path: String, expected: [String: Int], final: Bool, iteration: Int) throws {
        guard FileManager.default.fileExists(atPath: path + "/catalog.sqlite") else { return } // killed before the store existed
        let s = try Store(path: path)
        var referenced = Set<String>()
        for (table, rows) in expected {
            let n = try s.rowCount(of: table)
            // Each generated file is one table and one batch: all of it or none.
            if final { XCTAssertEqual(n, rows, "\(table) after the final run") }
            else { XCTAssertTrue(n == 0 || n == rows, "iteration \(iteration): \(table) has \(n) of \(rows) rows: a partial batch is visible") }
            for seg in try s.segments(of: table) {
                referenced.insert(seg.file)
                XCTAssertTrue(FileManager.default.fileExists(atPath: s.segmentsDirectory + "/" + seg.file), "iteration \(iteration): catalog lists missing \(seg.file)")
            }
            if n > 0 {
                var st = ScanStats()
                var count = 0
                try s.scan(table, ScanRequest(columns: [s.schema(of: table)!.columns[0].name]), stats: &st) { count += $0.count }
                XCTAssertEqual(count, n)
            }
        }
        // Opening removed the files of batches that never committed.
        let onDisk = (FileManager.default.enumerator(atPath: s.segmentsDirectory)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".seg") || $0.hasSuffix(".tmp") }
        XCTAssertEqual(Set(onDisk), referenced, "iteration \(iteration): orphan segment files remain")
    }

    func testMissingSegmentFailsOnlyItsTable() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("logq-missing-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        try "{\"timestamp\":\"2025-01-01T00:00:00Z\",\"a\":1}\n".write(toFile: tmp + "/A.jsonl", atomically: true, encoding: .utf8)
        try "{\"timestamp\":\"2025-01-01T00:00:00Z\",\"b\":2}\n".write(toFile: tmp + "/B.jsonl", atomically: true, encoding: .utf8)
        let s = try Store(path: tmp + "/store", create: true)
        _ = try s.ingest(paths: [tmp + "/A.jsonl", tmp + "/B.jsonl"])
        let seg = try s.segments(of: "A")[0]
        try FileManager.default.removeItem(atPath: s.segmentsDirectory + "/" + seg.file)
        var st = ScanStats()
        XCTAssertThrowsError(try s.scan("A", ScanRequest(), stats: &st) { _ in }) { e in
            XCTAssertTrue("\(e)".contains(seg.file), "\(e)")
        }
        var rows = 0
        try s.scan("B", ScanRequest(), stats: &st) { rows += $0.count }
        XCTAssertEqual(rows, 1)
    }
}
