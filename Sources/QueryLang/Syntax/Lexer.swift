import Foundation
import LogStore

enum TokenKind: Equatable, Sendable {
    case identifier      // names and keywords (KQL keywords are contextual)
    case integer(Int64)
    case real(Double)
    case timespan(Int64) // ticks
    case string(String)
    case punct(String)
    case end
}

struct Token: Sendable {
    var kind: TokenKind
    var text: String
    var range: SourceRange
    /// Whitespace or a comment came right before this token.
    var spaced: Bool
}

/// Turns query text into tokens. Errors are collected, not thrown: the parser reports them.
struct Lexer {
    let src: [UInt8]
    var pos = 0
    var diagnostics: [Diagnostic] = []

    init(_ text: SourceText) { src = text.bytes }

    static let hyphenated: Set<String> = ["project-away", "project-rename", "project-reorder", "project-keep", "mv-expand", "mv-apply",
                                          "make-series", "top-nested", "top-hitters", "parse-where", "parse-kv", "as-of"]
    static let units: [String: Int64] = [
        "d": Ticks.perDay, "day": Ticks.perDay, "days": Ticks.perDay,
        "h": Ticks.perHour, "hr": Ticks.perHour, "hrs": Ticks.perHour, "hour": Ticks.perHour, "hours": Ticks.perHour,
        "m": Ticks.perMinute, "min": Ticks.perMinute, "minute": Ticks.perMinute, "minutes": Ticks.perMinute,
        "s": Ticks.perSecond, "sec": Ticks.perSecond, "second": Ticks.perSecond, "seconds": Ticks.perSecond,
        "ms": Ticks.perMillisecond, "milli": Ticks.perMillisecond, "millis": Ticks.perMillisecond,
        "millisecond": Ticks.perMillisecond, "milliseconds": Ticks.perMillisecond,
        "microsecond": 10, "microseconds": 10, "tick": 1, "ticks": 1,
    ]

    var pendingRaw: (open: Int, close: Int)? = nil

    mutating func tokenize() -> [Token] {
        var out: [Token] = []
        var spaced = true
        while true {
            if let raw = pendingRaw {
                pendingRaw = nil
                out.append(Token(kind: .punct("("), text: "(", range: SourceRange(raw.open, raw.open + 1), spaced: raw.open > pos))
                out.append(Token(kind: .string(text(raw.open + 1, raw.close).trimmingCharacters(in: .whitespaces)), text: text(raw.open + 1, raw.close),
                                 range: SourceRange(raw.open + 1, raw.close), spaced: false))
                out.append(Token(kind: .punct(")"), text: ")", range: SourceRange(raw.close, raw.close + 1), spaced: false))
                pos = raw.close + 1
                spaced = false
                continue
            }
            let before = pos
            skipTrivia()
            if pos > before { spaced = true }
            guard pos < src.count else {
                out.append(Token(kind: .end, text: "end of query", range: SourceRange(src.count, src.count), spaced: true))
                return out
            }
            let start = pos
            if let t = next() {
                out.append(Token(kind: t.0, text: t.1, range: SourceRange(start, pos), spaced: spaced))
            }
            spaced = false
        }
    }

    mutating func skipTrivia() {
        while pos < src.count {
            let c = src[pos]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C { pos += 1; continue }
            // Queries pasted from web pages and chat carry no-break and other Unicode spaces; Kusto's
            // lexer takes every Unicode space as whitespace, so they separate tokens here too.
            if c >= 0xC2, let n = Lexer.unicodeSpaceLength(src, pos) { pos += n; continue }
            if c == 0x2F && pos + 1 < src.count && src[pos + 1] == 0x2F {
                while pos < src.count && src[pos] != 0x0A { pos += 1 }
                continue
            }
            return
        }
    }

    /// The byte length of the Unicode space character (White_Space, as .NET's `char.IsWhiteSpace`)
    /// encoded at `i`, or nil: U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F,
    /// U+205F, U+3000, and U+FEFF (a byte-order mark that editors leave at the start of a file).
    static func unicodeSpaceLength(_ s: [UInt8], _ i: Int) -> Int? {
        func b(_ k: Int) -> UInt8 { i + k < s.count ? s[i + k] : 0 }
        switch b(0) {
        case 0xC2: return b(1) == 0x85 || b(1) == 0xA0 ? 2 : nil
        case 0xE1: return b(1) == 0x9A && b(2) == 0x80 ? 3 : nil
        case 0xE2:
            if b(1) == 0x80 && ((b(2) >= 0x80 && b(2) <= 0x8A) || b(2) == 0xA8 || b(2) == 0xA9 || b(2) == 0xAF) { return 3 }
            return b(1) == 0x81 && b(2) == 0x9F ? 3 : nil
        case 0xE3: return b(1) == 0x80 && b(2) == 0x80 ? 3 : nil
        case 0xEF: return b(1) == 0xBB && b(2) == 0xBF ? 3 : nil
        default: return nil
        }
    }

