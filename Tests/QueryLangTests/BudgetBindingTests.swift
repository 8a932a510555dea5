import Foundation
import XCTest
import LogStore
@testable import QueryLang

/// `--timeout` and `--max-memory` bind where memory is allocated and inside long loops, at run
/// time and while compiling (issue 11, "Budgets that do not bind"). Sizes are modest and budgets
/// small so that each test runs in seconds in a debug build; before, each of these queries ran
/// until the allocator aborted or (range) gave a wrong answer.
final class BudgetBindingTests: XCTestCase {
    var dir = ""
    var store: Store!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-budget-\(UUID())").path
        store = try Store(path: dir, create: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func run(_ text: String, _ o: ExecutionOptions = ExecutionOptions()) throws -> ResultTable {
        try QueryEngine.compile(text, store: store).run(options: o)
    }

    /// Budgets of `seconds` from now and `mb` above what the process holds now.
    static func budgets(seconds: Double? = nil, mb: Int? = nil) -> ExecutionOptions {
        var o = ExecutionOptions()
        if let s = seconds { o.deadline = Date(timeIntervalSinceNow: s) }
        if let m = mb { o.maxMemoryBytes = (QueryExecutor.residentBytes() ?? 0) + (m << 20) }
        return o
    }

    /// The query (compiled without budgets) fails at run time with LQ3001 within `within`
    /// seconds; returns the message.
    @discardableResult
    func budgetError(_ text: String, _ o: ExecutionOptions, within: Double = 20, code: String = "LQ3001", file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let q = try QueryEngine.compile(text, store: store)
        let t0 = Date()
        var message = ""
        XCTAssertThrowsError(try q.run(options: o), text, file: file, line: line) { e in
            XCTAssertEqual((e as? Diagnostic).map { "\($0.code)" }, code, "\(e)", file: file, line: line)
            message = (e as? Diagnostic)?.message ?? ""
        }
        XCTAssertLessThan(Date().timeIntervalSince(t0), within, "stopped in bounded time: \(text)", file: file, line: line)
        return message
    }

    // MARK: range

    /// range used to stop silently at 10,000,000 rows (sum 50,000,005,000,000); it now streams.
    func testRangePastTenMillionRowsGivesTheRightSum() throws {
        let r = try run("range x from 1 to 20000000 step 1 | summarize sum(x)")
        XCTAssertEqual(r.value(row: 0, column: 0), .long(200000010000000))
        XCTAssertEqual(try run("range x from 1 to 20000000 step 1 | count").value(row: 0, column: 0), .long(20000000))
    }

    func testRangeIsGeneratedWhenTheQueryRunsNotWhenItCompiles() throws {
        let t0 = Date()
        let q = try QueryEngine.compile("range x from 1 to 1e15 step 1 | summarize sum(x)", store: store)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 2, "compiling generates no rows")
        XCTAssertTrue(try q.explain().contains("Range x:real from 1.0 to 1000000000000000.0 step 1.0"), (try? q.explain()) ?? "")
    }

    func testRangeObeysTheBudgets() throws {
        // Held rows (no aggregate): the memory budget ends it.
        let m = try budgetError("range x from 1 to 1e15 step 1", BudgetBindingTests.budgets(mb: 64))
        XCTAssertTrue(m.contains("memory"), m)
        // Streamed into an aggregate: the deadline ends it.
        let t = try budgetError("range x from 1 to 1e15 step 1 | summarize sum(x)", BudgetBindingTests.budgets(seconds: 0.3), within: 5)
        XCTAssertEqual(t, "the query ran past its time budget")
    }

