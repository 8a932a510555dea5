import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
import LogStore
import QueryLang
@testable import LogqReport
import TelemetryGenerator

/// Charts from `render`: which columns become axes and series, the terminal rendering, the SVG, and
/// the incident finder on generated telemetry.
final class ChartTests: XCTestCase {
    var storeDir = ""
    var store: Store!
    override func setUpWithError() throws {
        storeDir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-chart-\(UUID())").path
        store = try Store(path: storeDir, create: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: storeDir) }

    func run(_ q: String) throws -> ResultTable { try QueryEngine.compile(q, store: store).run() }

    static let timeData = """
    datatable(t:datetime, code:string, n:long, ms:real) [
      datetime(2025-03-07T13:02:00Z), "500", 3, 1.5,
      datetime(2025-03-07T13:00:00Z), "200", 10, 2.0,
      datetime(2025-03-07T13:01:00Z), "200", 12, 2.5,
      datetime(2025-03-07T13:00:00Z), "500", 1, 9.0,
      datetime(2025-03-07T13:02:00Z), "200", 8, 1.0
    ]
    """

    func testTimechartSplitsSeriesByStringColumnsAndSortsByTime() throws {
        let r = try run(Self.timeData + "| project t, code, n | render timechart")
        XCTAssertEqual(r.render, "timechart")
        let c = try XCTUnwrap(ChartData.from(r))
        XCTAssertEqual(c.kind, .timechart)
        XCTAssertTrue(c.xIsTime)
        XCTAssertEqual(c.xTitle, "t (UTC)")
        XCTAssertEqual(c.yTitle, "n")
        XCTAssertEqual(c.series.map(\.name), ["500", "200"])
        let t0 = Double(Ticks.parseDatetime("2025-03-07T13:00:00Z")!), minute = Double(Ticks.perMinute)
        XCTAssertEqual(c.series[0].x, [t0, t0 + 2 * minute])
        XCTAssertEqual(c.series[0].y, [1, 3])
        XCTAssertEqual(c.series[1].x, [t0, t0 + minute, t0 + 2 * minute])
        XCTAssertEqual(c.series[1].y, [10, 12, 8])
        // two value columns and a split: one series per (split, column)
        let two = try XCTUnwrap(ChartData.from(try run(Self.timeData + "| render timechart")))
        XCTAssertEqual(two.series.map(\.name), ["500 n", "500 ms", "200 n", "200 ms"])
        XCTAssertEqual(two.yTitle, "")
    }

    func testMakeSeriesResultsChartAsTimeSeries() throws {
        let r = try run(Self.timeData + "| make-series n = sum(n) default = 0 on t from datetime(2025-03-07T13:00:00Z) to datetime(2025-03-07T13:03:00Z) step 1m by code | render timechart")
        let c = try XCTUnwrap(ChartData.from(r))
        XCTAssertTrue(c.xIsTime)
        XCTAssertEqual(c.xTitle, "t (UTC)")
        XCTAssertEqual(c.series.map(\.name), ["500", "200"])
        let t0 = Double(Ticks.parseDatetime("2025-03-07T13:00:00Z")!), minute = Double(Ticks.perMinute)
        XCTAssertEqual(c.series[0].x, [t0, t0 + minute, t0 + 2 * minute])
        XCTAssertEqual(c.series[0].y, [1, 0, 3])
        XCTAssertEqual(c.series[1].y, [10, 12, 8])
    }

    func testCategoricalChartsAndWhatIsNotAChart() throws {
        let r = try run(Self.timeData + "| summarize total = sum(n) by code | order by code asc | render piechart")
        let c = try XCTUnwrap(ChartData.from(r))
        XCTAssertEqual(c.kind, .piechart)
        XCTAssertEqual(c.categories, ["200", "500"])
        XCTAssertEqual(c.series.map(\.name), ["total"])
        XCTAssertEqual(c.series[0].y, [30, 4])
        XCTAssertEqual(ChartText.render(c, width: 40), """
        200   ██████████████████████ 30 (88.2%)
        500   ███ 4 (11.8%)

        """)
        XCTAssertNil(ChartData.from(try run(Self.timeData + "| render table")))
        XCTAssertNil(ChartData.from(try run(Self.timeData + "| project code | render columnchart")), "nothing numeric to draw")
        XCTAssertNil(ChartData.from(try run(Self.timeData)), "no render, no chart")
        XCTAssertEqual(ChartData.from(try run(Self.timeData), kind: "auto")?.kind, .timechart)
        XCTAssertEqual(ChartData.from(try run(Self.timeData + "| project code, n"), kind: "auto")?.kind, .columnchart)
    }

