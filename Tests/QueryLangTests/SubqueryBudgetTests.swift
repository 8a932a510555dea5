import Foundation
import XCTest
import LogStore
@testable import QueryLang

/// toscalar(), materialize() and `in (subquery)` run when the query runs, under its budgets
/// (`--timeout`, `--max-memory`, `--max-rows-scanned`), not when it is compiled.
final class SubqueryBudgetTests: XCTestCase {
    var dir = ""
    var store: Store!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-subq-\(UUID())").path
        store = try Store(path: dir, create: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// A cartesian join: 30 probe batches of 1,000 rows, each meeting the same 1,000 build rows,
    /// so 30 million rows when it runs, a million per batch (the budgets are checked per batch).
    static let defs = "let R = range x from 1 to 1000 step 1 | extend k = 1; let P = union " + Array(repeating: "R", count: 30).joined(separator: ", ") + ";"
    static let heavy = "P | join kind=inner R on k"
    static let queries = [
        "toscalar": "\(defs) print n = toscalar(\(heavy) | top 1 by x | project x)",
        "materialize": "\(defs) let m = materialize(\(heavy)); m | count",
        "in": "\(defs) range z from 1 to 3 step 1 | where z in ((\(heavy)))",
    ]

    static func code(_ e: Error) -> String? { (e as? Diagnostic).map { "\($0.code)" } }

    /// Compiles (which must not run the subquery), then runs under the budget set by `limit`
    /// (after compiling, so that only the run is measured against it).
    func budgetError(_ text: String, _ label: String, _ limit: (inout ExecutionOptions) -> Void) throws {
        let q = try QueryEngine.compile(text, store: store)
        var o = ExecutionOptions()
        limit(&o)
        XCTAssertThrowsError(try q.run(options: o), label) { e in
            XCTAssertEqual(SubqueryBudgetTests.code(e), "LQ3001", "\(label): \(e)")
        }
    }

    func testSubqueriesStopAtTheDeadline() throws {
        for (name, q) in SubqueryBudgetTests.queries.sorted(by: { $0.key < $1.key }) {
            try budgetError(q, name) { $0.deadline = Date(timeIntervalSinceNow: 0.3) }
        }
    }

    func testSubqueriesStopAtTheMemoryBudget() throws {
        for (name, q) in SubqueryBudgetTests.queries.sorted(by: { $0.key < $1.key }) {
            // The subquery holds ~1 GB when it runs to the end.
            let now = QueryExecutor.residentBytes() ?? 0
            try budgetError(q, name) { $0.maxMemoryBytes = now + (128 << 20) }
        }
    }

    /// One probe batch whose single key meets 20,000 build rows: 400 million output rows from
    /// one batch. The join emits its matches in chunks and checks the budgets between them, so the
    /// deadline stops it at once, and `count` over it holds one chunk, not 400 million rows
    /// (before, the join built its whole output first: minutes and gigabytes past the budget).
    func testOneBatchCartesianJoinStopsAtTheBudgets() throws {
        let q = "range i from 1 to 20000 step 1 | extend k = 1 | join kind=inner (range j from 1 to 20000 step 1 | extend k = 1) on k | count"
        try budgetError(q, "deadline") { $0.deadline = Date(timeIntervalSinceNow: 0.3) }
        // The same budgets bind when the join is a subquery that compiling must run (a range bound).
        var c = CompileOptions()
        c.subqueryBudgets.deadline = Date(timeIntervalSinceNow: 0.3)
        XCTAssertThrowsError(try QueryEngine.compile("range r from 1 to toscalar(\(q)) step 1 | count", store: store, options: c)) { e in
            XCTAssertEqual((e as? CompileFailure)?.diagnostics.map { "\($0.code)" }, ["LQ3001"], "\(e)")
        }
    }

    /// `explain` runs the subqueries (to show materialized tables' rows) under the budgets it is
    /// given, as `run` does: before, it ran them with no deadline and no memory limit.
    func testExplainRunsSubqueriesUnderTheBudgets() throws {
        for (name, text) in SubqueryBudgetTests.queries.sorted(by: { $0.key < $1.key }) {
            let q = try QueryEngine.compile(text, store: store)
            var o = ExecutionOptions()
            o.deadline = Date(timeIntervalSinceNow: 0.3)
            XCTAssertThrowsError(try q.explain(options: o), name) { e in
                XCTAssertEqual(SubqueryBudgetTests.code(e), "LQ3001", "\(name): \(e)")
            }
            var m = ExecutionOptions()
            m.maxMemoryBytes = (QueryExecutor.residentBytes() ?? 0) + (128 << 20)
            XCTAssertThrowsError(try q.explain(options: m), name) { e in
                XCTAssertEqual(SubqueryBudgetTests.code(e), "LQ3001", "\(name): \(e)")
            }
        }
        // Within the budgets the plan shows the subquery's value folded in.
        let small = try QueryEngine.compile("let m = materialize(range x from 1 to 3 step 1); m | count", store: store)
        let shown = try small.explain()
        XCTAssertTrue(shown.contains("Count"), shown)
    }

    func testSubqueriesCountAgainstRowsScanned() throws {
        let data = dir + "/in.ndjson"
        try (0..<100).map { "{\"timestamp\":\"2024-01-01T00:00:\(String(format: "%02d", $0 % 60))Z\",\"n\":\($0)}" }.joined(separator: "\n")
            .write(toFile: data, atomically: true, encoding: .utf8)
        var io = IngestOptions(); io.table = "t"
        _ = try store.ingest(paths: [data], options: io)
        try budgetError("print s = toscalar(t | summarize sum(n))", "toscalar over a table") { $0.maxRowsScanned = 50 }
        let q = try QueryEngine.compile("print s = toscalar(t | summarize sum(n))", store: store)
        let r = try q.run()
        XCTAssertEqual(r.value(row: 0, column: 0), .long(4950))
        XCTAssertEqual(r.stats.scan.rowsRead, 100, "the subquery's rows count in the run's statistics")
    }

    /// Compiling runs no subquery: one that fails when it runs (too many make-series bins, LQ3004)
    /// compiles, reports its schema, and fails only in `run`.
    func testCompileDoesNotRunSubqueries() throws {
        let failing = "range x from 1 to 2 step 1 | make-series c = count() on x from 0 to 10000000 step 1"
        for text in ["print v = toscalar(\(failing) | count)", "let m = materialize(\(failing)); m",
                     "let F = \(failing); print z = 1 | where z in ((F | project x))"] {
            let q = try QueryEngine.compile(text, store: store)
            XCTAssertFalse(q.outputNames.isEmpty, text)
            XCTAssertThrowsError(try q.run(), text) { e in XCTAssertEqual(SubqueryBudgetTests.code(e), "LQ3004", "\(text): \(e)") }
        }
        // The same heavy subqueries compile at once; only running them costs.
        let t0 = Date()
        for (_, text) in SubqueryBudgetTests.queries { _ = try QueryEngine.compile(text, store: store) }
        XCTAssertLessThan(Date().timeIntervalSince(t0), 5)
    }

    /// A value the binder itself needs (a range bound) still gets the subquery's value.
    func testSubqueryValueNeededWhileBinding() throws {
        let q = try QueryEngine.compile("range x from 1 to toscalar(datatable(n:long) [3] | project n) step 1 | count", store: store)
        XCTAssertEqual(try q.run().value(row: 0, column: 0), .long(3))
    }
}