    func at(_ i: Int) -> UInt8 { i < src.count ? src[i] : 0 }
    static func isIdentStart(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x24 }
    static func isIdentChar(_ c: UInt8) -> Bool { isIdentStart(c) || (c >= 0x30 && c <= 0x39) }
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    func text(_ a: Int, _ b: Int) -> String { String(decoding: src[a..<b], as: UTF8.self) }

    mutating func next() -> (TokenKind, String)? {
        let start = pos
        let c = src[pos]
        // Strings, including verbatim @"…", obfuscated h"…" and multi-line ```…```.
        if c == 0x60 && at(pos + 1) == 0x60 && at(pos + 2) == 0x60 {
            pos += 3
            let s = pos
            while pos < src.count && !(src[pos] == 0x60 && at(pos + 1) == 0x60 && at(pos + 2) == 0x60) { pos += 1 }
            guard pos < src.count else { error(Msg.unterminatedString(), start); return nil }
            let v = text(s, pos); pos += 3
            return (.string(v), text(start, pos))
        }
        if (c == 0x40 || c == 0x68 || c == 0x48) && (at(pos + 1) == 0x22 || at(pos + 1) == 0x27) {
            let verbatim = c == 0x40
            pos += 1
            return lexString(start: start, verbatim: verbatim)
        }
        if c == 0x22 || c == 0x27 { return lexString(start: start, verbatim: false) }
        if Lexer.isDigit(c) || (c == 0x2E && Lexer.isDigit(at(pos + 1))) { return lexNumber(start) }
        if Lexer.isIdentStart(c) {
            while pos < src.count && Lexer.isIdentChar(src[pos]) { pos += 1 }
            var word = text(start, pos)
            // project-away, mv-expand, make-series …
            if at(pos) == 0x2D && Lexer.isIdentStart(at(pos + 1)) {
                var p = pos + 1
                while p < src.count && Lexer.isIdentChar(src[p]) { p += 1 }
                let joined = word + "-" + text(pos + 1, p)
                if Lexer.hyphenated.contains(joined.lowercased()) { pos = p; word = joined }
            }
            // in~, has_any … are plain; `in~` and `!in~` take the tilde.
            if at(pos) == 0x7E && (word == "in") { pos += 1; word += "~" }
            // datetime(2025-03-07T13:42:00Z), timespan(1.02:03:04), guid(…): the text inside is raw, not tokens.
            if ["datetime", "date", "timespan", "time", "guid"].contains(word.lowercased()) {
                var p = pos
                while p < src.count {
                    if src[p] == 0x20 || src[p] == 0x09 { p += 1 } else if let n = Lexer.unicodeSpaceLength(src, p) { p += n } else { break }
                }
                if at(p) == 0x28 {
                    // Stop at the first parenthesis or quote: raw text holds none, and stopping
                    // there keeps runs of `datetime(datetime(…` linear (the next scan starts past it).
                    var close = p + 1
                    while close < src.count, src[close] != 0x29, src[close] != 0x28, src[close] != 0x22, src[close] != 0x27 { close += 1 }
                    if close < src.count && src[close] == 0x29 { pendingRaw = (p, close) }
                }
            }
            return (.identifier, word)
        }
        // !contains, !has, !in, !between, !startswith … (no space after !)
        if c == 0x21 && Lexer.isIdentStart(at(pos + 1)) {
            pos += 1
            while pos < src.count && Lexer.isIdentChar(src[pos]) { pos += 1 }
            var word = text(start, pos)
            if at(pos) == 0x7E && word == "!in" { pos += 1; word += "~" }
            return (.identifier, word)
        }
        let two = pos + 1 < src.count ? text(pos, pos + 2) : ""
        if ["==", "!=", "<=", ">=", "=~", "!~", "..", "=>", "<>"].contains(two) {
            pos += 2
            return (.punct(two), two)
        }
        if "|,()[]{}.=<>+-*/%;:~?!".utf8.contains(c) {
            pos += 1
            return (.punct(text(start, pos)), text(start, pos))
        }
        // Skip one whole UTF-8 character.
        pos += 1
        while pos < src.count && src[pos] & 0xC0 == 0x80 { pos += 1 }
        error(Msg.badCharacter(text(start, pos)), start)
        return nil
    }

