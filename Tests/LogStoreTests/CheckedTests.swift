import XCTest
@testable import LogStore

/// The checked helpers answer nil wherever Swift's own conversion or operator would trap.
final class CheckedTests: XCTestCase {
    func testDoubleConversionsRefuseWhatSwiftTrapsOn() {
        for d in [Double.nan, .infinity, -.infinity, 1e19, -1e19, 9_223_372_036_854_775_808.0] {
            XCTAssertNil(Checked.int64(truncating: d), "\(d)")
            XCTAssertNil(Checked.int64(rounding: d), "\(d)")
            XCTAssertNil(Checked.int64(flooring: d), "\(d)")
        }
        XCTAssertEqual(Checked.int64(truncating: -9_223_372_036_854_775_808.0), Int64.min)
        XCTAssertEqual(Checked.int64(truncating: -2.7), -2)
        XCTAssertEqual(Checked.int64(rounding: -2.5), -3)
        XCTAssertEqual(Checked.int64(flooring: -2.5), -3)
        XCTAssertNil(Checked.int32(truncating: 2_147_483_648.0))
        XCTAssertEqual(Checked.int32(truncating: -2_147_483_648.9), Int32.min)
    }

    func testIntegerOperationsReportOverflow() {
        XCTAssertNil(Checked.add(.max, 1))
        XCTAssertNil(Checked.subtract(.min, 1))
        XCTAssertNil(Checked.multiply(.max / 2 + 1, 2))
        XCTAssertNil(Checked.divide(.min, -1))
        XCTAssertNil(Checked.divide(1, 0))
        XCTAssertEqual(Checked.remainder(.min, -1), 0)
        XCTAssertNil(Checked.remainder(1, 0))
        XCTAssertNil(Checked.negate(.min))
        XCTAssertNil(Checked.abs(.min))
        XCTAssertEqual(Checked.floor(-7, toMultipleOf: 5), -10)
        XCTAssertEqual(Checked.floor(7, toMultipleOf: 5), 5)
        XCTAssertNil(Checked.floor(.min, toMultipleOf: 5))
        XCTAssertNil(Checked.floor(3, toMultipleOf: 0))
    }

    func testTicksStayWithinKustoRanges() {
        XCTAssertNil(Checked.ticks(Int64(20_000_000), unit: Ticks.perDay).flatMap { Checked.datetime($0) })
        XCTAssertNil(Checked.ticks(Int64(20_000_000_000), unit: Ticks.perDay))
        XCTAssertNil(Checked.ticks(1e12, unit: Ticks.perDay))
        XCTAssertNil(Checked.ticks(Double.nan, unit: Ticks.perSecond))
        XCTAssertEqual(Checked.ticks(1.5, unit: Ticks.perHour), 54_000_000_000)
        let y2020 = Ticks.from(year: 2020, month: 1, day: 1)
        XCTAssertNil(Checked.datetime(y2020, plus: 10_675_199 * Ticks.perDay))
        XCTAssertNil(Checked.datetime(y2020, plus: -y2020 - 1))
        XCTAssertEqual(Checked.datetime(y2020, plus: -y2020), 0)
        XCTAssertNil(Checked.datetime(sinceUnixEpoch: 1e12))
        XCTAssertEqual(Checked.datetime(sinceUnixEpoch: 0), Ticks.unixEpoch)
        XCTAssertNil(Checked.datetime(sinceUnixEpoch: Int64.max, unit: Ticks.perMillisecond))
    }
}
