import LogStore

/// Calendar arithmetic on ticks (proleptic Gregorian, UTC), as Kusto's datetime functions do it.
enum DateParts {
    static func split(_ t: Int64) -> (y: Int, m: Int, d: Int, day: Int64, rem: Int64) {
        let day = Kernels.floorDiv(t, Ticks.perDay)
        let (y, m, d) = Ticks.civil(days: day)
        return (y, m, d, day, t - day * Ticks.perDay) // checked: day = floor(t / perDay)
    }

    /// unit: 0 day, 1 week (Sunday), 2 month, 3 year; offset in units. Nil when the offset takes the
    /// start beyond any year Kusto can print; the caller applies the datetime range (endof* steps one
    /// tick back from the next start, which may itself be 10000-01-01).
    static func start(of unit: Int, _ t: Int64, offset: Int64) -> Int64? {
        let p = split(t)
        switch unit {
        case 0:
            guard let d = Checked.add(p.day, offset) else { return nil }
            return Checked.ticks(d, unit: Ticks.perDay)
        case 1:
            let dow = (p.day + 1) % 7 // 0 = Sunday; 0001-01-01 was a Monday
            guard let w = Checked.ticks(offset, unit: 7), let d = Checked.add(p.day - dow, w) else { return nil }
            return Checked.ticks(d, unit: Ticks.perDay)
        case 2:
            guard let m0 = Checked.add(Int64(p.m - 1), offset) else { return nil }
            let y = Int64(p.y) + Kernels.floorDiv(m0, 12) // checked: |m0 / 12| < 2^60, p.y < 2^20
            let m = Int((m0 % 12 + 12) % 12) // checked: the remainder, 0 ..< 12 (floor(m0 / 12) * 12 may pass Int64.min)
            guard let year = calendarYear(y) else { return nil }
            return Ticks.days(year: year, month: m + 1, day: 1) * Ticks.perDay // checked: year 0 ... 10000
        default:
            guard let y = Checked.add(Int64(p.y), offset), let year = calendarYear(y) else { return nil }
            return Ticks.days(year: year, month: 1, day: 1) * Ticks.perDay // checked: year 0 ... 10000
        }
    }

    /// A year that calendar arithmetic may compute with (one beyond Kusto's 1 … 9999 on either side,
    /// so the range check happens on the resulting ticks), or nil.
    static func calendarYear(_ y: Int64) -> Int? { (0...10_000).contains(y) ? Int(y) : nil }

    static func part(_ name: String, _ t: Int64) -> Int64? {
        let p = split(t)
        switch name {
        case "year": return Int64(p.y)
        case "quarter": return Int64((p.m - 1) / 3 + 1)
        case "month": return Int64(p.m)
        case "week_of_year", "weekofyear", "week":
            // ISO 8601 week number
            let dow = Int((p.day % 7 + 7) % 7) + 1 // 1 = Monday
            let thursday = p.day - Int64(dow) + 4
            let ty = Ticks.civil(days: thursday).year
            return (thursday - Ticks.days(year: ty, month: 1, day: 1)) / 7 + 1
        case "day": return Int64(p.d)
        case "dayofyear": return p.day - Ticks.days(year: p.y, month: 1, day: 1) + 1
        case "hour": return p.rem / Ticks.perHour
        case "minute": return p.rem % Ticks.perHour / Ticks.perMinute
        case "second": return p.rem % Ticks.perMinute / Ticks.perSecond
        case "millisecond": return p.rem % Ticks.perSecond / Ticks.perMillisecond
        case "microsecond": return p.rem % Ticks.perSecond / 10
        case "nanosecond": return p.rem % Ticks.perSecond * 100 // checked: under a second
        default: return nil
        }
    }

