import Foundation
import XCTest

/// The reproducers of issue 11's "Budgets that do not bind", run through the built binary with
/// `--timeout 2 --max-memory 200`: each ends with the budget error (LQ3001, exit 2) in bounded
/// time, never an allocator abort or a signal. Before, each allocated until the process died.
final class BudgetCLITests: XCTestCase {
    var tmp = ""
    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary) else { XCTFail("logq binary not built at \(CLITests.binary)"); return }
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("logq-budget-e2e-\(UUID())").path
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        // A store to query (the queries themselves read no table).
        try "{\"timestamp\":\"2024-01-01T00:00:00Z\",\"n\":1}\n".write(toFile: tmp + "/t.ndjson", atomically: true, encoding: .utf8)
        let made = try logq(["ingest", "--store", tmp + "/s", "--table", "t", tmp + "/t.ndjson"])
        XCTAssertEqual(made.code, 0, made.err)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: tmp) }

    typealias Run = ProcessRun

    func logq(_ args: [String]) throws -> Run { try runProcess(args) }

    static let arr = "todynamic(strcat(\"[\", strrep(\"1,\", 300), \"1]\"))"
    static let reproducers: [(String, String)] = [
        ("cartesian join", "range i from 1 to 20000 step 1 | extend k = 1 | join kind=inner (range j from 1 to 20000 step 1 | extend k = 1) on k"),
        ("mv-expand of large arrays", "print a = \(arr), b = \(arr), c = \(arr) | mv-expand a | mv-expand b | mv-expand c | count"),
        ("make-series with many groups", "range g from 1 to 100000 step 1 | make-series c = count() on g from 0 to 1000000 step 1 by g"),
        ("nested strrep in print", "print strrep(strrep(strrep(\"x\", 100000), 100000), 1000)"),
        ("range of 10^15 rows", "range x from 1 to 1e15 step 1"),
        ("range into an aggregate", "range x from 1 to 1e15 step 1 | summarize sum(x)"),
        ("toscalar of a cartesian join", "print n = toscalar(range i from 1 to 20000 step 1 | extend k = 1 | join kind=inner (range j from 1 to 20000 step 1 | extend k = 1) on k | count)"),
        ("materialize of a large range", "let m = materialize(range x from 1 to 1e15 step 1); m | count"),
    ]

    func testReproducersEndWithTheBudgetErrorInBoundedTime() throws {
        for (name, q) in BudgetCLITests.reproducers {
            let r = try logq(["query", "--store", tmp + "/s", "--timeout", "2", "--max-memory", "200", q])
            XCTAssertFalse(r.signaled, "\(name): killed by a signal")
            XCTAssertEqual(r.code, 2, "\(name): \(r.err)")
            XCTAssertTrue(r.err.contains("error LQ3001: "), "\(name): \(r.err)")
            XCTAssertEqual(r.out, "", name)
            // --timeout 2 plus start-up and the check interval, on a loaded debug build.
            XCTAssertLessThan(r.seconds, 20, name)
        }
    }

    /// `logq explain` runs toscalar/materialize to show their values: under --timeout and
    /// --max-memory too (issue 10). Before, it ran them unbounded.
    func testExplainObeysTheBudgets() throws {
        for (name, q) in BudgetCLITests.reproducers where name.hasPrefix("toscalar") || name.hasPrefix("materialize") {
            let r = try logq(["explain", "--store", tmp + "/s", "--timeout", "2", "--max-memory", "200", q])
            XCTAssertFalse(r.signaled, "\(name): killed by a signal")
            XCTAssertEqual(r.code, 2, "\(name): \(r.err)")
            XCTAssertTrue(r.err.contains("error LQ3001: "), "\(name): \(r.err)")
            XCTAssertEqual(r.out, "", name)
            XCTAssertLessThan(r.seconds, 20, name)
        }
        let ok = try logq(["explain", "--store", tmp + "/s", "--timeout", "20", "let m = materialize(t | summarize c = count()); m"])
        XCTAssertEqual(ok.code, 0, ok.err)
        XCTAssertFalse(ok.out.isEmpty)
    }

    /// The memory budget names what it refused, located at the call, before building it.
    func testNestedStrrepIsRefusedByItsSize() throws {
        let r = try logq(["query", "--store", tmp + "/s", "--max-memory", "200", "print strrep(strrep(strrep(\"x\", 100000), 100000), 250)"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.err.hasPrefix("<query>:1:7: error LQ3001: strrep's result would need 250 MB with "), r.err)
        XCTAssertTrue(r.err.contains("past the 200 MB memory budget (raise it with --max-memory)"), r.err)
        // Under the default budget (three quarters of memory) one value is still at most 256 MB.
        let big = try logq(["query", "--store", tmp + "/s", "print strlen(strrep(strrep(strrep(\"abcdefgh\", 1024), 1024), 1024))"])
        XCTAssertEqual(big.code, 2)
        XCTAssertTrue(big.err.hasPrefix("<query>:1:14: error LQ3001: strrep's result would be 8192 MB; a string value is at most 256 MB"), big.err)
        XCTAssertLessThan(big.seconds, 20)
    }

    /// range obeys the budgets instead of a silent 10,000,000-row cap, so the sum is right.
    func testRangePastTenMillionRowsWithinDefaultBudgets() throws {
        let r = try logq(["query", "--store", tmp + "/s", "--format", "csv", "range x from 1 to 20000000 step 1 | summarize sum(x)"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertEqual(r.out, "sum_x\n200000010000000\n")
        let zero = try logq(["query", "--store", tmp + "/s", "range x from 1 to 10 step 0"])
        XCTAssertEqual(zero.code, 2)
        XCTAssertTrue(zero.err.hasPrefix("<query>:1:27: error LQ2017: function 'range': step must be non-zero"), zero.err)
    }

    /// x values one ulp apart: the chart is written (the axis tick loop used to run forever).
    func testChartOfXValuesOneUlpApartIsWritten() throws {
        let svg = tmp + "/c.svg"
        let r = try logq(["query", "--store", tmp + "/s", "--timeout", "10", "--chart", svg,
                          "datatable(x:real, y:real) [1000000000000000.0, 1.0, 1000000000000000.125, 2.0] | render linechart"])
        XCTAssertEqual(r.code, 0, r.err)
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("<svg ") && text.hasSuffix("</svg>\n"))
        XCTAssertLessThan(text.utf8.count, 100_000)
    }
}