    /// Step arithmetic is checked: a value past the type's range ends the range (no trap).
    func testRangeEndsWhereItsStepOverflows() throws {
        let r = try run("range x from 9223372036854775800 to 9223372036854775807 step 3")
        XCTAssertEqual((0..<r.rowCount).map { r.value(row: $0, column: 0) }, [.long(9223372036854775800), .long(9223372036854775803), .long(9223372036854775806)])
        let down = try run("range x from -9223372036854775800 to -9223372036854775807 - 1 step -5")
        XCTAssertEqual((0..<down.rowCount).map { down.value(row: $0, column: 0) }, [.long(-9223372036854775800), .long(-9223372036854775805)])
        let d = try run("range t from datetime(9999-12-31) to datetime(9999-12-31 23:00) step 10h")
        XCTAssertEqual(d.rowCount, 3, "the next value would leave the datetime range")
        XCTAssertEqual(d.value(row: 2, column: 0), .datetime(Ticks.parseDatetime("9999-12-31T20:00:00Z")!))
        let reals = try run("range x from 0 to 1 step 0.25")
        XCTAssertEqual((0..<reals.rowCount).map { reals.value(row: $0, column: 0) }, [0, 0.25, 0.5, 0.75, 1].map { Value.real($0) })
        XCTAssertEqual(try run("range x from 5 to 1 step 1").rowCount, 0)
        // More rows than one generated batch, in order, across the batch boundary.
        let big = try run("range x from 1 to 200000 step 1 | summarize n = count(), s = sum(x), lo = min(x), hi = max(x)")
        XCTAssertEqual((0..<4).map { big.value(row: 0, column: $0) }, [.long(200000), .long(20000100000), .long(1), .long(200000)])
    }

    func testRangeStepZeroIsALocatedError() throws {
        XCTAssertThrowsError(try QueryEngine.compile("range x from 1 to 10 step 0", store: store)) { e in
            let f = e as? CompileFailure
            XCTAssertEqual(f?.diagnostics.map { "\($0.code)" }, ["LQ2017"])
            XCTAssertEqual(f?.diagnostics.first?.range, SourceRange(26, 27))
            XCTAssertEqual(f?.diagnostics.first?.message, "function 'range': step must be non-zero")
        }
        XCTAssertThrowsError(try QueryEngine.compile("range x from 0 to 1e308 * 10 step 1", store: store)) { e in
            let f = e as? CompileFailure
            XCTAssertEqual(f?.diagnostics.map { "\($0.code)" }, ["LQ2017"])
            XCTAssertEqual(f?.diagnostics.first?.range, SourceRange(18, 28))
            XCTAssertEqual(f?.diagnostics.first?.message, "function 'range': bounds and step must be finite numbers, not inf")
        }
    }

    // MARK: strings built by functions

    /// 1,024 × 1,024 × 200 bytes: refused by its computed size before it is built, at compile
    /// time (print is evaluated while binding) under the budgets compiling is given.
    func testNestedStrrepInPrintIsABudgetErrorAtCompileTime() throws {
        var c = CompileOptions()
        c.subqueryBudgets = BudgetBindingTests.budgets(mb: 100)
        let text = "print s = strrep(strrep(strrep(\"x\", 1024), 1024), 200)"
        XCTAssertThrowsError(try QueryEngine.compile(text, store: store, options: c)) { e in
            let d = (e as? CompileFailure)?.diagnostics
            XCTAssertEqual(d?.map { "\($0.code)" }, ["LQ3001"], "\(e)")
            XCTAssertTrue(d?.first?.message.hasPrefix("strrep's result would need 200 MB") == true, "\(e)")
            XCTAssertEqual(d?.first?.range, SourceRange(10, 54), "located at the outer strrep")
        }
        // The same strings within the budget are built as before.
        XCTAssertEqual(try QueryEngine.compile("print n = strlen(strrep(strrep(\"ab\", 1000, \",\"), 3))", store: store, options: c).run().value(row: 0, column: 0),
                       .long(8997))
    }

    /// strcat of strcats: 1 MB × 64 × 64 is refused by its size, not built.
    func testNestedStrcatIsABudgetError() throws {
        var c = CompileOptions()
        c.subqueryBudgets = BudgetBindingTests.budgets(mb: 150)
        let a64 = Array(repeating: "a", count: 64).joined(separator: ", "), b64 = Array(repeating: "b", count: 64).joined(separator: ", ")
        let text = "let a = strrep(strrep(\"x\", 1024), 1024); let b = strcat(\(a64)); print n = strlen(strcat(\(b64)))"
        XCTAssertThrowsError(try QueryEngine.compile(text, store: store, options: c)) { e in
            let d = (e as? CompileFailure)?.diagnostics
            XCTAssertEqual(d?.map { "\($0.code)" }, ["LQ3001"], "\(e)")
            XCTAssertTrue(d?.first?.message.hasPrefix("strcat's result would need 4096 MB") == true, "\(e)")
        }
    }

