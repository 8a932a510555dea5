import Foundation
import XCTest
import LogStore
@testable import QueryLang

/// Issue 11's arithmetic traps: each query below ended the process (exit 132, nothing printed) or
/// wrapped silently. Each now gives Kusto's answer for an out-of-range value (null), the exact
/// value, or a located error, and the test states which.
final class ArithmeticTrapTests: XCTestCase {
    var dir = ""
    var store: Store!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-arith-\(UUID())").path
        store = try Store(path: dir, create: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// The query's result as CSV (header line, then rows): a null cell is empty.
    func csv(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let q = try QueryEngine.compile(text, store: store)
        return ResultFormatter.render(try q.run(), as: .csv).trimmingCharacters(in: .newlines)
    }

    func assertCSV(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        do { let got = try csv(text); XCTAssertEqual(got, expected, text, file: file, line: line) }
        catch { XCTFail("\(text): \(error)", file: file, line: line) }
    }

    /// Ingests `lines` (NDJSON) as table `t`.
    func ingest(_ lines: [String]) throws {
        let data = dir + "/in.ndjson"
        try lines.joined(separator: "\n").write(toFile: data, atomically: true, encoding: .utf8)
        var io = IngestOptions(); io.table = "t"
        _ = try store.ingest(paths: [data], options: io)
    }

    // MARK: conversions of doubles and text

    func testToLongOfOutOfRangeTextAndRealsIsNull() {
        assertCSV(#"print a = tolong("1e19"), b = tolong("-1e19"), c = tolong("nan"), d = tolong("1e4"), e = toint("1e19"), f = tolong(dynamic(1e19)), g = tolong(1e19)"#,
                  "a,b,c,d,e,f,g\n,,,10000,,,")
    }

    /// One stored "1e19" string crashed every tolong() over its column (the typed kernel path).
    func testToLongOverAStoredOutOfRangeString() throws {
        try ingest([#"{"s":"1e19","r":1e19,"d":{"v":1e19}}"#, #"{"s":"42","r":42.9,"d":{"v":-3}}"#, #"{"s":"nan","r":-1e300,"d":{"v":"inf"}}"#])
        assertCSV("t | project a = tolong(s), b = toint(s), c = tolong(r), e = tolong(d.v)", "a,b,c,e\n,,,\n42,42,42,-3\n,,,")
    }

    func testToTimespanOfNaNAndOutOfRangeText() {
        assertCSV(#"print a = totimespan("nan"), b = totimespan("inf"), c = totimespan("1e300"), d = totimespan("99999999999.00:00:00"), e = totimespan("1.5")"#,
                  "a,b,c,d,e\n,,,,1.12:00:00")
    }

    /// Kusto's own minimum timespan parses and prints back exactly (its magnitude is not an Int64).
    func testKustoMinimumTimespanRoundTrips() {
        assertCSV(#"print a = totimespan("-10675199.02:48:05.4775808"), b = totimespan("10675199.02:48:05.4775807"), c = totimespan("-10675199.02:48:05.4775809")"#,
                  "a,b,c\n-10675199.02:48:05.4775808,10675199.02:48:05.4775807,")
        assertCSV(#"print f = format_timespan(totimespan("-10675199.02:48:05.4775808"), "d.hh:mm:ss.fffffff")"#, "f\n10675199.02:48:05.4775808")
        XCTAssertEqual(Ticks.parseTimespan("-10675199.02:48:05.4775808"), Int64.min)
        XCTAssertEqual(Ticks.formatTimespan(Int64.min), "-10675199.02:48:05.4775808")
    }

    func testUnixTimeConversionsOutOfRangeAreNull() {
        assertCSV("print a = unixtime_seconds_todatetime(1e12), b = unixtime_milliseconds_todatetime(1e20), c = unixtime_microseconds_todatetime(1e30), d = unixtime_nanoseconds_todatetime(1e40), e = unixtime_seconds_todatetime(-1e12), f = unixtime_seconds_todatetime(todouble(\"nan\"))",
                  "a,b,c,d,e,f\n,,,,,")
        assertCSV("print a = unixtime_seconds_todatetime(1), b = unixtime_milliseconds_todatetime(1500), c = unixtime_nanoseconds_todatetime(1000)",
                  "a,b,c\n1970-01-01T00:00:01.0000000Z,1970-01-01T00:00:01.5000000Z,1970-01-01T00:00:00.0000010Z")
    }

    // MARK: datetime and timespan arithmetic

    func testTimespanTimesRealOutOfRangeIsNull() {
        assertCSV("print a = 1d * 1e12, b = 1e12 * 1d, c = 1d / 1e-12, d = 1d * 2.5, e = 1d / 4.0, f = 1d * todouble(\"nan\")",
                  "a,b,c,d,e,f\n,,,2.12:00:00,06:00:00,")
    }

    /// datetime(2020-01-01) + 10675199d wrapped around to year 0000.
    func testDatetimePlusTimespanBeyondTheRangeIsNull() {
        assertCSV("print a = datetime(2020-01-01) + 10675199d, b = datetime(2020-01-01) - 10675199d, c = 10675199d + 10675199d, d = datetime(9999-12-31) + 1d, e = datetime(2020-01-01) + 1d, f = datetime(2020-01-02) - datetime(2020-01-01)",
                  "a,b,c,d,e,f\n,,,,2020-01-02T00:00:00.0000000Z,1.00:00:00")
    }

    func testDatetimePlusTimespanOverAColumn() {
        assertCSV("range i from 1 to 3 step 1 | extend s = i * 5000000d | project a = datetime(2020-01-01) + s, b = s + s",
                  "a,b\n,10000000.00:00:00\n,\n,")
    }

    func testAgoAndNowWithOffsetsBeyondTheRange() {
        assertCSV("print a = ago(10675199d), b = ago(-10675199d), c = now(10675199d), d = now(-10675199d), e = ago(1d) < now()", "a,b,c,d,e\n,,,,true")
    }

    func testDatetimeAddOverflowIsNull() {
        assertCSV("""
            print a = datetime_add('day', 9223372036854775807, datetime(2020-01-01)), b = datetime_add('year', 1000000000000000000, datetime(2020-01-01)),
                  c = datetime_add('month', -24240, datetime(2020-01-01)), d = datetime_add('year', 1, datetime(2020-02-29)), e = datetime_add('week', -1, datetime(0001-01-03)),
                  f = datetime_add('nanosecond', 9223372036854775807, datetime(2020-01-01)) // 100 ns a tick: in range
            """, "a,b,c,d,e,f\n,,,2021-02-28T00:00:00.0000000Z,,2312-04-11T23:47:16.8547758Z")
    }

    func testDatetimeDiffNanosecondsBeyondLongIsNull() {
        assertCSV("print a = datetime_diff('nanosecond', datetime(9999-01-01), datetime(0001-01-01)), b = datetime_diff('nanosecond', datetime(2020-01-01 00:00:01), datetime(2020-01-01)), c = datetime_diff('week', datetime(9999-12-31), datetime(0001-01-01))",
                  "a,b,c\n,1000000000,521722")
    }

    func testStartAndEndOfWithHugeOffsets() {
        assertCSV("""
            print a = startofday(datetime(2020-01-01), 9223372036854775807), b = startofweek(datetime(2020-01-01), -9223372036854775807),
                  c = startofmonth(datetime(2020-01-01), 9223372036854775807), d = startofyear(datetime(2020-01-01), 8000),
                  e = endofyear(datetime(9999-06-01)), f = endofyear(datetime(2020-01-01), 8000), g = endofday(datetime(2020-01-01), 9223372036854775807),
                  h = startofmonth(datetime(2020-03-15), -1), i = startofmonth(datetime(0001-01-01), -9223372036854775807 - 1),
                  j = datetime_add('month', -9223372036854775807 - 1, datetime(2020-01-01))
            """, "a,b,c,d,e,f,g,h,i,j\n,,,,9999-12-31T23:59:59.9999999Z,,,2020-02-01T00:00:00.0000000Z,,")
    }

    // MARK: integers

    func testSubstringWithHugeStartOrLength() {
        assertCSV("print a = substring('hello', 1, 9223372036854775807), b = substring('hello', 9223372036854775807, 2), c = substring('hello', -9223372036854775807, 2), d = substring('héllo', 1, 9223372036854775807)",
                  "a,b,c,d\nello,,he,éllo")
        // The typed kernel (a column, not a constant) takes the same path.
        assertCSV("print s = 'hello', t = 'héllo' | project a = substring(s, 2, 9223372036854775807), b = substring(t, 2, 9223372036854775807)", "a,b\nllo,llo")
    }

    func testAbsOfTheMinimumIsNull() {
        assertCSV("print a = abs(-9223372036854775807 - 1), b = abs(-5), c = abs(totimespan('-10675199.02:48:05.4775808')), d = abs(-1d)", "a,b,c,d\n,5,,1.00:00:00")
    }

    func testBinBeyondTheRangeIsNull() {
        assertCSV("""
            print a = bin(-9223372036854775807, 10), b = bin(-9223372036854775807, 1), c = bin(-10675199d, 7d), d = bin(17, 5),
                  e = bin_at(datetime(0001-01-01 06:00), 1d, datetime(0001-01-01 12:00)), f = bin(datetime(2020-01-01 13:00), 1d), g = floor(-7, 2)
            """, "a,b,c,d,e,f,g\n,-9223372036854775807,,15,,2020-01-01T00:00:00.0000000Z,-8")
        // A real bin size so small that the quotient overflows leaves the value in its own bin, not infinity.
        assertCSV("print a = bin(1e10, 1e-300), b = bin(2.5, 0.5), c = bin(-2.5, 2.0) | extend d = bin(a, 1e-300)", "a,b,c,d\n10000000000,2.5,-4,10000000000")
        // A column (typed kernel) and a bin size from a column (row by row) agree.
        assertCSV("range i from 1 to 2 step 1 | extend x = -9223372036854775807 + i - 1, s = 10 | project a = bin(x, 10), b = bin(x, s)", "a,b\n,\n,")
        assertCSV("range i from 1 to 1 step 1 | extend t = -10675199d, s = 7d | project a = bin(t, 7d), b = bin(t, s)", "a,b\n,")
    }

    // MARK: row functions

    func testRowFunctionsWithHugeArguments() {
        assertCSV("range i from 1 to 3 step 1 | serialize | extend r = row_number(9223372036854775807), p = prev(i, 9223372036854775807), n = next(i, 9223372036854775807), q = prev(i, 1)",
                  "i,r,p,n,q\n1,9223372036854775807,,,\n2,-9223372036854775808,,,1\n3,-9223372036854775807,,,2")
    }

    func testRowCumsumWrapsLongsAndNullsTimespanOverflow() {
        assertCSV("range i from 1 to 3 step 1 | extend v = 9223372036854775807, t = 10675199d | serialize | project c = row_cumsum(v), d = row_cumsum(t), e = row_cumsum(i)",
                  "c,d,e\n9223372036854775807,10675199.00:00:00,1\n-2,,3\n9223372036854775805,,6")
    }

    // MARK: aggregates

    func testPercentilesGivenADynamicArray() throws {
        assertCSV("range x from 1 to 100 step 1 | summarize percentiles(x, dynamic([50, 95]))", "percentile_x_50,percentile_x_95\n50,95")
        for bad in ["dynamic([50, 1e300])", "dynamic([-1])", "dynamic(['a'])"] {
            let text = "range x from 1 to 10 step 1 | summarize percentiles(x, \(bad))"
            XCTAssertThrowsError(try csv(text), bad) { e in
                guard let f = e as? CompileFailure, f.diagnostics.count == 1, let d = f.diagnostics.first else { return XCTFail("\(bad): \(e)") }
                XCTAssertEqual("\(d.code)", "LQ2017", "\(bad): \(d.message)")
                XCTAssertTrue(d.message.contains("a percentile must be a number from 0 to 100"), d.message)
                XCTAssertEqual(covered(text, d.range), bad)
            }
        }
    }

    /// stdev/variance over a dynamic column indexed its (absent) doubles and trapped.
    func testVarianceOfADynamicColumn() {
        assertCSV("range i from 1 to 3 step 1 | extend v = dynamic([1]), w = parse_json(tostring(i)) | summarize a = variance(v), b = variance(w), c = stdev(w), d = variancep(w)",
                  "a,b,c,d\n0,1,1,0.6666666666666666")
    }

    /// A sum of timespans beyond Int64 wrapped to a negative span; it is null, and exact on the way
    /// (a partial sum past the maximum that comes back in range is the right answer). Longs still wrap.
    func testSumOfTimespansBeyondTheRangeIsNull() {
        assertCSV("range i from 1 to 3 step 1 | extend t = 10675199d | summarize s = sum(t), n = sum(9223372036854775807) | extend z = isnull(s)",
                  "s,n,z\n,9223372036854775805,true")
        assertCSV("range i from 1 to 3 step 1 | extend t = iff(i == 3, -10675199d, 10675199d) | summarize s = sum(t), c = sumif(t, i < 3)",
                  "s,c\n10675199.00:00:00,")
        assertCSV("range i from 1 to 4 step 1 | extend t = i * 1h | summarize s = sum(t) by k = i % 2 | order by k asc", "k,s\n0,06:00:00\n1,04:00:00")
    }

    func testAverageOfTheLargestTimespanIsNull() {
        assertCSV("print t = totimespan('10675199.02:48:05.4775807') | summarize a = avg(t) | extend n = isnull(a)", "a,n\n,true")
        assertCSV("range i from 1 to 2 step 1 | extend t = i * 1d | summarize a = avg(t)", "a\n1.12:00:00")
    }
}
