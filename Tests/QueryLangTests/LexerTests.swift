import XCTest
import LogStore
@testable import QueryLang

/// The lexer's tokens (kind, text, byte range) for every token class, and its two errors with their ranges.
final class LexerTests: XCTestCase {
    /// Each token as `kind(value)`, without the end token.
    func kinds(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        let (toks, diags) = lex(text)
        XCTAssertEqual(diags.map(code), [], file: file, line: line)
        XCTAssertEqual(toks.last?.kind, .end, file: file, line: line)
        return toks.dropLast().map { t in
            switch t.kind {
            case .identifier: return "id(\(t.text))"
            case .integer(let v): return "int(\(v))"
            case .real(let v): return "real(\(v))"
            case .timespan(let v): return "span(\(v))"
            case .string(let s): return "str(\(s))"
            case .punct(let p): return p
            case .end: return "end"
            }
        }
    }

    /// Every token's range covers exactly its text, and the end token sits at the end of the text.
    func assertRangesCoverText(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let toks = lex(text).tokens
        for t in toks.dropLast() { XCTAssertEqual(covered(text, t.range), t.text, file: file, line: line) }
        XCTAssertEqual(toks.last?.range, SourceRange(text.utf8.count, text.utf8.count), file: file, line: line)
    }

    func testIdentifiersAndKeywords() {
        let q = "T | where _x1 and $left.a"
        XCTAssertEqual(kinds(q), ["id(T)", "|", "id(where)", "id(_x1)", "id(and)", "id($left)", ".", "id(a)"])
        let toks = lex(q).tokens
        XCTAssertEqual(toks[3].range, span(q, "_x1"))
        XCTAssertEqual(toks[5].range, span(q, "$left"))
        assertRangesCoverText(q)
    }

    func testHyphenatedOperatorsAreOneTokenOnlyWhenKnown() {
        XCTAssertEqual(kinds("project-away a | mv-expand b | make-series"), ["id(project-away)", "id(a)", "|", "id(mv-expand)", "id(b)", "|", "id(make-series)"])
        // Not a known hyphenated word: a subtraction.
        XCTAssertEqual(kinds("a-b"), ["id(a)", "-", "id(b)"])
        assertRangesCoverText("project-away a | mv-expand b")
    }