    /// Over rows, the run's budget applies to the function as it is evaluated.
    func testStrrepOverRowsObeysTheRunsBudget() throws {
        let m = try budgetError("range i from 1 to 3 step 1 | extend s = strrep(strrep(strrep(tostring(i), 1024), 1024), 200) | summarize max(strlen(s))",
                                BudgetBindingTests.budgets(mb: 100))
        XCTAssertTrue(m.hasPrefix("strrep's result would need 200 MB"), m)
    }

    /// 8 × 1024³ bytes pass a memory budget of three quarters of this machine's memory, but one
    /// string value is at most 256 MB: refused before it is built, located at the outer call.
    func testOneStringValueIsBounded() throws {
        XCTAssertThrowsError(try QueryEngine.compile("print strlen(strrep(strrep(strrep(\"abcdefgh\", 1024), 1024), 1024))", store: store)) { e in
            let d = (e as? CompileFailure)?.diagnostics
            XCTAssertEqual(d?.map { "\($0.code) \($0.range.start)" }, ["LQ3001 13"], "\(e)")
            XCTAssertEqual(d?.first?.message, "strrep's result would be 8192 MB; a string value is at most 256 MB")
        }
        XCTAssertEqual(try run("print strlen(strrep(strrep(\"abcdefgh\", 1024), 1024))").value(row: 0, column: 0), .long(8 << 20))
    }

    // MARK: operators

    /// Three arrays of 301 elements expanded in turn: 27 million rows from one input row. The
    /// expansion emits chunks and checks the budgets between them.
    func testMvExpandOfLargeArraysStopsAtTheBudgets() throws {
        let arr = "todynamic(strcat(\"[\", strrep(\"1,\", 300), \"1]\"))"
        let text = "print a = \(arr), b = \(arr), c = \(arr) | mv-expand a | mv-expand b | mv-expand c | count"
        try budgetError(text, BudgetBindingTests.budgets(seconds: 0.5), within: 8)
        // Two of them: 90,601 rows, more than one chunk, all counted.
        XCTAssertEqual(try run("print a = \(arr), b = \(arr) | mv-expand a | mv-expand b | count").value(row: 0, column: 0), .long(90601))
        let ordered = try run("print a = dynamic([1, 2, 3]), b = dynamic([\"x\", \"y\"]) | mv-expand a | mv-expand b | project s = strcat(tostring(a), tostring(b))")
        XCTAssertEqual((0..<ordered.rowCount).map { ordered.value(row: $0, column: 0) }, ["1x", "1y", "2x", "2y", "3x", "3y"].map { Value.string($0) })
    }

    /// 100,000 groups × 1,000,000 bins: refused from its computed size, before any bin exists.
    func testMakeSeriesGridIsAccountedBeforeItIsBuilt() throws {
        let m = try budgetError("range g from 1 to 100000 step 1 | make-series c = count() on g from 0 to 1000000 step 1 by g",
                                BudgetBindingTests.budgets(mb: 200))
        XCTAssertTrue(m.hasPrefix("make-series' grid of 100000 series × 1 aggregates × 1000000 bins would need"), m)
        // A step far below the span: too many bins, not a trapping conversion.
        let bins = try budgetError("range x from 1 to 2 step 1 | make-series c = count() on x from 0 to 1e300 step 1e-300", ExecutionOptions(), code: "LQ3004")
        XCTAssertEqual(bins, "make-series would make inf bins; at most 1,048,576 (2^20) are allowed")
        let many = try budgetError("range x from 1 to 2 step 1 | make-series c = count() on x from 0 to 10000000 step 1", ExecutionOptions(), code: "LQ3004")
        XCTAssertEqual(many, "make-series would make 10000000 bins; at most 1,048,576 (2^20) are allowed")
        let ok = try run("range x from 1 to 2 step 1 | make-series c = count() on x from 0 to 4 step 1 by x")
        XCTAssertEqual(ok.value(row: 1, column: 1), .dynamic(.array([.int(0), .int(0), .int(1), .int(0)])))
    }