    /// `datetime_add`: nil when the count overflows or the result leaves Kusto's datetime range.
    static func add(_ part: String, _ n: Int64, _ t: Int64) -> Int64? {
        func plus(_ unit: Int64) -> Int64? { Checked.ticks(n, unit: unit).flatMap { Checked.datetime(t, plus: $0) } }
        switch part {
        case "year", "quarter", "month":
            guard let months = Checked.multiply(n, part == "year" ? 12 : part == "quarter" ? 3 : 1) else { return nil }
            let p = split(t)
            guard let m0 = Checked.add(Int64(p.m - 1), months) else { return nil }
            let y = Int64(p.y) + Kernels.floorDiv(m0, 12) // checked: |m0 / 12| < 2^60, p.y < 2^20
            let m = Int((m0 % 12 + 12) % 12) // checked: the remainder, 0 ..< 12 (floor(m0 / 12) * 12 may pass Int64.min)
            guard let year = calendarYear(y) else { return nil }
            let d = min(p.d, daysIn(m + 1, year))
            return Checked.datetime(Ticks.days(year: year, month: m + 1, day: d) * Ticks.perDay + p.rem) // checked: year 0 ... 10000
        case "week": return plus(7 * Ticks.perDay) // checked: a constant
        case "day": return plus(Ticks.perDay)
        case "hour": return plus(Ticks.perHour)
        case "minute": return plus(Ticks.perMinute)
        case "second": return plus(Ticks.perSecond)
        case "millisecond": return plus(Ticks.perMillisecond)
        case "microsecond": return plus(10)
        case "nanosecond": return Checked.datetime(t, plus: n / 100)
        default: return nil
        }
    }

    static func daysIn(_ m: Int, _ y: Int) -> Int {
        switch m { case 2: return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28; case 4, 6, 9, 11: return 30; default: return 31 }
    }

    /// Kusto counts boundaries crossed, not elapsed whole units.
    static func diff(_ part: String, _ a: Int64, _ b: Int64) -> Int64? {
        let x = split(a), y = split(b)
        switch part {
        case "year": return Int64(x.y - y.y)
        case "quarter": return Int64((x.y - y.y) * 4 + (x.m - 1) / 3 - (y.m - 1) / 3)
        case "month": return Int64((x.y - y.y) * 12 + x.m - y.m)
        case "week":
            guard let wa = start(of: 1, a, offset: 0), let wb = start(of: 1, b, offset: 0), let d = Checked.subtract(wa, wb) else { return nil }
            return Kernels.floorDiv(d, 7 * Ticks.perDay) // checked: a constant
        case "day": return x.day - y.day
        case "hour": return Kernels.floorDiv(a, Ticks.perHour) - Kernels.floorDiv(b, Ticks.perHour)
        case "minute": return Kernels.floorDiv(a, Ticks.perMinute) - Kernels.floorDiv(b, Ticks.perMinute)
        case "second": return Kernels.floorDiv(a, Ticks.perSecond) - Kernels.floorDiv(b, Ticks.perSecond)
        case "millisecond": return Kernels.floorDiv(a, Ticks.perMillisecond) - Kernels.floorDiv(b, Ticks.perMillisecond)
        case "microsecond": return Kernels.floorDiv(a, 10) - Kernels.floorDiv(b, 10)
        case "nanosecond": return Checked.subtract(a, b).flatMap { Checked.multiply($0, 100) } // beyond ±292 years: null
        default: return nil
        }
    }

    static func pad(_ v: Int64, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }

    /// format_datetime's specifiers: yyyy yy MM M dd d HH H hh h mm m ss s f…fffffff tt.
    static func format(_ t: Int64, _ fmt: String) -> String {
        var out: [UInt8] = []
        DatetimeFormat(fmt).render(t, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func formatTimespan(_ t: Int64, _ fmt: String) -> String {
        // The magnitude as unsigned: abs(Int64.min), Kusto's minimum timespan, would trap.
        let v = t.magnitude
        func q(_ x: UInt64, _ unit: Int64) -> UInt64 { x / UInt64(unit) }
        func r(_ x: UInt64, _ unit: Int64) -> UInt64 { x % UInt64(unit) }
        let days = Int64(q(v, Ticks.perDay)), hour = Int64(q(r(v, Ticks.perDay), Ticks.perHour))
        let minute = Int64(q(r(v, Ticks.perHour), Ticks.perMinute)), second = Int64(q(r(v, Ticks.perMinute), Ticks.perSecond))
        let frac = Int64(r(v, Ticks.perSecond))
        return formatTokens(fmt) { tok in
            switch tok.first! {
            case "d": return pad(days, tok.count)
            case "h", "H": return pad(hour, tok.count)
            case "m": return pad(minute, tok.count)
            case "s": return pad(second, tok.count)
            case "f", "F":
                let s = String(pad(frac, 7).prefix(tok.count))
                return tok.first == "F" ? String(s.reversed().drop(while: { $0 == "0" }).reversed()) : s
            default: return nil
            }
        }
    }

    /// Splits a format into runs of one letter; `map` renders a run or returns nil to keep it verbatim.
    static func formatTokens(_ fmt: String, _ map: (String) -> String?) -> String {
        var out = ""
        let chars = Array(fmt)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isLetter {
                var j = i
                while j < chars.count && chars[j] == c { j += 1 }
                let tok = String(chars[i..<j])
                out += map(tok) ?? tok
                i = j
            } else {
                out.append(c); i += 1
            }
        }
        return out
    }
}

/// A format_datetime format, tokenized once: each run of one letter is a field or, when it names
/// none, literal text, as `DateParts.formatTokens` splits it.
struct DatetimeFormat {
    enum Piece: Equatable {
        case literal([UInt8])
        case year(width: Int), shortYear, month(width: Int), day(width: Int), hour24(width: Int), hour12(width: Int)
        case minute(width: Int), second(width: Int), ampm
        case fraction(digits: Int, trimZeros: Bool)
    }
    let pieces: [Piece]