    func testQuotedNamesAreBracketStringBracket() {
        // The parser joins `[`, string, `]` into one name; the lexer keeps the three tokens.
        let q = #"['my col'] ["a b"]"#
        XCTAssertEqual(kinds(q), ["[", "str(my col)", "]", "[", "str(a b)", "]"])
        let toks = lex(q).tokens
        XCTAssertEqual(toks[1].range, span(q, "'my col'"))
        XCTAssertEqual(toks[4].range, span(q, #""a b""#))
    }

    func testNumbers() {
        let q = "42 0x1F 1.5 1e3 2.5E-2 .5 9223372036854775807"
        XCTAssertEqual(kinds(q), ["int(42)", "int(31)", "real(1.5)", "real(1000.0)", "real(0.025)", "real(0.5)",
                                  "int(9223372036854775807)"])
        assertRangesCoverText(q)
        // `1..5` is two integers around `..`, not a real.
        XCTAssertEqual(kinds("1..5"), ["int(1)", "..", "int(5)"])
    }

    func testTimespanUnits() {
        let q = "5m 1.5h 100ms 2d 10microseconds 3tick 30s"
        XCTAssertEqual(kinds(q), ["span(\(5 * Ticks.perMinute))", "span(\(3 * Ticks.perHour / 2))", "span(\(100 * Ticks.perMillisecond))",
                                  "span(\(2 * Ticks.perDay))", "span(100)", "span(3)", "span(\(30 * Ticks.perSecond))"])
        assertRangesCoverText(q)
    }

    func testTypedLiteralsKeepTheirInsideRaw() {
        // datetime(…), timespan(…) and guid(…): the inside is one raw string token, not tokens.
        let q = "datetime(2025-03-07T13:42:00Z) timespan(1.02:03:04) guid(74be27de-1e4e-49d9-b579-fe0b331d3642)"
        XCTAssertEqual(kinds(q), ["id(datetime)", "(", "str(2025-03-07T13:42:00Z)", ")",
                                  "id(timespan)", "(", "str(1.02:03:04)", ")",
                                  "id(guid)", "(", "str(74be27de-1e4e-49d9-b579-fe0b331d3642)", ")"])
        let toks = lex(q).tokens
        XCTAssertEqual(toks[2].range, span(q, "2025-03-07T13:42:00Z"))
        XCTAssertEqual(toks[6].range, span(q, "1.02:03:04"))
        assertRangesCoverText(q)
        // The raw text is trimmed of spaces in the token's value; its range and text keep them.
        let spaced = "datetime( 2025-01-01 )"
        let t = lex(spaced).tokens
        XCTAssertEqual(t[2].kind, .string("2025-01-01"))
        XCTAssertEqual(t[2].range, span(spaced, " 2025-01-01 "))
        // dynamic(…) is lexed as ordinary tokens; the parser reads its raw text.
        XCTAssertEqual(kinds("dynamic([1, 'a'])"), ["id(dynamic)", "(", "[", "int(1)", ",", "str(a)", "]", ")"])
    }

    func testStringsAndEscapes() {
        let q = #""a\"b" 'it\'s' "t\tn\n" "\u00e9" '\d+' "x\\y""#
        XCTAssertEqual(kinds(q), [#"str(a"b)"#, "str(it's)", "str(t\tn\n)", "str(é)", #"str(\d+)"#, #"str(x\y)"#])
        assertRangesCoverText(q)
    }

    func testVerbatimObfuscatedAndMultiLineStrings() {
        let q = #"@"C:\temp\""x" h'secret' H"Secret" ```line 1"#  + "\nline \"2\"```"
        XCTAssertEqual(kinds(q), [#"str(C:\temp\"x)"#, "str(secret)", "str(Secret)", "str(line 1\nline \"2\")"])
        let toks = lex(q).tokens
        XCTAssertEqual(toks[0].range, span(q, #"@"C:\temp\""x""#))
        XCTAssertEqual(toks[3].range, span(q, "```line 1\nline \"2\"```"))
        assertRangesCoverText(q)
    }

    func testOperators() {
        let q = "a == b != c <> d <= e >= f =~ g !~ h !has i !contains_cs j in~ k !in~ l !in m !between n => o .. p"
        XCTAssertEqual(kinds(q), ["id(a)", "==", "id(b)", "!=", "id(c)", "<>", "id(d)", "<=", "id(e)", ">=", "id(f)", "=~", "id(g)",
                                  "!~", "id(h)", "id(!has)", "id(i)", "id(!contains_cs)", "id(j)", "id(in~)", "id(k)", "id(!in~)",
                                  "id(l)", "id(!in)", "id(m)", "id(!between)", "id(n)", "=>", "id(o)", "..", "id(p)"])
        assertRangesCoverText(q)
        XCTAssertEqual(kinds("|,()[]{}.=<>+-*/%;:~?!"), ["|", ",", "(", ")", "[", "]", "{", "}", ".", "=", "<>", "+", "-", "*", "/", "%",
                                                         ";", ":", "~", "?", "!"])
        // `! has` with a space is `!` then a name: the negation is spelled without a space.
        XCTAssertEqual(kinds("! has"), ["!", "id(has)"])
    }

    func testCommentsAndSpacing() {
        let q = "T // a comment | where\n| take 1// end"
        XCTAssertEqual(kinds(q), ["id(T)", "|", "id(take)", "int(1)"])
        let toks = lex(q).tokens
        XCTAssertEqual(toks[1].range, span(q, "|", occurrence: 2))
        // `spaced` says whether trivia came before: it tells `a*` (a pattern) from `a *`.
        XCTAssertEqual(lex("a* b *c").tokens.map(\.spaced), [true, false, true, true, false, true])
    }

    func testByteOffsetsAfterNonASCIIText() {
        let q = "print s = \"héllo→\", x // ünïcode\n| take 1"
        let toks = lex(q).tokens
        XCTAssertEqual(toks.map(\.text), ["print", "s", "=", "\"héllo→\"", ",", "x", "|", "take", "1", "end of query"])
        // é is 2 bytes and → is 3: `x`, the 21st character, starts at byte 23.
        XCTAssertEqual(toks[5].range, SourceRange(23, 24))
        XCTAssertEqual(toks[5].range, span(q, "x"))
        assertRangesCoverText(q)
        // Columns are counted in characters, lines from 1.
        let src = SourceText(q)
        XCTAssertEqual(src.location(toks[5].range.start).line, 1)
        XCTAssertEqual(src.location(toks[5].range.start).column, 21)
        XCTAssertEqual(src.location(toks[7].range.start).line, 2)
        XCTAssertEqual(src.location(toks[7].range.start).column, 3)
    }

    // MARK: errors

    func testUnterminatedStringAtTheEnd() {
        let q = "T | where name == \"abc"
        let (toks, diags) = lex(q)
        assertDiagnostics(diags, q, [Expected(code: "LQ1002", at: "\"abc")])
        XCTAssertEqual(toks.last?.kind, .end)
    }

    func testUnterminatedStringStopsAtTheLineEnd() {
        // A regular string cannot span lines: the range ends before the newline.
        let q = "T | where name == 'abc\n| take 1"
        assertDiagnostics(lex(q).diagnostics, q, [Expected(code: "LQ1002", at: "'abc")])
    }

    func testUnterminatedVerbatimAndMultiLineStrings() {
        let v = "print @\"abc\ndef"
        assertDiagnostics(lex(v).diagnostics, v, [Expected(code: "LQ1002", at: "@\"abc\ndef")])
        let m = "print ```abc``"
        assertDiagnostics(lex(m).diagnostics, m, [Expected(code: "LQ1002", at: "```abc``")])
    }

    func testBadCharacters() {
        let q = "T | where a # b"
        assertDiagnostics(lex(q).diagnostics, q, [Expected(code: "LQ1003", at: "#")])
        // Lexing goes on after a bad character: each one is reported, a multi-byte one as a whole.
        let u = "T | where a == é and b ≠ c"
        assertDiagnostics(lex(u).diagnostics, u, [Expected(code: "LQ1003", at: "é"), Expected(code: "LQ1003", at: "≠")])
    }

    func testBadNumbersAndUnits() {
        let q = "T | take 5parsecs"
        assertDiagnostics(lex(q).diagnostics, q, [Expected(code: "LQ1004", at: "5parsecs")])
        let h = "print 0xFFFFFFFFFFFFFFFFFF"
        assertDiagnostics(lex(h).diagnostics, h, [Expected(code: "LQ1004", at: "0xFFFFFFFFFFFFFFFFFF")])
    }

    func testParseReportsLexerErrorsFirstAndOnly() {
        // With a lexer error the parser does not run, so no syntax error cascades from it.
        let q = "T | where a == 'x\n| frobnicate"
        let (script, diags) = parse(q)
        XCTAssertTrue(script.statements.isEmpty)
        assertDiagnostics(diags, q, [Expected(code: "LQ1002", at: "'x")])
    }

    // Issue 11: literals out of range are located errors (they trapped or wrapped before).
    func testLiteralsOutOfRange() {
        for (q, at) in [("print 20000000d", "20000000d"), ("print 99999999999999999999", "99999999999999999999"),
                        ("print 1e400", "1e400"), ("print 1e30s", "1e30s"), ("print 10675200d", "10675200d"),
                        ("print 9223372036854775808tick", "9223372036854775808tick")] {
            let (script, diags) = parse(q)
            XCTAssertTrue(script.statements.isEmpty, q)
            assertDiagnostics(diags, q, [Expected(code: "LQ1007", at: at)])
        }
        let d = parse("print 20000000d").diagnostics[0]
        XCTAssertEqual(SourceText("print 20000000d").render(d),
                       "<query>:1:7: error LQ1007: timespan literal '20000000d' is out of range\n  print 20000000d\n        ^~~~~~~~~\n")
        // Inside the range they are exact: Kusto's largest timespan in whole days, and ticks.
        XCTAssertEqual(kinds("10675199d 9223372036854775807tick 1.5h"),
                       ["span(\(10675199 * Ticks.perDay))", "span(9223372036854775807)", "span(\(Ticks.perHour * 3 / 2))"])
        // -2^63 is still long.min's spelling as a real, as before (only after a unary minus is it in range).
        XCTAssertEqual(kinds("9223372036854775808"), ["real(9.223372036854776e+18)"])
    }
}

/// Queries pasted from web pages carry Unicode spaces; Kusto reads them as whitespace.
extension LexerTests {
    func testUnicodeSpacesSeparateTokens() {
        for space in ["\u{00A0}", "\u{202F}", "\u{2000}", "\u{2005}", "\u{200A}", "\u{3000}", "\u{1680}", "\u{205F}", "\u{2028}", "\u{FEFF}"] {
            let q = "T\(space)|\(space)take\(space)1"
            XCTAssertEqual(kinds(q), ["id(T)", "|", "id(take)", "int(1)"], "U+\(String(space.unicodeScalars.first!.value, radix: 16))")
            XCTAssertTrue(lex(q).diagnostics.isEmpty)
            // Byte ranges skip the space's whole UTF-8 sequence.
            XCTAssertEqual(lex(q).tokens[2].range, span(q, "take"))
        }
    }

    func testOtherNonASCIIIsStillABadCharacter() {
        // U+200B (zero width space) is not White_Space in Unicode, nor in Kusto's lexer.
        let q = "T\u{200B}| take 1"
        assertDiagnostics(lex(q).diagnostics, q, [Expected(code: "LQ1003", at: "\u{200B}")])
    }
}
