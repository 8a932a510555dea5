import Foundation
import LogStore

/// Dates and times: now/ago, start/end of a period, date parts, date arithmetic, formatting, Unix times.
enum TimeFunctions: FunctionFamily {
    static func register(into r: inout FunctionRegistry) {
        r.def(["now"], 0, 1) { a, r in
            // now(offset) beyond the datetime range is null, as datetime + timespan is.
            let now = Checked.datetime(Ticks.fromUnixSeconds(Date().timeIntervalSince1970), plus: a.first?.constant?.asInt ?? 0)
            return Constant(now.map { .datetime($0) } ?? .null, type: .datetime, range: r)
        }
        r.def(["ago"], 1, 1) { a, r in
            guard a[0].type == .timespan else { throw typeError("ago", "expects a timespan", r) }
            let now = Ticks.fromUnixSeconds(Date().timeIntervalSince1970)
            func ago(_ v: Value) -> Value {
                guard let span = v.asInt, !v.isNull, let t = Checked.subtract(now, span).flatMap({ Checked.datetime($0) }) else { return .null }
                return .datetime(t)
            }
            if let c = a[0].constant { return Constant(ago(c), type: .datetime, range: r) }
            return call("ago", a, .datetime, r) { v in ago(v[0]) }
        }
        for (name, unit) in [("startofday", 0), ("startofweek", 1), ("startofmonth", 2), ("startofyear", 3)] {
            r.def([name], 1, 2) { a, r in
                call(name, a, .datetime, r) { v in
                    guard case .datetime(let t) = v[0] else { return .null }
                    let start = DateParts.start(of: unit, t, offset: v.count > 1 ? (v[1].asInt ?? 0) : 0).flatMap { Checked.datetime($0) }
                    return start.map { .datetime($0) } ?? .null
                }
            }
        }
        for (name, unit) in [("endofday", 0), ("endofweek", 1), ("endofmonth", 2), ("endofyear", 3)] {
            r.def([name], 1, 2) { a, r in
                call(name, a, .datetime, r) { v in
                    guard case .datetime(let t) = v[0] else { return .null }
                    // One tick before the next period's start, which may be 10000-01-01 itself.
                    guard let next = Checked.add(v.count > 1 ? (v[1].asInt ?? 0) : 0, 1),
                          let end = DateParts.start(of: unit, t, offset: next).flatMap({ Checked.datetime($0, plus: -1) }) else { return .null }
                    return .datetime(end)
                }
            }
        }
        r.def(["dayofweek"], 1, 1) { a, r in
            call("dayofweek", a, .timespan, r) { v in
                guard case .datetime(let t) = v[0] else { return .null }
                let days = Kernels.floorDiv(t, Ticks.perDay)
                return .timespan(((days + 1) % 7) * Ticks.perDay) // 0001-01-01 was a Monday // checked: 0 <= (days + 1) % 7 < 7 days
            }
        }
        for (name, part) in [("hourofday", "hour"), ("dayofmonth", "day"), ("dayofyear", "dayofyear"), ("monthofyear", "month"), ("getyear", "year"), ("getmonth", "month"), ("weekofyear", "week_of_year"), ("week_of_year", "week_of_year")] {
            r.def([name], 1, 1) { a, r in
                call(name, a, .int, r) { v in
                    guard case .datetime(let t) = v[0] else { return .null }
                    return DateParts.part(part, t).map { .long($0) } ?? .null
                }
            }
        }
        r.def(["datetime_part"], 2, 2) { a, r in
            guard let p = a[0].constant?.asString.lowercased() else { throw Diagnostic(Msg.constantRequired("the part of datetime_part"), a[0].range) }
            guard DateParts.part(p, 0) != nil else { throw Diagnostic(Msg.unknownKeyword("datetime part", p, expected: "year, quarter, month, week_of_year, day, dayofyear, hour, minute, second, millisecond, microsecond or nanosecond"), a[0].range) }
            return call("datetime_part", a, .int, r) { v in
                guard case .datetime(let t) = v[1] else { return .null }
                return DateParts.part(p, t).map { .long($0) } ?? .null
            }
        }
        r.def(["datetime_add"], 3, 3) { a, r in
            guard let p = a[0].constant?.asString.lowercased() else { throw Diagnostic(Msg.constantRequired("the part of datetime_add"), a[0].range) }
            return call("datetime_add", a, .datetime, r) { v in
                guard let n = v[1].asInt, case .datetime(let t) = v[2] else { return .null }
                return DateParts.add(p, n, t).map { .datetime($0) } ?? .null
            }
        }
        r.def(["datetime_diff"], 3, 3) { a, r in
            guard let p = a[0].constant?.asString.lowercased() else { throw Diagnostic(Msg.constantRequired("the part of datetime_diff"), a[0].range) }
            return call("datetime_diff", a, .long, r) { v in
                guard case .datetime(let x) = v[1], case .datetime(let y) = v[2] else { return .null }
                return DateParts.diff(p, x, y).map { .long($0) } ?? .null
            }
        }
        r.def(["format_datetime"], 2, 2) { a, r in Call("format_datetime", a, type: .string, range: r, operands: Kernels.formatDatetime) }
        r.def(["format_timespan"], 2, 2) { a, r in
            call("format_timespan", a, .string, r) { v in
                guard case .timespan(let t) = v[0] else { return .string("") }
                return .string(DateParts.formatTimespan(t, v[1].asString))
            }
        }
        // A count beyond the datetime range (unixtime_seconds_todatetime(1e12)), NaN or infinity is null.
        // Nanoseconds divide (by 100 per tick) rather than multiply by 0.01, which is not exact.
        for (name, ticks) in [("unixtime_seconds_todatetime", { (x: Double) in x * 1e7 }), ("unixtime_milliseconds_todatetime", { $0 * 1e4 }),
                              ("unixtime_microseconds_todatetime", { $0 * 10 }), ("unixtime_nanoseconds_todatetime", { $0 / 100 })] as [(String, (Double) -> Double)] {
            r.def([name], 1, 1) { a, r in
                call(name, a, .datetime, r) { v in
                    guard let x = v[0].asDouble, let span = Checked.int64(rounding: ticks(x)),
                          let t = Checked.datetime(Ticks.unixEpoch, plus: span) else { return .null }
                    return .datetime(t)
                }
            }
        }
        r.def(["make_datetime"], 3, 6) { a, r in call("make_datetime", a, .datetime, r) { v in
            guard let y = v[0].asInt, let mo = v[1].asInt, let d = v[2].asInt, (1...9999).contains(y), (1...12).contains(mo), d >= 1 else { return .null }
            let days = [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(mo) - 1] // checked: 1 <= mo <= 12
            guard d <= days else { return .null }
            let h = v.count > 3 ? (v[3].asInt ?? -1) : 0, mi = v.count > 4 ? (v[4].asInt ?? -1) : 0
            let sec = v.count > 5 ? (v[5].asDouble ?? -1) : 0
            guard (0...23).contains(h), (0...59).contains(mi), sec >= 0, sec < 60 else { return .null }
            let whole = Int(sec), frac = Int64(((sec - Double(whole)) * 1e7).rounded()) // checked: 0 <= sec < 60, so a fraction of a second in ticks
            return .datetime(Ticks.from(year: Int(y), month: Int(mo), day: Int(d), hour: Int(h), minute: Int(mi), second: whole, fraction: frac)) // checked: every field range-checked above
        } }
    }
}