    func testSortAndCartesianJoinStopAtTheDeadline() throws {
        try budgetError("range x from 1 to 100000000 step 1 | sort by x desc", BudgetBindingTests.budgets(seconds: 0.5), within: 8)
        try budgetError("range x from 1 to 100000000 step 1 | top 3 by x", BudgetBindingTests.budgets(seconds: 0.5), within: 8)
        // One build row meeting every probe row and one probe row meeting 200,000 build rows.
        var o = BudgetBindingTests.budgets(seconds: 0.5)
        o.joinBuildSide = .right
        try budgetError("range i from 1 to 20000 step 1 | extend k = 1 | join kind=inner (range j from 1 to 200000 step 1 | extend k = 1) on k | count", o, within: 8)
        XCTAssertEqual(try run("print k = 1 | join kind=inner (range j from 1 to 200000 step 1 | extend k = 1) on k | count", {
            var o = ExecutionOptions(); o.joinBuildSide = .right; return o }()).value(row: 0, column: 0), .long(200000))
    }

    /// The budget check in inner loops: every `loopStride` ticks, and never without a budget.
    func testTickerChecksEveryStride() throws {
        var unlimited = BudgetTicker(Budget(deadline: nil, maxMemoryBytes: nil))
        for _ in 0..<(Budget.loopStride * 2) { try unlimited.tick() }
        var late = BudgetTicker(Budget(deadline: Date(timeIntervalSinceNow: -1), maxMemoryBytes: nil))
        for _ in 0..<(Budget.loopStride - 1) { try late.tick() }
        XCTAssertThrowsError(try late.tick()) { e in XCTAssertEqual((e as? Diagnostic)?.code, .budgetExceeded) }
        XCTAssertThrowsError(try Budget(deadline: nil, maxMemoryBytes: 1 << 30).reserve(nil, "x")) { e in
            XCTAssertEqual((e as? Diagnostic)?.message.hasPrefix("x would need more than can be addressed"), true, "\(e)")
        }
        XCTAssertNil(Budget.bytes(Int.max, 2))
    }

    /// A group table checks the budget every `loopStride` NEW groups (one batch can hold millions
    /// of distinct keys), and never for rows that find their group.
    func testGroupTableChecksTheBudgetAsGroupsAreAdded() throws {
        let expired = Budget(deadline: Date(timeIntervalSinceNow: -1), maxMemoryBytes: nil)
        let distinct = Column.ints(.long, (0..<Int64(100_000)).map { $0 })
        XCTAssertThrowsError(try GroupTable(budget: expired).assign([distinct], count: 100_000)) { e in
            XCTAssertEqual((e as? Diagnostic)?.message, "the query ran past its time budget")
        }
        let few = Column.ints(.long, (0..<Int64(100_000)).map { $0 % 10 })
        XCTAssertEqual(try GroupTable(budget: expired).assign([few], count: 100_000).prefix(12), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])
        let table = GroupTable(budget: nil)
        XCTAssertEqual(try table.assign([distinct], count: 100_000).last, 99_999)
        XCTAssertEqual(table.count, 100_000)
        // Through a query: a summarize of 300,000 distinct keys in one batch (a make-series input).
        try budgetError("range g from 1 to 300000 step 1 | summarize c = count() by g | summarize count() by c, g", BudgetBindingTests.budgets(seconds: 0.2), within: 10)
    }

    /// sample holds O(N) rows, not its input: the picked rows are compacted as the stream
    /// passes (here about every 65,536 rows), and each row is still picked at most once.
    func testSampleOfALongStreamHoldsOnlyItsPicks() throws {
        let r = try run("range x from 1 to 1000000 step 1 | sample 1000 | summarize n = count(), d = dcount(x), inside = countif(x >= 1 and x <= 1000000)")
        XCTAssertEqual((0..<3).map { r.value(row: 0, column: $0) }, [.long(1000), .long(1000), .long(1000)])
        let all = try run("range x from 1 to 300000 step 1 | sample 100000 | summarize n = count(), d = dcount(x)")
        XCTAssertEqual((0..<2).map { all.value(row: 0, column: $0) }, [.long(100000), .long(100000)])
        let small = try run("range x from 1 to 10 step 1 | sample 20 | summarize n = count(), s = sum(x)")
        XCTAssertEqual((0..<2).map { small.value(row: 0, column: $0) }, [.long(10), .long(55)])
    }
}
