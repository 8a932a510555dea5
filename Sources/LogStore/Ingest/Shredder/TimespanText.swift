import Foundation

/// Timespan text as ingest meets it (query-API cells, export fields): `[-][d.]hh:mm[:ss[.fffffff]]`
/// or a bare number of days, converted with `Checked` so that no value from a file can trap.
///
/// Why not `Ticks.parseTimespan`: ingest must take Kusto's own extremes exactly (its minimum,
/// `-10675199.02:48:05.4775808`, is `Int64.min` ticks, whose magnitude does not fit in an Int64), and
/// give Kusto's null for NaN, infinities and values out of range instead of rejecting the row.
enum TimespanText {
    enum Parsed: Equatable { case ticks(Int64), null, invalid }

    static func parse(_ bytes: [UInt8]) -> Parsed {
        var text = Substring(String(decoding: bytes, as: UTF8.self))
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        var neg = false
        if text.first == "-" { neg = true; text = text.dropFirst() } else if text.first == "+" { text = text.dropFirst() }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2 && parts.count <= 3 else {
            // A bare number of days (`time(2)`); NaN, infinities and out-of-range counts are null.
            guard let d = Double(text) else { return .invalid }
            return Checked.ticks(neg ? -d : d, unit: Ticks.perDay).map(Parsed.ticks) ?? .null
        }
        func digits(_ s: Substring) -> Int64? {
            guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return Int64(s) // nil when too long: the caller makes that null
        }
        var hourPart = parts[0]
        var days: Int64 = 0
        if let dot = hourPart.firstIndex(of: ".") {
            guard let d = digits(hourPart[..<dot]) else { return hourPart[..<dot].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? .null : .invalid }
            days = d; hourPart = hourPart[hourPart.index(after: dot)...]
        }
        guard let h = digits(hourPart), let m = digits(parts[1]) else { return .invalid }
        var seconds: Int64 = 0, fraction: Int64 = 0
        if parts.count == 3 {
            var sec = parts[2]
            if let dot = sec.firstIndex(of: ".") {
                var fr = Array(sec[sec.index(after: dot)...].utf8.prefix(7))
                guard !fr.isEmpty, fr.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return .invalid }
                while fr.count < 7 { fr.append(0x30) }
                fraction = Int64(String(decoding: fr, as: UTF8.self))!
                sec = sec[..<dot]
            }
            guard let s = digits(sec) else { return .invalid }
            seconds = s
        }
        // Accumulate toward the sign so that Int64.min (Kusto's minimum) is reachable.
        var total: Int64 = 0
        for (count, unit) in [(days, Ticks.perDay), (h, Ticks.perHour), (m, Ticks.perMinute), (seconds, Ticks.perSecond), (fraction, 1)] {
            guard let part = Checked.ticks(count, unit: unit),
                  let next = neg ? Checked.subtract(total, part) : Checked.add(total, part) else { return .null }
            total = next
        }
        return .ticks(total)
    }
}