    mutating func lexString(start: Int, verbatim: Bool) -> (TokenKind, String)? {
        let quote = src[pos]
        pos += 1
        var out: [UInt8] = []
        while pos < src.count {
            let c = src[pos]
            if c == quote {
                if verbatim && at(pos + 1) == quote { out.append(quote); pos += 2; continue }
                pos += 1
                return (.string(String(decoding: out, as: UTF8.self)), text(start, pos))
            }
            if c == 0x0A && !verbatim { break }
            if c == 0x5C && !verbatim {
                let e = at(pos + 1)
                pos += 2
                switch e {
                case 0x6E: out.append(0x0A)
                case 0x74: out.append(0x09)
                case 0x72: out.append(0x0D)
                case 0x30: out.append(0)
                case 0x75:
                    if pos + 4 <= src.count, let v = UInt32(text(pos, pos + 4), radix: 16), let s = Unicode.Scalar(v) {
                        out.append(contentsOf: Array(String(Character(s)).utf8)); pos += 4
                    } else { out.append(0x75) }
                case 0x5C, 0x22, 0x27: out.append(e)
                // Any other escape keeps its backslash, so regexes like '\d+' and '[^\w]' read as written.
                default: out.append(0x5C); out.append(e)
                }
                continue
            }
            out.append(c); pos += 1
        }
        error(Msg.unterminatedString(), start)
        pos = src.count
        return nil
    }

    mutating func lexNumber(_ start: Int) -> (TokenKind, String)? {
        if src[pos] == 0x30 && (at(pos + 1) == 0x78 || at(pos + 1) == 0x58) {
            pos += 2
            let s = pos
            while pos < src.count && (Lexer.isDigit(src[pos]) || (src[pos] | 0x20 >= 0x61 && src[pos] | 0x20 <= 0x66)) { pos += 1 }
            guard let v = Int64(text(s, pos), radix: 16) else { error(Msg.badLiteral("number", text(start, pos)), start); return nil }
            return (.integer(v), text(start, pos))
        }
        while pos < src.count && Lexer.isDigit(src[pos]) { pos += 1 }
        var isReal = false
        if at(pos) == 0x2E && at(pos + 1) != 0x2E {
            isReal = true; pos += 1
            while pos < src.count && Lexer.isDigit(src[pos]) { pos += 1 }
        }
        if (at(pos) == 0x65 || at(pos) == 0x45) && (Lexer.isDigit(at(pos + 1)) || ((at(pos + 1) == 0x2D || at(pos + 1) == 0x2B) && Lexer.isDigit(at(pos + 2)))) {
            isReal = true; pos += 2
            while pos < src.count && Lexer.isDigit(src[pos]) { pos += 1 }
        }
        let numText = text(start, pos)
        // A unit right after the number makes a timespan: 5m, 1.5h, 100ms, 10microseconds.
        if Lexer.isIdentStart(at(pos)) {
            let s = pos
            while pos < src.count && Lexer.isIdentChar(src[pos]) { pos += 1 }
            let unit = text(s, pos).lowercased()
            guard let per = Lexer.units[unit], let v = Double(numText) else {
                error(Msg.badLiteral("timespan", text(start, pos)), start); return nil
            }
            // Whole counts multiply exactly; a timespan past ±10,675,199 days has no tick count.
            let ticks = isReal ? Checked.ticks(v, unit: per) : Int64(numText).flatMap { Checked.ticks($0, unit: per) }
            guard let t = ticks else { error(Msg.literalOutOfRange("timespan", text(start, pos)), start); return nil }
            return (.timespan(t), text(start, pos))
        }
        if isReal {
            guard let v = Double(numText) else { error(Msg.badLiteral("number", numText), start); return nil }
            // Swift reads 1e400 as infinity; Kusto has no such literal.
            guard v.isFinite else { error(Msg.literalOutOfRange("real", numText), start); return nil }
            return (.real(v), numText)
        }
        if let v = Int64(numText) { return (.integer(v), numText) }
        // 2^63 only as the operand of a unary minus (long.min); read as a real, as before.
        if numText == "9223372036854775808" { return (.real(9_223_372_036_854_775_808.0), numText) }
        error(Msg.literalOutOfRange("long", numText), start)
        return nil
    }

    mutating func error(_ m: (DiagnosticCode, String), _ start: Int) {
        diagnostics.append(Diagnostic(m, SourceRange(start, max(pos, start + 1))))
    }
}
