/// Datetimes are .NET/Kusto ticks (100 ns) since 0001-01-01T00:00:00Z, so `bin` on datetimes
/// bins from 0001-01-01 as Kusto does with no offset arithmetic. Timespans are ticks too.
public enum Ticks {
    public static let perMicrosecond: Int64 = 10
    public static let perMillisecond: Int64 = 10_000
    public static let perSecond: Int64 = 10_000_000
    public static let perMinute: Int64 = 600_000_000
    public static let perHour: Int64 = 36_000_000_000
    public static let perDay: Int64 = 864_000_000_000
    /// Ticks at 1970-01-01T00:00:00Z.
    public static let unixEpoch: Int64 = 621_355_968_000_000_000
    public static let minDatetime: Int64 = 0
    /// 9999-12-31T23:59:59.9999999Z
    public static let maxDatetime: Int64 = 3_155_378_975_999_999_999

    /// Days since 0001-01-01 for a proleptic Gregorian date (Howard Hinnant's days-from-civil, shifted).
    @inlinable
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let daysFromUnix = Int64(era * 146_097 + doe - 719_468)
        return daysFromUnix + 719_162
    }

    @inlinable
    public static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = Int(days - 719_162) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public static func from(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, fraction: Int64 = 0) -> Int64 {
        days(year: year, month: month, day: day) * perDay + Int64(hour) * perHour + Int64(minute) * perMinute + Int64(second) * perSecond + fraction // checked: callers pass calendar fields (year 1 ... 9999)
    }

    /// The system clock (`Date().timeIntervalSince1970`) as a datetime; a clock outside Kusto's range
    /// is pinned to its nearest end rather than trapping.
    public static func fromUnixSeconds(_ s: Double) -> Int64 {
        Checked.datetime(sinceUnixEpoch: s) ?? (s < 0 ? minDatetime : maxDatetime)
    }

    /// Parses ISO 8601 and Kusto's datetime literal forms: `2015-12-31`, `2015-12-31 23:59:59.9`,
    /// `2025-03-03T00:00:00.1234567Z`, with an optional `Z` or `±hh:mm` offset (converted to UTC).
    public static func parseDatetime<C: Collection>(_ bytes: C) -> Int64? where C.Element == UInt8 {
        var p = Array(bytes)[...]
        func digits(_ n: Int) -> Int? {
            guard p.count >= n else { return nil }
            var v = 0
            for _ in 0..<n {
                let c = p.first!
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48); p = p.dropFirst()
            }
            return v
        }
        func eat(_ c: UInt8) -> Bool { if p.first == c { p = p.dropFirst(); return true }; return false }
        while let f = p.first, f == 32 { p = p.dropFirst() }
        while let l = p.last, l == 32 { p = p.dropLast() }
        guard let year = digits(4), eat(45), let month = digits(2), eat(45), let day = digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        var hour = 0, minute = 0, second = 0
        var frac: Int64 = 0
        if eat(84) || eat(116) || eat(32) { // T, t, space
            guard let h = digits(2), eat(58), let mi = digits(2) else { return nil }
            hour = h; minute = mi
            if eat(58) {
                guard let s = digits(2) else { return nil }
                second = s
                if eat(46) || eat(44) {
                    var n = 0
                    while let c = p.first, c >= 48 && c <= 57 {
                        if n < 7 { frac = frac * 10 + Int64(c - 48) }
                        n += 1; p = p.dropFirst()
                    }
                    guard n > 0 else { return nil }
                    for _ in min(n, 7)..<7 { frac *= 10 }
                }
            }
            guard hour < 24, minute < 60, second < 60 else { return nil }
        }
        var offset: Int64 = 0
        if eat(90) || eat(122) {
        } else if let sign = p.first, sign == 43 || sign == 45 {
            p = p.dropFirst()
            guard let oh = digits(2) else { return nil }
            _ = eat(58)
            let om = digits(2) ?? 0
            offset = (Int64(oh) * perHour + Int64(om) * perMinute) * (sign == 45 ? -1 : 1) // checked: two-digit hours and minutes
        }
        guard p.isEmpty else { return nil }
        return from(year: year, month: month, day: day, hour: hour, minute: minute, second: second, fraction: frac) - offset
    }

    public static func parseDatetime(_ s: String) -> Int64? { parseDatetime(Array(s.utf8)) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `2025-03-03T00:00:00.1234567Z`: always 7 fractional digits, as Kusto's query API prints.
    public static func formatDatetime(_ t: Int64, into out: inout [UInt8]) {
        let day = t >= 0 ? t / perDay : (t - perDay + 1) / perDay
        let rem = t - day * perDay // checked: day = floor(t / perDay)
        let (y, m, d) = civil(days: day)
        appendPadded(&out, y, 4); out.append(45); appendPadded(&out, m, 2); out.append(45); appendPadded(&out, d, 2)
        out.append(84)
        appendPadded(&out, Int(rem / perHour), 2); out.append(58)
        appendPadded(&out, Int(rem % perHour / perMinute), 2); out.append(58)
        appendPadded(&out, Int(rem % perMinute / perSecond), 2); out.append(46)
        appendPadded(&out, Int(rem % perSecond), 7); out.append(90)
    }

    public static func formatDatetime(_ t: Int64) -> String {
        var b: [UInt8] = []; b.reserveCapacity(28)
        formatDatetime(t, into: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// `[-][d.]hh:mm:ss[.fffffff]`
    public static func formatTimespan(_ t: Int64, into out: inout [UInt8]) {
        // The magnitude as unsigned: -Int64.min (Kusto's minimum timespan) is not an Int64.
        if t < 0 { out.append(45) }
        let v = t.magnitude, pd = UInt64(perDay), ph = UInt64(perHour), pm = UInt64(perMinute), ps = UInt64(perSecond)
        let days = v / pd
        if days > 0 { appendInt(&out, Int(days)); out.append(46) }
        appendPadded(&out, Int(v % pd / ph), 2); out.append(58)
        appendPadded(&out, Int(v % ph / pm), 2); out.append(58)
        appendPadded(&out, Int(v % pm / ps), 2)
        let f = v % ps
        if f != 0 { out.append(46); appendPadded(&out, Int(f), 7) }
    }

    public static func formatTimespan(_ t: Int64) -> String {
        var b: [UInt8] = []
        formatTimespan(t, into: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// Parses `[-][d.]hh:mm[:ss[.fffffff]]`, the form Kusto prints and `time(...)` takes. A count of
    /// ticks that leaves Int64 (`99999999999.00:00:00`, a bare `nan` or `1e300` days) is nil; Kusto's
    /// own minimum `-10675199.02:48:05.4775808` (Int64.min) parses, so the sum is built negative.
    public static func parseTimespan(_ s: String) -> Int64? {
        var str = Substring(s.trimmingCharacters(in: " "))
        var neg = false
        if str.hasPrefix("-") { neg = true; str = str.dropFirst() }
        var days: Int64 = 0
        let parts = str.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2 && parts.count <= 3 else {
            // a bare number of days, e.g. time(2)
            if let d = Double(str) { return Checked.ticks(neg ? -d : d, unit: perDay) }
            return nil
        }
        var hourPart = parts[0]
        if let dot = hourPart.firstIndex(of: ".") {
            guard let d = Int64(hourPart[..<dot]), d >= 0 else { return nil }
            days = d; hourPart = hourPart[hourPart.index(after: dot)...]
        }
        guard let h = Int64(hourPart), let m = Int64(parts[1]), h >= 0, m >= 0 else { return nil }
        var s: Int64 = 0, frac: Int64 = 0
        if parts.count == 3 {
            let sec = parts[2]
            if let dot = sec.firstIndex(of: ".") {
                guard let v = Int64(sec[..<dot]), v >= 0 else { return nil }
                var fr = Array(sec[sec.index(after: dot)...].utf8.prefix(7))
                guard fr.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
                while fr.count < 7 { fr.append(48) }
                s = v
                for c in fr { frac = frac &* 10 &+ Int64(c &- 48) } // checked: seven digits
            } else {
                guard let v = Int64(sec), v >= 0 else { return nil }
                s = v
            }
        }
        // Negative terms, so that Int64.min (one tick beyond -Int64.max) is reachable.
        var total: Int64 = 0
        for (count, unit) in [(days, perDay), (h, perHour), (m, perMinute), (s, perSecond), (frac, 1)] {
            guard let t = Checked.ticks(count, unit: unit), let sum = Checked.subtract(total, t) else { return nil }
            total = sum
        }
        return neg ? total : Checked.negate(total)
    }

    @inlinable
    static func appendPadded(_ out: inout [UInt8], _ v: Int, _ width: Int) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (48, 48, 48, 48, 48, 48, 48, 48)
        var x = v
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while x > 0 && n < 8 { buf[7 - n] = UInt8(48 + x % 10); x /= 10; n += 1 }
            let w = max(width, n)
            for i in (8 - w)..<8 { out.append(buf[i]) }
        }
    }

    static func appendInt(_ out: inout [UInt8], _ v: Int) {
        out.append(contentsOf: String(v).utf8)
    }
}

extension String {
    func trimmingCharacters(in c: Character) -> String {
        var s = Substring(self)
        while s.first == c { s = s.dropFirst() }
        while s.last == c { s = s.dropLast() }
        return String(s)
    }
}