    init(_ fmt: String) {
        var pieces: [Piece] = []
        func literal(_ s: String) {
            if case .literal(let b)? = pieces.last { pieces[pieces.count - 1] = .literal(b + Array(s.utf8)) } else { pieces.append(.literal(Array(s.utf8))) }
        }
        let chars = Array(fmt)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c.isLetter else { literal(String(c)); i += 1; continue }
            var j = i
            while j < chars.count && chars[j] == c { j += 1 }
            let tok = String(chars[i..<j])
            i = j
            switch tok {
            case "yyyy": pieces.append(.year(width: 4))
            case "yy": pieces.append(.year(width: 2))
            case "y": pieces.append(.shortYear)
            case "MM", "M": pieces.append(.month(width: tok.count))
            case "dd", "d": pieces.append(.day(width: tok.count))
            case "HH", "H": pieces.append(.hour24(width: tok.count))
            case "hh", "h": pieces.append(.hour12(width: tok.count))
            case "mm", "m": pieces.append(.minute(width: tok.count))
            case "ss", "s": pieces.append(.second(width: tok.count))
            case "tt": pieces.append(.ampm)
            default:
                if c == "f" || c == "F" { pieces.append(.fraction(digits: min(tok.count, 7), trimZeros: c == "F")) } else { literal(tok) }
            }
        }
        self.pieces = pieces
    }

    func render(_ t: Int64, into out: inout [UInt8]) {
        let p = DateParts.split(t)
        let hour = p.rem / Ticks.perHour, minute = p.rem % Ticks.perHour / Ticks.perMinute
        let second = p.rem % Ticks.perMinute / Ticks.perSecond, frac = p.rem % Ticks.perSecond
        for piece in pieces {
            switch piece {
            case .literal(let b): out.append(contentsOf: b)
            case .year(let w): Kernels.appendDecimal(Int64(w == 4 ? p.y : p.y % 100), width: w, to: &out)
            case .shortYear: Kernels.appendDecimal(Int64(p.y % 100), width: 0, to: &out)
            case .month(let w): Kernels.appendDecimal(Int64(p.m), width: w, to: &out)
            case .day(let w): Kernels.appendDecimal(Int64(p.d), width: w, to: &out)
            case .hour24(let w): Kernels.appendDecimal(hour, width: w, to: &out)
            case .hour12(let w): Kernels.appendDecimal(hour % 12 == 0 ? 12 : hour % 12, width: w, to: &out)
            case .minute(let w): Kernels.appendDecimal(minute, width: w, to: &out)
            case .second(let w): Kernels.appendDecimal(second, width: w, to: &out)
            case .ampm: out.append(contentsOf: hour < 12 ? [0x41, 0x4D] : [0x50, 0x4D])
            case .fraction(let digits, let trim):
                var f: [UInt8] = []
                Kernels.appendDecimal(frac, width: 7, to: &f)
                var k = min(digits, f.count)
                if trim { while k > 0 && f[k - 1] == 0x30 { k -= 1 } }
                out.append(contentsOf: f[0..<k])
            }
        }
    }
}