    func testTerminalSparklinesShowEachSeriesWithItsRange() throws {
        let r = try run("range i from 0 to 7 step 1 | extend t = datetime(2025-03-07) + i * 1m, v = i * i | project t, v | render timechart")
        let text = ChartText.render(try XCTUnwrap(ChartData.from(r)), width: 60)
        XCTAssertEqual(text, """
        v     ▁▁▂▂▃▅▆█  0…49
              2025-03-07T00:00:00.0000000Z 2025-03-07T00:07:00.0000000Z

        """)
        XCTAssertTrue(ChartText.render(try XCTUnwrap(ChartData.from(r)), width: 60, color: true).contains("\u{1B}[34m▁▁▂▂▃▅▆█\u{1B}[0m"))
    }

    func testSVGIsStandaloneEscapedAndShadesTheWindow() throws {
        let r = try run(Self.timeData + "| extend code = strcat(code, \" <&> \") | project t, code, n | render timechart")
        var o = ChartSVG.Options()
        o.title = "Failures & <things>"
        o.shade = (Ticks.parseDatetime("2025-03-07T13:00:30Z")!, Ticks.parseDatetime("2025-03-07T13:01:30Z")!)
        let svg = ChartSVG.render(try XCTUnwrap(ChartData.from(r)), options: o)
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        XCTAssertTrue(svg.contains(">Failures &amp; &lt;things&gt;</text>"))
        XCTAssertTrue(svg.contains(">500 &lt;&amp;&gt; </text>"), "legend names are escaped")
        XCTAssertFalse(svg.contains("<script"))
        XCTAssertTrue(svg.contains(">incident window</text>"))
        XCTAssertTrue(svg.contains(">13:00</text>") && svg.contains(">13:02</text>"), "UTC time ticks")
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        // the document parses as XML
        XCTAssertNoThrow(try XMLDocument(xmlString: svg))
    }

    func testIncidentFinderFindsTheGeneratedIncident() throws {
        var o = TelemetryGenerator.Options()
        o.rows = 60_000; o.days = 3
        let data = storeDir + "-data"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let m = try TelemetryGenerator(options: o).write(to: data)
        _ = try store.ingest(paths: [data + "/requests.jsonl"])
        let f = try IncidentFinder.find(store: store)
        // the generator's incident, widened to whole 5-minute bins (a bin that straddles an edge may
        // not rise enough to count)
        let bin = 5 * Ticks.perMinute
        XCTAssertLessThanOrEqual(abs(f.from - m.incidentStart), bin, Ticks.formatDatetime(f.from))
        XCTAssertLessThanOrEqual(abs(f.to - m.incidentEnd), bin, Ticks.formatDatetime(f.to))
        XCTAssertTrue(f.explanation.hasPrefix("Window found by --incident: "), f.explanation)
        // data without an incident: a clear error, not a made-up window
        let calm = try Store(path: storeDir + "-calm", create: true)
        defer { try? FileManager.default.removeItem(atPath: storeDir + "-calm") }
        let lines = (0..<3000).map { i in
            "{\"itemType\":\"request\",\"timestamp\":\"\(Ticks.formatDatetime(Ticks.parseDatetime("2025-03-03")! + Int64(i) * 6 * Ticks.perSecond))\",\"success\":\(i % 50 != 0),\"duration\":\(100 + i % 7)}"
        }
        FileManager.default.createFile(atPath: storeDir + "-calm.jsonl", contents: lines.joined(separator: "\n").data(using: .utf8))
        defer { try? FileManager.default.removeItem(atPath: storeDir + "-calm.jsonl") }
        _ = try calm.ingest(paths: [storeDir + "-calm.jsonl"])
        XCTAssertThrowsError(try IncidentFinder.find(store: calm)) { e in
            XCTAssertTrue("\(e)".hasPrefix("no incident found: "), "\(e)")
        }
    }
}
