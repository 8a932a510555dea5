import Foundation
import XCTest

/// `logq ingest` as a user meets issue 11's hostile inputs: what stderr says and the exit status.
final class IngestCLITests: XCTestCase {
    typealias Run = ProcessRun

    func logq(_ args: [String]) throws -> Run { try runProcess(args) }

    var tmp = ""
    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary) else { XCTFail("logq binary not built at \(CLITests.binary)"); return }
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("logq-e2e-ingest-\(UUID())").path
        try FileManager.default.createDirectory(atPath: tmp + "/in", withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: tmp) }

    func testAFifoIsReportedAndSkippedAndTheRunExits1() throws {
        XCTAssertEqual(mkfifo(tmp + "/in/a-pipe.jsonl", 0o644), 0)
        FileManager.default.createFile(atPath: tmp + "/in/b.json", contents: Data("[\n{\"n\":1},\n{\"n\":tru},\n{\"n\":3}\n]\n".utf8))
        let r = try logq(["ingest", "--store", tmp + "/s", "--table", "T", tmp + "/in"])
        XCTAssertEqual(r.code, 1, r.err)
        XCTAssertTrue(r.err.contains("\(tmp)/in/a-pipe.jsonl: not ingested: not a regular file (a FIFO)\n"), r.err)
        XCTAssertTrue(r.err.contains("\(tmp)/in/b.json:3: malformed JSON: invalid literal (column 6)\n"), r.err)
        XCTAssertTrue(r.err.contains("ingested 2 rows from 1 file(s)"), r.err)
        XCTAssertTrue(r.err.contains(", 1 rejected, 1 file(s) not ingested\n"), r.err)
        let count = try logq(["query", "--store", tmp + "/s", "--format", "csv", "T | summarize sum(n)"])
        XCTAssertEqual(count.out, "sum_n\n4\n", count.err)
    }

    func testTheBuiltInRejectsTableCannotBeTheTarget() throws {
        FileManager.default.createFile(atPath: tmp + "/in/x.jsonl", contents: Data("{\"n\":1}\n".utf8))
        let r = try logq(["ingest", "--store", tmp + "/s", "--table", "ingest_rejects", tmp + "/in/x.jsonl"])
        XCTAssertEqual(r.code, 2, r.err)
        XCTAssertTrue(r.err.contains("--table: table name 'ingest_rejects' is reserved for the built-in table of rejected lines"), r.err)
    }
}
