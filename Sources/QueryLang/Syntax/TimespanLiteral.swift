import LogStore

extension Parser {
    /// `timespan(…)`/`time(…)` text: `[-][d.]hh:mm[:ss[.fffffff]]` or a bare count of days. nil
    /// when it is not one; `.outOfRange` when it is one past ±10,675,199 days (which
    /// `Ticks.parseTimespan` would compute with trapping arithmetic).
    enum TimespanText { case ticks(Int64), outOfRange, invalid }

    static func timespanText(_ s: String) -> TimespanText {
        var str = Substring(s.trimmingCharacters(in: .whitespaces))
        var neg = false
        if str.hasPrefix("-") { neg = true; str = str.dropFirst() }
        let parts = str.split(separator: ":", omittingEmptySubsequences: false)
        func signed(_ v: Int64?) -> TimespanText {
            guard let v = v else { return .outOfRange }
            return .ticks(neg ? -v : v) // checked: v >= 0, so -v cannot overflow
        }
        guard parts.count >= 2 && parts.count <= 3 else {
            guard let d = Double(str), !d.isNaN else { return .invalid }
            return signed(Checked.ticks(d, unit: Ticks.perDay))
        }
        func digits(_ t: Substring) -> Int64?? {
            guard !t.isEmpty, t.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return .none }
            return .some(Int64(t)) // nil inside: digits, but more than Int64 holds
        }
        var hourPart = parts[0]
        var days: Int64 = 0
        if let dot = hourPart.firstIndex(of: ".") {
            guard let d = digits(hourPart[..<dot]) else { return .invalid }
            guard let dd = d else { return .outOfRange }
            days = dd; hourPart = hourPart[hourPart.index(after: dot)...]
        }
        guard let h0 = digits(hourPart), let m0 = digits(parts[1]) else { return .invalid }
        guard let h = h0, let m = m0 else { return .outOfRange }
        var total = Checked.ticks(days, unit: Ticks.perDay)
        total = total.flatMap { t in Checked.ticks(h, unit: Ticks.perHour).flatMap { Checked.add(t, $0) } }
        total = total.flatMap { t in Checked.ticks(m, unit: Ticks.perMinute).flatMap { Checked.add(t, $0) } }
        if parts.count == 3 {
            var sec = parts[2]
            var frac: Int64 = 0
            if let dot = sec.firstIndex(of: ".") {
                var fr = Array(sec[sec.index(after: dot)...].utf8.prefix(7))
                guard fr.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return .invalid }
                while fr.count < 7 { fr.append(48) }
                frac = fr.reduce(0) { $0 * 10 + Int64($1 - 48) } // checked: 7 digits
                sec = sec[..<dot]
            }
            guard let s0 = digits(sec) else { return .invalid }
            guard let s = s0 else { return .outOfRange }
            total = total.flatMap { t in Checked.ticks(s, unit: Ticks.perSecond).flatMap { Checked.add(t, $0) } }
            total = total.flatMap { Checked.add($0, frac) }
        }
        return signed(total)
    }
}
