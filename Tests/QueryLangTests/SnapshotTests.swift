import Foundation
import XCTest
import LogStore
@testable import QueryLang

/// One catalog snapshot per query: while batches that each write two tables (the same number of
/// rows in both) are ingested, `union`, `join` and `toscalar` queries over both tables always see
/// equal counts. Before snapshots, each scan read the catalog separately and about one `union`
/// in five saw a batch in one table and not the other.
final class SnapshotTests: XCTestCase {
    var tmp = ""
    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("logq-snapshot-\(UUID())").path
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: tmp) }

    /// One file with `n` records routed to table A and `n` to table B (by `Type`).
    func writeBatch(_ i: Int, rows n: Int) throws -> String {
        var text = ""
        for j in 0..<n {
            for t in ["A", "B"] {
                text += "{\"Type\":\"\(t)\",\"timestamp\":\"2025-01-01T00:00:\(String(format: "%02d", j % 60))Z\",\"batch\":\(i),\"v\":\(j)}\n"
            }
        }
        let path = tmp + "/batch\(i).jsonl"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func ints(_ r: ResultTable, _ column: Int) -> [Int64] { (0..<r.rowCount).map { r.columns[column].int64Values[$0] } }

    func testQueriesOverTwoTablesSeeWholeBatches() throws {
        let path = tmp + "/store"
        let writer = try Store(path: path, create: true)
        _ = try writer.ingest(paths: [try writeBatch(0, rows: 5)])
        let batches = 40
        var sizes: [Int] = [5]
        var paths: [String] = []
        for i in 1...batches { sizes.append(1 + (i * 37) % 200); paths.append(try writeBatch(i, rows: sizes[i])) }
        let files = paths

        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var error: Error? }
        let failure = Box()
        Thread.detachNewThread {
            do { for f in files { _ = try writer.ingest(paths: [f]) } } catch { failure.error = error }
            done.signal()
        }
        // Readers in "another process" (their own Store) and in the writer's own process.
        let reader = try Store(path: path, readOnly: true, housekeeping: false)
        let queries = [
            "union withsource=T A, B | summarize c = count() by T | order by T asc | project c",
            "A | summarize a = count() | extend k = 1 | join kind=inner (B | summarize b = count() | extend k = 1) on k | project a, b",
            "print a = toscalar(A | count), b = toscalar(B | count)",
        ]
        var iterations = 0, disagreements: [String] = [], totals = Set<Int64>()
        var finished = false
        while iterations < 3000 {
            if !finished, done.wait(timeout: .now()) == .success { finished = true }
            if finished && iterations % queries.count == 0 { break }
            let store = iterations % 4 == 3 ? writer : reader
            let q = queries[iterations % queries.count]
            let r = try QueryEngine.compile(q, store: store).run()
            let pair: [Int64] = r.rowCount == 2 ? ints(r, 0) : [ints(r, 0)[0], ints(r, 1)[0]]
            if pair[0] != pair[1] { disagreements.append("\(q): \(pair)") }
            totals.insert(pair[0])
            iterations += 1
        }
        XCTAssertNil(failure.error)
        XCTAssertTrue(finished, "the writer did not finish within the iterations")
        XCTAssertEqual(disagreements, [])
        // The queries ran while batches landed (several distinct totals), and the last saw them all.
        XCTAssertGreaterThan(totals.count, 3, "\(totals)")
        let final = try QueryEngine.compile(queries[0], store: reader).run()
        let all = Int64(sizes.reduce(0, +))
        XCTAssertEqual(ints(final, 0), [all, all])
    }

    /// Every scan of one run reads one snapshot, even when the catalog changes in between.
    func testOneRunReadsOneSnapshot() throws {
        let path = tmp + "/store"
        let s = try Store(path: path, create: true)
        _ = try s.ingest(paths: [try writeBatch(0, rows: 3)])
        let snap = try s.snapshot()
        _ = try s.ingest(paths: [try writeBatch(1, rows: 4)])
        XCTAssertEqual(try snap.segments(of: "A").reduce(0) { $0 + $1.rows }, 3)
        XCTAssertEqual(try snap.plan("B", ScanRequest()).kept.reduce(0) { $0 + $1.rows }, 3)
        XCTAssertEqual(try s.snapshot().plan("B", ScanRequest()).kept.reduce(0) { $0 + $1.rows }, 7)
        XCTAssertEqual(try s.rowCount(of: "A"), 7)
    }
}
