import Foundation
import XCTest

/// Runs the built `logq` binary as a user would: exit codes, stdout shapes, diagnostics on stderr.
final class CLITests: XCTestCase {
    static var binary: String {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir.appendingPathComponent("logq").path, dir.deletingLastPathComponent().appendingPathComponent("logq").path]
        where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/logq").standardized.path
    }
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

    typealias Run = ProcessRun

    @discardableResult
    func logq(_ args: [String], stdin: String? = nil) throws -> Run { try runProcess(args, stdin: stdin) }

    var tmp = ""
    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary) else { XCTFail("logq binary not built at \(CLITests.binary)"); return }
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("logq-e2e-\(UUID())").path
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: tmp) }

    func testVersionAndHelp() throws {
        let v = try logq(["--version"])
        XCTAssertEqual(v.code, 0)
        XCTAssertEqual(v.out, "0.1.0\n")
        let h = try logq(["--help"])
        XCTAssertEqual(h.code, 0)
        XCTAssertTrue(h.out.contains("Exit codes:\n  0  success\n  1  data, I/O or store error\n  2  query or usage error\n  3  ingest finished but rejected lines\n"), h.out)
        XCTAssertTrue(try logq(["query", "--help"]).out.contains("Example:"))
    }

    func testJSONOutputIsTheQueryAPIShape() throws {
        let r = try logq(["query", "--store", tmp + "/s", "--format", "json",
                          "datatable(n:long, t:datetime, s:string, d:dynamic, ts:timespan, b:bool)[1, datetime(2025-03-03 01:02:03.5), \"x\", dynamic({\"a\":[1]}), 90m, true] | extend r = n * 1.5"])
        // The store does not exist: query reports it with exit 1.
        XCTAssertEqual(r.code, 1, r.err)
        XCTAssertTrue(r.err.contains("no store at"), r.err)
        _ = try logq(["ingest", "--store", tmp + "/s", "-"], stdin: "{\"x\":1}\n")
        let ok = try logq(["query", "--store", tmp + "/s", "--format", "json",
                           "datatable(n:long, t:datetime, s:string, d:dynamic, ts:timespan, b:bool)[1, datetime(2025-03-03 01:02:03.5), \"x\", dynamic({\"a\":[1]}), 90m, true] | extend r = n * 1.5"])
        XCTAssertEqual(ok.code, 0, ok.err)
        XCTAssertEqual(ok.out, """
        {"tables":[{"name":"PrimaryResult","columns":[{"name":"n","type":"long"},{"name":"t","type":"datetime"},{"name":"s","type":"string"},{"name":"d","type":"dynamic"},{"name":"ts","type":"timespan"},{"name":"b","type":"bool"},{"name":"r","type":"real"}],"rows":[[1,"2025-03-03T01:02:03.5000000Z","x",{"a":[1]},"01:30:00",true,1.5]]}]}

        """)
    }

    func testQueryErrorsAreRenderedWithCaretAndExit2() throws {
        _ = try logq(["ingest", "--store", tmp + "/s", "--table", "requests", "-"], stdin: "{\"timestamp\":\"2025-01-01T00:00:00Z\",\"name\":\"GET /\",\"duration\":5}\n")
        let r = try logq(["query", "--store", tmp + "/s", "requests\n| where duraton > 10"])
        XCTAssertEqual(r.code, 2)
        XCTAssertEqual(r.err, """
        <query>:2:9: error LQ2002: unknown column 'duraton'
          | where duraton > 10
                  ^~~~~~~
          note: did you mean 'duration'?

        """)
        XCTAssertEqual(r.out, "")
        let u = try logq(["query", "--store", tmp + "/s", "--format", "xml", "requests"])
        XCTAssertEqual(u.code, 2)
    }

    func testIngestRejectsExitCode3AndAreQueryable() throws {
        let f = tmp + "/bad.jsonl"
        try "{\"a\":1}\n{not json}\n{\"a\":2}\n".write(toFile: f, atomically: true, encoding: .utf8)
        let r = try logq(["ingest", "--store", tmp + "/s", f])
        XCTAssertEqual(r.code, 3, r.err)
        XCTAssertTrue(r.err.contains("\(f):2: "), r.err)
        let q = try logq(["query", "--store", tmp + "/s", "--format", "csv", "ingest_rejects | project File, Line"])
        XCTAssertEqual(q.out, "File,Line\n\(f),2\n")
        let t = try logq(["query", "--store", tmp + "/s", "--format", "csv", "bad | summarize n = count(), s = sum(a)"])
        XCTAssertEqual(t.out, "n,s\n2,3\n")
        // A table's name alone is a query, as is a let naming it.
        let bare = try logq(["query", "--store", tmp + "/s", "--format", "csv", "bad"])
        XCTAssertEqual(bare.out, "a\n1\n2\n", bare.err)
        let named = try logq(["query", "--store", tmp + "/s", "--format", "csv", "let B = bad; B | count"])
        XCTAssertEqual(named.out, "Count\n2\n", named.err)
        // A budget that is exceeded is a clear error (exit 2), not a crash.
        let b = try logq(["query", "--store", tmp + "/s", "--max-rows-scanned", "1", "bad | count"])
        XCTAssertEqual(b.code, 2)
        XCTAssertTrue(b.err.contains("error LQ3001: the query read more than 1 rows (raise the limit with --max-rows-scanned)"), b.err)
        // take decodes only the rows it keeps: those are what the budget counts.
        let t1 = try logq(["query", "--store", tmp + "/s", "--format", "csv", "--max-rows-scanned", "1", "bad | take 1"])
        XCTAssertEqual(t1.out, "a\n1\n", t1.err)
        // A memory budget below what the process already holds stops the query with an error, not a crash.
        let m = try logq(["query", "--store", tmp + "/s", "--max-memory", "1", "range i from 1 to 100000 step 1 | summarize count() by i % 7"])
        XCTAssertEqual(m.code, 2)
        XCTAssertTrue(m.err.contains("error LQ3001: the query used more than 1 MB of memory ("), m.err)
        XCTAssertTrue(m.err.contains("raise the limit with --max-memory)"), m.err)
    }

    /// Foundation's end-to-end path: generate, ingest, run every saved query.
    func testGenerateIngestAndEverySavedQuery() throws {
        XCTAssertEqual(try logq(["generate", "--out", tmp + "/data", "--rows", "3000", "--seed", "3"]).code, 0)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmp + "/data/manifest.json"))) as! [String: Any]
        XCTAssertEqual((manifest["rows"] as! [String: Int])["requests"], 3000)
        let ing = try logq(["ingest", "--store", tmp + "/s", tmp + "/data"])
        XCTAssertEqual(ing.code, 0, ing.err)
        let again = try logq(["ingest", "--store", tmp + "/s", tmp + "/data"])
        XCTAssertTrue(again.err.contains("already ingested"), again.err)
        let count = try logq(["query", "--store", tmp + "/s", "--format", "csv", "requests | count"])
        XCTAssertEqual(count.out, "Count\n3000\n")
        // Kusto's control command for the table list
        let shown = try logq(["query", "--store", tmp + "/s", "--format", "csv", ".show tables"])
        XCTAssertTrue(shown.out.hasPrefix("TableName,DatabaseName,Folder,DocString,RowCount\n"), shown.out)
        XCTAssertTrue(shown.out.contains("\nrequests,logq,,,3000\n"), shown.out)
        let badControl = try logq(["query", "--store", tmp + "/s", ".drop table requests"])
        XCTAssertEqual(badControl.code, 2)
        XCTAssertTrue(badControl.err.hasPrefix("<query>:1:1: error LQ1006: the control command '.drop table requests' is not supported by logq (it answers .show tables, "), badControl.err)
        // take over a table in a time window reads only the rows it keeps; same rows as via another operator
        let window = ["--from", "2025-03-05T00:00:00Z", "--to", "2025-03-06T00:00:00Z"]
        let direct = try logq(["query", "--store", tmp + "/s", "--format", "csv"] + window + ["requests | take 7 | project timestamp, id"])
        let via = try logq(["query", "--store", tmp + "/s", "--format", "csv"] + window + ["requests | project timestamp, id | take 7"])
        XCTAssertEqual(direct.out, via.out)
        XCTAssertEqual(direct.out.split(separator: "\n").count, 8)
        XCTAssertTrue(direct.out.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("2025-03-05T") }, direct.out)
        let queries = try FileManager.default.contentsOfDirectory(atPath: CLITests.repo + "/queries").filter { $0.hasSuffix(".kql") }.sorted()
        XCTAssertGreaterThanOrEqual(queries.count, 12)
        for q in queries {
            let r = try logq(["run", "--store", tmp + "/s", "--format", "json", "queries/" + q])
            XCTAssertEqual(r.code, 0, "\(q): \(r.err)")
            let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
            let tables = obj?["tables"] as? [[String: Any]]
            XCTAssertEqual(tables?.first?["name"] as? String, "PrimaryResult", q)
            XCTAssertGreaterThan((tables?.first?["rows"] as? [Any])?.count ?? 0, 0, "\(q) returned no rows")
        }
    }

    /// Headless Chromium, when installed (`make test` installs Debian's `chromium` when run as root).
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Opens `html` in headless Chromium, writes a screenshot, and returns the console messages it logged.
    func screenshot(_ html: String, to png: String, height: Int = 2400) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.chromium!)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(tmp)/chromium-profile",
                       "--window-size=1100,\(height)", "--screenshot=\(png)", "--enable-logging=stderr", "--v=0",
                       "file://" + html]
        let e = Pipe()
        p.standardError = e; p.standardOutput = Pipe()
        try p.run()
        let err = String(decoding: e.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, err)
        return err.split(separator: "\n").map(String.init).filter { $0.contains("CONSOLE") }
    }

    /// The post-incident report: the window found from the data, every saved query, inline SVG charts
    /// with the window shaded, nothing fetched from elsewhere; Chromium renders it without console errors.
    func testIncidentReportIsSelfContainedAndRendersInChromium() throws {
        XCTAssertEqual(try logq(["generate", "--out", tmp + "/data", "--rows", "60000", "--days", "3"]).code, 0)
        XCTAssertEqual(try logq(["ingest", "--store", tmp + "/s", tmp + "/data"]).code, 0)
        let r = try logq(["report", "--store", tmp + "/s", "--incident", "--title", "Checkout <outage>", "-o", tmp + "/report.html"])
        XCTAssertEqual(r.code, 0, r.err)
        let queries = try FileManager.default.contentsOfDirectory(atPath: CLITests.repo + "/queries").filter { $0.hasSuffix(".kql") }
        // The generator's incident (seed 42: 2025-03-04 11:50 to 12:10) is found to the bin.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmp + "/data/manifest.json"))) as! [String: Any]
        let (start, end) = (manifest["incident_start"] as! String, manifest["incident_end"] as! String)
        XCTAssertEqual(r.err, "wrote \(tmp)/report.html: \(queries.count) queries, window \(start) .. \(end)\n")
        let html = try String(contentsOfFile: tmp + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<title>Checkout &lt;outage&gt;</title>"))
        XCTAssertTrue(html.contains("Window found by --incident: "))
        XCTAssertEqual(html.components(separatedBy: "<section id=").count - 1, queries.count)
        let charted = try queries.filter { try String(contentsOfFile: CLITests.repo + "/queries/" + $0, encoding: .utf8).contains("| render ") }
        XCTAssertGreaterThanOrEqual(charted.count, 3)
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, charted.count)
        XCTAssertEqual(html.components(separatedBy: ">incident window</text>").count - 1, charted.count, "every time chart shades the window")
        for forbidden in ["<script", "<link", "src=", "@import", "url(", "href=\"http"] {
            XCTAssertFalse(html.contains(forbidden), "the report must be self-contained: found \(forbidden)")
        }
        XCTAssertTrue(html.contains("logq report --store \(tmp)/s --incident --title 'Checkout <outage>'".replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")))
        // Markdown: the same document with the charts as SVG files beside it.
        let md = try logq(["report", "--store", tmp + "/s", "--from", "2025-03-04T11:45:00Z", "--to", "2025-03-04T12:10:00Z", "-o", tmp + "/report.md"])
        XCTAssertEqual(md.code, 0, md.err)
        let doc = try String(contentsOfFile: tmp + "/report.md", encoding: .utf8)
        XCTAssertTrue(doc.contains("**Window:** 2025-03-04T11:45:00.0000000Z to 2025-03-04T12:10:00.0000000Z (UTC, end exclusive; 00:25:00)"), doc)
        let svgs = try FileManager.default.contentsOfDirectory(atPath: tmp + "/report_files").sorted()
        XCTAssertEqual(svgs.count, charted.count)
        for f in svgs { XCTAssertTrue(doc.contains("(report_files/\(f))"), f) }
        // usage errors
        let bad = try logq(["report", "--store", tmp + "/s", "--from", "2025-03-04T14:00:00Z", "--to", "2025-03-04T13:00:00Z", "-o", tmp + "/x.html"])
        XCTAssertEqual(bad.code, 2)
        XCTAssertTrue(bad.err.contains("--from must be before --to"), bad.err)
        XCTAssertEqual(try logq(["report", "--store", tmp + "/s", "--incident", "-o", tmp + "/x.pdf"]).code, 2)

        guard CLITests.chromium != nil else { throw XCTSkip("chromium is not installed (make test installs it when run as root)") }
        // The console check can fail: a page that logs an error is caught.
        try "<!DOCTYPE html><html><body><script>console.error('boom')</script></body></html>".write(toFile: tmp + "/bad.html", atomically: true, encoding: .utf8)
        XCTAssertFalse(try screenshot(tmp + "/bad.html", to: tmp + "/bad.png", height: 200).isEmpty, "console messages are not being captured")
        let console = try screenshot(tmp + "/report.html", to: tmp + "/report.png")
        XCTAssertEqual(console, [], "the report logged to the console")
        let png = try Data(contentsOf: URL(fileURLWithPath: tmp + "/report.png"))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertGreaterThan(png.count, 50_000, "a rendered report, not a blank page")
    }

    func testCompactAndDropFromTheCommandLine() throws {
        XCTAssertEqual(try logq(["generate", "--out", tmp + "/data", "--rows", "2000", "--days", "3"]).code, 0)
        for f in ["requests", "traces"] { XCTAssertEqual(try logq(["ingest", "--store", tmp + "/s", tmp + "/data/\(f).jsonl"]).code, 0) }
        // a second small batch of requests, so that there is something to merge
        let lines = try String(contentsOfFile: tmp + "/data/requests.jsonl", encoding: .utf8).split(separator: "\n").prefix(10).joined(separator: "\n")
        XCTAssertEqual(try logq(["ingest", "--store", tmp + "/s", "--force", "-"], stdin: lines).code, 0)
        let c = try logq(["compact", "--store", tmp + "/s", "--table", "requests"])
        XCTAssertEqual(c.code, 0, c.err)
        let row = c.out.split(separator: "\n")[1].split(separator: "\t")
        XCTAssertEqual(Array(row.prefix(4)), ["requests", "2", "1", "2010"])
        XCTAssertEqual(try logq(["query", "--store", tmp + "/s", "--format", "csv", "requests | count"]).out, "Count\n2010\n")
        let d = try logq(["drop", "--store", tmp + "/s", "--before", "2030-01-01", "--table", "traces"])
        XCTAssertEqual(d.code, 0, d.err)
        XCTAssertTrue(d.out.hasPrefix("table\tsegments dropped\trows dropped\tbytes dropped\tsegments straddling\ntraces\t1\t800\t"), d.out)
        XCTAssertEqual(try logq(["query", "--store", tmp + "/s", "--format", "csv", "traces | count"]).out, "Count\n0\n")
        let unknown = try logq(["compact", "--store", tmp + "/s", "--table", "nope"])
        XCTAssertEqual(unknown.code, 2)
        XCTAssertTrue(unknown.err.contains("table 'nope' does not exist in the store"), unknown.err)
        XCTAssertEqual(try logq(["drop", "--store", tmp + "/s", "--before", "yesterday-ish"]).code, 2)
    }

    /// On a terminal (a pseudo-terminal from `script`): colours unless NO_COLOR, a chart under the
    /// table for `render`, tables fitted to the width; piped: plain TSV and no chart.
    func testTerminalOutputColoursChartsAndNoColor() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("no /usr/bin/script for a pseudo-terminal") }
        let chart = "range i from 1 to 30 step 1 | extend t = datetime(2025-03-07) + i * 1m, v = i % 7 | project t, v | render timechart"
        let wide = "range i from 1 to 3 step 1 | extend note = strcat('a long text cell number ', i, ' that will not fit into sixty columns at all')"
        func onTerminal(_ env: String, _ q: String) throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            // env -u: the test runner's own NO_COLOR (if any) must not leak into the coloured case.
            let cmd = "stty cols 60 rows 200; env -u NO_COLOR TERM=xterm \(env) '\(CLITests.binary)' query --store '\(tmp)/s' --no-pager \"\(q)\""
            p.arguments = ["-qec", cmd, "/dev/null"]
            let o = Pipe()
            p.standardOutput = o; p.standardError = Pipe(); p.standardInput = Pipe()
            try p.run()
            let out = o.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return String(decoding: out, as: UTF8.self)
        }
        XCTAssertEqual(try logq(["init", "--store", tmp + "/s"]).code, 0)
        let colour = try onTerminal("", chart)
        XCTAssertTrue(colour.contains("\u{1B}[1mt"), "a bold header on a terminal: \(colour.debugDescription)")
        XCTAssertTrue(colour.contains("▁") && colour.contains("█"), "a sparkline under the table: \(colour)")
        let plain = try onTerminal("NO_COLOR=1", chart)
        XCTAssertFalse(plain.contains("\u{1B}["), "NO_COLOR: no escape sequences: \(plain.debugDescription)")
        XCTAssertTrue(plain.contains("▁") && plain.contains("█"))
        let fitted = try onTerminal("NO_COLOR=1", wide)
        XCTAssertTrue(fitted.contains("long cells cut with …"), fitted)
        // (a terminal ends lines with \r\n, one Character in Swift)
        let lines = fitted.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").filter { $0.contains("a long") }
        XCTAssertEqual(lines.count, 3, fitted)
        for line in lines { XCTAssertEqual(line.count, 60, String(line)) }
        let piped = try logq(["query", "--store", tmp + "/s", chart])
        XCTAssertTrue(piped.out.hasPrefix("t\tv\n"), piped.out)
        XCTAssertFalse(piped.out.contains("▁") || piped.out.contains("\u{1B}["))
    }

    func testRepeatRunsTheCompiledQueryNTimesAndPrintsEachTimeAndTheMedian() throws {
        XCTAssertEqual(try logq(["init", "--store", tmp + "/s"]).code, 0)
        let q = "range i from 1 to 3 step 1 | extend s = strcat('#', i)"
        let r = try logq(["query", "--store", tmp + "/s", "--format", "csv", "--repeat", "5", "--stats", q])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertEqual(r.out, "i,s\n1,#1\n2,#2\n3,#3\n", "the result is printed once")
        let lines = r.err.split(separator: "\n").map(String.init)
        let runs = lines.filter { $0.hasPrefix("run ") }
        XCTAssertEqual(runs.count, 5, r.err)
        for (i, l) in runs.enumerated() {
            XCTAssertNotNil(l.range(of: "^run \(i + 1): [0-9]+\\.[0-9] ms$", options: .regularExpression), l)
        }
        XCTAssertEqual(lines.filter { $0.range(of: "^median of 5: [0-9]+\\.[0-9] ms$", options: .regularExpression) != nil }.count, 1, r.err)
        XCTAssertTrue(r.err.contains("rows scanned: "), r.err)
        // run: a saved query, the same way
        try "// title: three\n\(q)\n".write(toFile: tmp + "/three.kql", atomically: true, encoding: .utf8)
        let saved = try logq(["run", "--store", tmp + "/s", "--format", "csv", "--repeat", "2", tmp + "/three.kql"])
        XCTAssertEqual(saved.code, 0, saved.err)
        XCTAssertEqual(saved.out, "i,s\n1,#1\n2,#2\n3,#3\n")
        XCTAssertEqual(saved.err.split(separator: "\n").filter { $0.hasPrefix("run ") }.count, 2, saved.err)
        XCTAssertTrue(saved.err.contains("median of 2: "), saved.err)
        // without --repeat: no timing lines
        XCTAssertFalse(try logq(["query", "--store", tmp + "/s", q]).err.contains("median"))
        let zero = try logq(["query", "--store", tmp + "/s", "--repeat", "0", q])
        XCTAssertEqual(zero.code, 2)
        XCTAssertTrue(zero.err.contains("--repeat must be at least 1"), zero.err)
        XCTAssertEqual(zero.out, "")
        XCTAssertTrue(try logq(["query", "--help"]).out.contains("--repeat <N>"))
        XCTAssertTrue(try logq(["run", "--help"]).out.contains("--repeat <N>"))
        XCTAssertTrue(try logq(["--help"]).out.contains("\n  70 internal error (a bug in logq: please report it)\n"))
    }

    func testAStorageErrorExits1ByItsDiagnosticsPhase() throws {
        XCTAssertEqual(try logq(["ingest", "--store", tmp + "/s", "--table", "A", "-"], stdin: "{\"a\":1}\n").code, 0)
        let segments = tmp + "/s/segments"
        let files = (FileManager.default.enumerator(atPath: segments)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".seg") }
        XCTAssertEqual(files.count, 1)
        for f in files { try FileManager.default.removeItem(atPath: segments + "/" + f) }
        let r = try logq(["query", "--store", tmp + "/s", "A | summarize sum(a)"])
        XCTAssertEqual(r.code, 1, r.err)
        XCTAssertTrue(r.err.contains("error LQ3003: "), r.err)
    }
}
