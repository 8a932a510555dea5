import Foundation
import XCTest

/// Command-line values that trapped (`Int64(1e300 * ticks)`, `parseTimespan("nan")`): each is a
/// usage error (exit 2) that names the option and the value, and nothing runs.
final class OptionValueTests: XCTestCase {
    typealias Run = ProcessRun

    func logq(_ args: [String], stdin: String? = nil) throws -> Run { try runProcess(args, stdin: stdin) }

    var tmp = ""
    var store: String { tmp + "/s" }

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary) else { XCTFail("logq binary not built at \(CLITests.binary)"); return }
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("logq-opt-\(UUID())").path
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let r = try logq(["ingest", "--store", store, "--table", "t", "-"], stdin: "{\"timestamp\":\"2025-01-01T00:00:00Z\",\"x\":1}\n")
        XCTAssertEqual(r.code, 0, r.err)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: tmp) }

    func assertUsageError(_ args: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try logq(args)
        XCTAssertEqual(r.code, 2, "\(args): \(r.err)", file: file, line: line)
        XCTAssertTrue(r.err.contains(message), "\(args): stderr was \(r.err)", file: file, line: line)
        XCTAssertFalse(r.err.contains("crashed"), r.err, file: file, line: line)
        XCTAssertEqual(r.out, "", file: file, line: line)
    }

    func testSpansBeyondATimespanAreUsageErrors() throws {
        try assertUsageError(["query", "--store", store, "--since", "1e300d", "t | count"],
                             "--since '1e300d' is out of range: a span must be a finite number within 10675199 days")
        try assertUsageError(["query", "--store", store, "--from", "2025-01-01", "--to", "nanh", "t | count"],
                             "--to 'nanh' is out of range: a span must be a finite number within 10675199 days")
        try assertUsageError(["drop", "--store", store, "--before", "99999999999d"],
                             "--before '99999999999d' is out of range: a span must be a finite number within 10675199 days")
    }

    /// A span that fits a timespan but reaches before year 1 from now is no datetime either.
    func testSpansReachingOutsideTheDatetimeRangeAreUsageErrors() throws {
        try assertUsageError(["drop", "--store", store, "--before", "1000000d", "--dry-run"], "--before '1000000d' reaches before 0001-01-01 or after 9999-12-31")
        try assertUsageError(["query", "--store", store, "--since=-10675199d", "t | count"], "--since '-10675199d' reaches before 0001-01-01 or after 9999-12-31")
        let ok = try logq(["query", "--store", store, "--format", "csv", "--from", "2024-12-31", "--to=-1d", "t | count"])
        XCTAssertEqual(ok.code, 0, ok.err)
        XCTAssertEqual(ok.out, "Count\n1\n")
    }

    /// A parameter's text that its declared type cannot hold is a located error naming it and the value.
    func testParameterValuesOutOfRangeAreErrors() throws {
        let t = try logq(["query", "--store", store, "--param", "t=nan", "declare query_parameters(t:timespan); print t"])
        XCTAssertEqual(t.code, 2, t.err)
        XCTAssertTrue(t.err.contains("<query>:1:26: error LQ2018: query parameter 't': 'nan' is not a valid timespan"), t.err)
        let n = try logq(["query", "--store", store, "--param", "n=1e400", "declare query_parameters(n:long); print n"])
        XCTAssertEqual(n.code, 2, n.err)
        XCTAssertTrue(n.err.contains("<query>:1:26: error LQ2018: query parameter 'n': '1e400' is not a valid long"), n.err)
        let big = try logq(["query", "--store", store, "--param", "n=1e19", "declare query_parameters(n:long); print n"])
        XCTAssertEqual(big.code, 2, big.err)
        XCTAssertTrue(big.err.contains("'1e19' is not a valid long"), big.err)
        let ok = try logq(["query", "--store", store, "--format", "csv", "--param", "t=-10675199.02:48:05.4775808", "declare query_parameters(t:timespan); print t"])
        XCTAssertEqual(ok.code, 0, ok.err)
        XCTAssertEqual(ok.out, "t\n-10675199.02:48:05.4775808\n")
    }

    func testReportContextBeyondATimespan() throws {
        try assertUsageError(["report", "--store", store, "--from", "2025-01-01", "--to", "2025-01-02", "--context", "1e300h", "-o", tmp + "/r.html"],
                             "--context '1e300h' is out of range: a span must be a finite number within 10675199 days")
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp + "/r.html"))
    }

    func testTimeoutMustBeFinite() throws {
        try assertUsageError(["query", "--store", store, "--timeout", "nan", "print 1"], "--timeout 'nan' must be a finite number of seconds, 0 or more")
        let huge = try logq(["query", "--store", store, "--format", "csv", "--max-memory", "9223372036854775807", "print x = 1"])
        XCTAssertEqual(huge.code, 0, huge.err)
        XCTAssertEqual(huge.out, "x\n1\n")
    }
}
