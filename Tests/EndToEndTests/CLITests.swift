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

    struct Run { let code: Int32; let out: String; let err: String }

    @discardableResult
    func logq(_ args: [String], stdin: String? = nil) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: CLITests.repo)
        let o = Pipe(), e = Pipe(), i = Pipe()
        p.standardOutput = o; p.standardError = e; p.standardInput = i
        try p.run()
        if let s = stdin { i.fileHandleForWriting.write(s.data(using: .utf8)!) }
        try i.fileHandleForWriting.close()
        let out = o.fileHandleForReading.readDataToEndOfFile(), err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(code: p.terminationStatus, out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self))
    }

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
        // A budget that is exceeded is a clear error (exit 2), not a crash.
        let b = try logq(["query", "--store", tmp + "/s", "--max-rows-scanned", "1", "bad | count"])
        XCTAssertEqual(b.code, 2)
        XCTAssertTrue(b.err.contains("error LQ3001: the query read more than 1 rows (raise the limit with --max-rows-scanned)"), b.err)
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
}
