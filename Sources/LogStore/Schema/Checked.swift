/// Arithmetic on values that come from outside: query text, stored data, command-line options and
/// ingested documents. Swift traps on `Int64(x)` of a NaN, an infinity or a double beyond ±2^63, and on
/// `+ - *` that overflow; a value that an application or a user sent must never end the process, so
/// every such conversion or combination goes through one of these helpers and gets `nil` back, which
/// callers turn into Kusto's answer for out-of-range values (null) or a located error.
///
/// Kusto's ranges: a datetime is 0001-01-01 to 9999-12-31T23:59:59.9999999 (`Ticks.minDatetime` to
/// `Ticks.maxDatetime`); a timespan is any 64-bit tick count (its minimum, `-10675199.02:48:05.4775808`,
/// is `Int64.min`). `long` arithmetic wraps in Kusto (it is .NET's unchecked arithmetic), so the
/// operators `+ - *` on longs use the wrapping operators on purpose; everything that produces a
/// datetime or a timespan, or converts a double, goes through here.
///
/// `.ci/lint-arith` greps the sources for `Int64(` of a double and for plain arithmetic in the files
/// that handle user values; a line that is safe by construction says why in a `// checked:` comment.
public enum Checked {
    // MARK: - Doubles to integers

    /// The double truncated toward zero as an Int64, or nil for NaN, ±infinity and values outside
    /// Int64's range. (2^63 itself is not representable; -2^63 is.)
    @inlinable
    public static func int64(truncating d: Double) -> Int64? {
        guard d.isFinite, d >= -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 else { return nil }
        return Int64(d) // checked: finite and within range
    }

    /// The double rounded to the nearest integer (halves away from zero) as an Int64, or nil.
    @inlinable
    public static func int64(rounding d: Double) -> Int64? {
        guard d.isFinite else { return nil }
        return int64(truncating: d.rounded())
    }

    /// The double rounded down as an Int64, or nil.
    @inlinable
    public static func int64(flooring d: Double) -> Int64? {
        guard d.isFinite else { return nil }
        return int64(truncating: d.rounded(.down))
    }

    /// The double truncated toward zero as an Int32 (Kusto's `int`), or nil.
    @inlinable
    public static func int32(truncating d: Double) -> Int32? {
        guard d.isFinite, d > -2_147_483_649.0, d < 2_147_483_648.0 else { return nil }
        return Int32(d) // checked: finite and within range
    }

    /// A platform Int from an Int64 that is used as a count or an index, or nil when it does not fit.
    @inlinable
    public static func int(_ v: Int64) -> Int? { Int(exactly: v) }

    /// A platform Int from a double (a count, a length, an index), truncated, or nil.
    @inlinable
    public static func int(truncating d: Double) -> Int? {
        guard let v = int64(truncating: d) else { return nil }
        return Int(exactly: v)
    }

    // MARK: - Integers

    @inlinable
    public static func add(_ a: Int64, _ b: Int64) -> Int64? {
        let (r, o) = a.addingReportingOverflow(b); return o ? nil : r
    }

    @inlinable
    public static func subtract(_ a: Int64, _ b: Int64) -> Int64? {
        let (r, o) = a.subtractingReportingOverflow(b); return o ? nil : r
    }

    @inlinable
    public static func multiply(_ a: Int64, _ b: Int64) -> Int64? {
        let (r, o) = a.multipliedReportingOverflow(by: b); return o ? nil : r
    }

    /// a / b truncated, or nil when b is 0 or the quotient overflows (Int64.min / -1).
    @inlinable
    public static func divide(_ a: Int64, _ b: Int64) -> Int64? {
        guard b != 0 else { return nil }
        let (r, o) = a.dividedReportingOverflow(by: b); return o ? nil : r
    }

    /// a % b with the sign of a, or nil when b is 0 (Int64.min % -1 is 0).
    @inlinable
    public static func remainder(_ a: Int64, _ b: Int64) -> Int64? {
        guard b != 0 else { return nil }
        if b == -1 { return 0 }
        return a % b // checked: b is neither 0 nor -1
    }

    /// a rounded down to a multiple of b (b > 0), or nil when b is not positive or the result leaves Int64.
    @inlinable
    public static func floor(_ a: Int64, toMultipleOf b: Int64) -> Int64? {
        guard b > 0 else { return nil }
        let r = a % b // checked: b > 0
        return r < 0 ? subtract(a, r &+ b) : a &- r // checked: 0 <= r < b keeps a - r within range
    }

    @inlinable
    public static func negate(_ a: Int64) -> Int64? { a == .min ? nil : -a }

    @inlinable
    public static func abs(_ a: Int64) -> Int64? { a == .min ? nil : Swift.abs(a) }

    // MARK: - Ticks

    /// The ticks as a datetime, or nil outside 0001-01-01 … 9999-12-31T23:59:59.9999999.
    @inlinable
    public static func datetime(_ ticks: Int64) -> Int64? {
        ticks >= Ticks.minDatetime && ticks <= Ticks.maxDatetime ? ticks : nil
    }

    /// A datetime plus a timespan (either may be negative), or nil when the sum leaves the datetime range.
    @inlinable
    public static func datetime(_ ticks: Int64, plus span: Int64) -> Int64? {
        guard let s = add(ticks, span) else { return nil }
        return datetime(s)
    }

    /// `count` units of `unit` ticks each (for example `20000000d`), or nil when it overflows.
    @inlinable
    public static func ticks(_ count: Int64, unit: Int64) -> Int64? { multiply(count, unit) }

    /// A fractional count of units (for example `1.5h`, `1d * 1e12`, a `timespan` cell given in
    /// seconds), rounded to the nearest tick, or nil for NaN, infinity and out-of-range results.
    @inlinable
    public static func ticks(_ count: Double, unit: Int64) -> Int64? {
        int64(rounding: count * Double(unit))
    }

    /// A datetime from seconds (or another unit, in ticks) since 1970-01-01, or nil outside the range.
    @inlinable
    public static func datetime(sinceUnixEpoch count: Double, unit: Int64 = Ticks.perSecond) -> Int64? {
        guard let span = ticks(count, unit: unit) else { return nil }
        return datetime(Ticks.unixEpoch, plus: span)
    }

    /// A datetime from an integer count of units since 1970-01-01, or nil outside the range.
    @inlinable
    public static func datetime(sinceUnixEpoch count: Int64, unit: Int64) -> Int64? {
        guard let span = ticks(count, unit: unit) else { return nil }
        return datetime(Ticks.unixEpoch, plus: span)
    }
}
