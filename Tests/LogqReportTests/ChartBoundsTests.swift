import Foundation
import XCTest
import LogStore
import QueryLang
@testable import LogqReport

/// Charts of extreme data end, with bounded output: x values one ulp apart used to loop forever
/// in the axis tick walk (a step below the values' precision never moved on), allocating ticks
/// until the allocator aborted, in `--chart`, the terminal sparkline and reports.
final class ChartBoundsTests: XCTestCase {
    var storeDir = ""
    var store: Store!
    override func setUpWithError() throws {
        storeDir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-chartbounds-\(UUID())").path
        store = try Store(path: storeDir, create: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: storeDir) }

    func chart(_ q: String) throws -> ChartData { try XCTUnwrap(ChartData.from(try QueryEngine.compile(q, store: store).run())) }

    func testXValuesOneUlpApartGiveBoundedTicks() throws {
        // 1e15 and the next double (1e15 + 0.125).
        let d = try chart("datatable(x:real, y:real) [1000000000000000.0, 1.0, 1000000000000000.125, 2.0] | render linechart")
        let svg = ChartSVG.render(d)
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 1)
        XCTAssertFalse(ChartText.render(d, width: 60).isEmpty)
        let ticks = AxisScale.ticks(1e15, 1e15.nextUp)
        XCTAssertEqual(ticks, [1e15, 1e15.nextUp], "each distinct tick once")
    }

    func testTickWalksAreBoundedForAnyInput() {
        for (lo, hi) in [(1e15, 1e15.nextUp), (0, Double.leastNonzeroMagnitude), (-1e308, 1e308), (1, Double.infinity), (.nan, 1), (5, 5)] {
            let t = AxisScale.ticks(lo, hi)
            XCTAssertTrue(t.count >= 1 && t.count <= 15, "\(lo)…\(hi): \(t.count) ticks")
        }
        XCTAssertEqual(AxisScale.ticks(0, 10), [0, 2, 4, 6, 8, 10], "round steps as before")
        let day = Double(Ticks.perDay)
        XCTAssertLessThanOrEqual(AxisScale.timeTicks(0, day * 3650 * 100).count, 21, "a century at the largest step is still a few ticks")
        XCTAssertEqual(AxisScale.timeTicks(6e17, 6e17.nextUp), [6e17])
        XCTAssertEqual(AxisScale.walk(from: 1, by: 0, through: 10, limit: 5), [])
        XCTAssertEqual(AxisScale.pixel(.nan), 0)
        XCTAssertEqual(AxisScale.pixel(.infinity), 1 << 30)
        XCTAssertEqual(AxisScale.datetimeText(1e30), "")
    }

    /// Data spanning the whole double range: geometry that is infinite or NaN is clamped, not a trap.
    func testExtremeSpansDrawWithoutTrapping() throws {
        let d = try chart("datatable(x:real, y:real) [-1e308, -1e308, 1e308, 1e308, 0.0, 1.0] | render linechart")
        XCTAssertTrue(ChartSVG.render(d).hasSuffix("</svg>\n"))
        XCTAssertFalse(ChartText.render(d, width: 60).isEmpty)
        let bars = try chart("datatable(k:string, y:real) [\"a\", 1e308, \"b\", -1e308] | render barchart")
        XCTAssertTrue(ChartSVG.render(bars).hasSuffix("</svg>\n"))
        XCTAssertTrue(ChartText.render(bars, width: 60).contains("a"))
    }

    /// A report's saved queries run under budgets: a runaway one is its section's error (the
    /// report goes on), and a chart of one-ulp-apart x values is drawn.
    func testReportSectionsRunUnderBudgets() throws {
        let dir = storeDir + "-queries"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "range i from 1 to 20000 step 1 | extend k = 1 | join kind=inner (range j from 1 to 20000 step 1 | extend k = 1) on k | count\n"
            .write(toFile: dir + "/heavy.kql", atomically: true, encoding: .utf8)
        try "datatable(x:real, y:real) [1000000000000000.0, 1.0, 1000000000000000.125, 2.0] | render linechart\n"
            .write(toFile: dir + "/ulp.kql", atomically: true, encoding: .utf8)
        var report = IncidentReport(store: store, windowFrom: 0, windowTo: Ticks.perHour, windowSource: "test")
        report.queryTimeout = 0.5
        let t0 = Date()
        let heavy = report.section(path: dir + "/heavy.kql")
        XCTAssertLessThan(Date().timeIntervalSince(t0), 10)
        XCTAssertTrue(heavy.error?.contains("error LQ3001: the query ran past its time budget") == true, heavy.error ?? "no error")
        let ulp = report.section(path: dir + "/ulp.kql")
        XCTAssertNil(ulp.error)
        XCTAssertTrue(ChartSVG.render(try XCTUnwrap(ulp.chart)).hasSuffix("</svg>\n"))
    }
}
