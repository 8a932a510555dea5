import XCTest
import LogStore
@testable import QueryLang

/// The parser's tree for representative queries (read through `show`), the ranges its nodes keep,
/// and its diagnostics by code and range, including recovery: independent mistakes are all
/// reported, once each, and a mistake causes no second error.
final class ParserTests: XCTestCase {
    func tree(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        let (script, diags) = parse(text)
        XCTAssertEqual(diags.map { "\(code($0)) \($0.message)" }, [], file: file, line: line)
        return show(script)
    }

    /// The only statement's pipeline.
    func pipeline(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Pipeline? {
        let (script, diags) = parse(text)
        XCTAssertEqual(diags.map(code), [], file: file, line: line)
        guard script.statements.count == 1, case .query(let p) = script.statements[0] else {
            XCTFail("expected one query statement", file: file, line: line); return nil
        }
        return p
    }

    // MARK: tree shapes

    func testPipelineWithPrecedence() {
        XCTAssertEqual(tree(#"T | where a > 1 and b has "x" or not(c) | extend d = a * 2 + 1, e = -b | project d, e | take 10"#),
                       [#"T | where (((a > 1) and (b has "x")) or not(c)) | extend d=((a * 2) + 1), e=(-b) | project d, e | take 10"#])
    }

    func testExpressionForms() {
        let q = #"print a = 1 + 2 * 3 - 4 % 2, b = x in (1, 2), c = y !between (1 .. 5), d = s !has "x", e = p.q[0].r, f = ['a b'] =~ "X", g = -5, h = t matches regex "a+", i = n !in~ ("A"), j = "con" 'cat'"#
        XCTAssertEqual(tree(q), [#"print a=((1 + (2 * 3)) - (4 % 2)), b=(x in [1, 2]), c=(y !between [1 .. 5]), d=(s !has "x"), e=p.q[0].r, f=(a b =~ "X"), g=-5, h=(t matches regex "a+"), i=(n !in~ ["A"]), j="concat""#])
    }

    func testTypedLiterals() {
        let q = #"print datetime(2025-03-07T13:42:00Z), timespan(1.02:03:04), 90s, guid(74BE27DE-1E4E-49D9-B579-FE0B331D3642), dynamic({"a": [1, 'b']}), long(null), int(7), real(nan), bool(false), true, null"#
        let day = Ticks.perDay, hour = Ticks.perHour, minute = Ticks.perMinute, second = Ticks.perSecond
        XCTAssertEqual(tree(q), ["print datetime(\(Ticks.formatDatetime(Ticks.parseDatetime("2025-03-07T13:42:00Z")!))), timespan(\(day + 2 * hour + 3 * minute + 4 * second)), timespan(\(90 * second)), guid(74be27de-1e4e-49d9-b579-fe0b331d3642), "
                                 + #"dynamic({"a":[1,"b"]}), long(null), int(7), real(nan), false, true, null"#])
    }

    // Issue 11: typed literals out of range are located errors; typed nulls are unchanged.
    func testTypedLiteralsOutOfRange() {
        for (q, at, code) in [("print timespan(1e30s)", "timespan(1e30s)", "LQ1007"),
                              ("print time(99999999999.00:00:00)", "time(99999999999.00:00:00)", "LQ1007"),
                              ("print timespan(10675200.00:00:00)", "timespan(10675200.00:00:00)", "LQ1007"),
                              ("print time(1e300)", "time(1e300)", "LQ1007"),
                              ("print timespan(99999999999999999999:00)", "timespan(99999999999999999999:00)", "LQ1007"),
                              ("print int(5000000000)", "int(5000000000)", "LQ1007"),
                              ("print real(1e400)", "1e400", "LQ1007"),
                              ("print real('1e400')", "real('1e400')", "LQ1007"),
                              ("print datetime(9999-12-31T23:00:00-14:00)", "datetime(9999-12-31T23:00:00-14:00)", "LQ1007"),
                              // Five digits of year are no datetime at all.
                              ("print datetime(10000-01-01)", "datetime(10000-01-01)", "LQ1004")] {
            let (script, diags) = parse(q)
            XCTAssertTrue(script.statements.isEmpty, q)
            assertDiagnostics(diags, q, [Expected(code: code, at: at)])
        }
        XCTAssertEqual(parse("print time(1e300)").diagnostics.first?.message, "timespan literal '1e300' is out of range")
        let day = Ticks.perDay
        XCTAssertEqual(tree("print long(null), timespan(null), real(inf), real(-inf), timespan(10675199.00:00:00), time(-2), int(-2147483648)"),
                       ["print long(null), timespan(null), real(inf), real(-inf), timespan(\(10675199 * day)), timespan(\(-2 * day)), int(-2147483648)"])
    }

    func testLetStatementsAndFunctions() {
        XCTAssertEqual(tree("let n = 5; let S = T | where x > n; S | count"), ["let n = 5", "let S = T | where (x > n)", "S | count"])
        XCTAssertEqual(tree(#"let f = (a:long, b:string = "x") { T | where n > a | take 1 }; f(1)"#),
                       [#"let f = (a:long, b:string = "x") { T | where (n > a) | take 1 }"#, "f(1)"])
        // A scalar function's body is its result expression.
        XCTAssertEqual(tree("let g = (x:real) { x * 2 }; print g(2)"), ["let g = (x:real) { let __result = (x * 2) }", "print g(2)"])
        // Tabular parameters, and a tabular argument.
        XCTAssertEqual(tree("let h = (t:(a:long), u:(*)) { t | count }; h((U | take 1), U)"),
                       ["let h = (t:(a:long), u:(*)) { t | count }", "h({U | take 1}, U)"])
        XCTAssertEqual(tree("declare query_parameters(from:datetime, k:string = 'x'); T"), [#"declare query_parameters(from:datetime, k:string = "x")"#, "T"])
    }

    func testJoinsAndLookup() {
        XCTAssertEqual(tree("T | join kind=leftouter (U | where b == 1) on $left.a == $right.b, c"),
                       ["T | join kind=leftouter (U | where (b == 1)) on $left.a == $right.b, c == c"])
        XCTAssertEqual(tree("T | join U on a"), ["T | join kind=innerunique (U) on a == a"])
        XCTAssertEqual(tree("T | join kind=left U on a"), ["T | join kind=leftouter (U) on a == a"])
        XCTAssertEqual(tree("T | lookup U on a"), ["T | lookup kind=leftouter (U) on a == a"])
    }

    func testSummarize() {
        XCTAssertEqual(tree("T | summarize n = count(), avg(d) by bin(timestamp, 1h), k"),
                       ["T | summarize n=count(), avg(d) by bin(timestamp, timespan(\(Ticks.perHour))), k"])
        XCTAssertEqual(tree("T | summarize by k"), ["T | summarize by k"])
        XCTAssertEqual(tree("T | summarize hint.shufflekey=k hint.num_partitions=4 count() by k"), ["T | summarize count() by k"])
        // A column named `hint` is still a column.
        XCTAssertEqual(tree("T | summarize count() by hint"), ["T | summarize count() by hint"])
    }

    func testMvExpandParseAndMakeSeries() {
        XCTAssertEqual(tree("T | mv-expand with_itemindex=i x = props.list to typeof(long), y limit 5"),
                       ["T | mv-expand with_itemindex=i x=props.list to typeof(long), y=y limit 5"])
        XCTAssertEqual(tree("T | mv-expand bagexpansion=array b"), ["T | mv-expand bagexpansion=array b=b"])
        XCTAssertEqual(tree(#"T | parse msg with "user=" user:string " took " ms:long "ms" *"#),
                       [#"T | parse msg with "user=" user:string " took " ms:long "ms" *"#])
        XCTAssertEqual(tree(#"T | parse kind=regex msg with "(\d+)" n:long"#), [#"T | parse kind=regex msg with "(\d+)" n:long"#])
        XCTAssertEqual(tree("T | make-series n = count() default = 0 on timestamp from a to b step 1h by k"),
                       ["T | make-series n=count() default=0 on timestamp from a to b step timespan(\(Ticks.perHour)) by k"])
        XCTAssertEqual(tree("T | make-series avg(d) on timestamp in range(a, b, 5m) by k"),
                       ["T | make-series avg(d) on timestamp from a to b step timespan(\(5 * Ticks.perMinute)) by k"])
        // Elsewhere `in` keeps its meaning: `x in range(…)` is an `in` list missing its parenthesis.
        let q = "T | where x in range(1, 5, 1)"
        assertDiagnostics(parse(q).diagnostics, q, [Expected(code: "LQ1001", at: "range")])
    }

    func testSourcesAndUnion() {
        XCTAssertEqual(tree("union withsource=Src T, (U | where a == 1) | count"), ["union withsource=Src (T), (U | where (a == 1)) | count"])
        XCTAssertEqual(tree("T | union withsource=W U, V"), ["T | union withsource=W (U), (V)"])
        XCTAssertEqual(tree(#"datatable(a:long, b:string)[1, "x", 2, "y"] | sort by a asc, b"#),
                       [#"datatable(a:long, b:string)[1, "x", 2, "y"] | sort by a asc nulls first, b desc nulls last"#])
        XCTAssertEqual(tree("range i from 1 to 10 step 2 | top 3 by i nulls first"), ["range i from 1 to 10 step 2 | top 3 by i desc nulls first"])
        XCTAssertEqual(tree(#"print x = 1, "s""#), [#"print x=1, "s""#])
        XCTAssertEqual(tree("(T | take 1) | count"), ["(T | take 1) | count"])
        XCTAssertEqual(tree("T | project-away a, b* | project-rename c = d | project-reorder e desc | distinct *"),
                       ["T | project-away a, b* | project-rename c=d | project-reorder e | distinct *"])
        XCTAssertEqual(tree("T | as X | serialize r = row_number() | sample 5 | getschema"),
                       ["T | as X | serialize r=row_number() | sample 5 | getschema"])
        XCTAssertEqual(tree("T | render timechart with (title = 'x')"), [#"T | render timechart with (title="x")"#])
    }

    // MARK: node ranges

    func testNodesKeepTheirRanges() throws {
        let q = #"T | where ['a b'] > 1 and b has "x" | summarize n = count() by bin(ts, 1h)"#
        let p = try XCTUnwrap(pipeline(q))
        XCTAssertEqual(p.range, span(q, q))
        XCTAssertEqual(p.sourceRange, span(q, "T"))
        XCTAssertEqual(p.operators.map(\.range), [span(q, #"where ['a b'] > 1 and b has "x""#), span(q, "summarize n = count() by bin(ts, 1h)")])
        XCTAssertEqual(p.operators.map(\.name), ["where", "summarize"])
        guard case .whereOp(let w) = p.operators[0].kind, case .binary("and", let l, let r) = w.kind,
              case .binary(">", let name, _) = l.kind else { return XCTFail("unexpected tree") }
        XCTAssertEqual(w.range, span(q, #"['a b'] > 1 and b has "x""#))
        XCTAssertEqual(name.range, span(q, "['a b']"))
        XCTAssertEqual(r.range, span(q, #"b has "x""#))
        guard case .summarize(let aggs, let by) = p.operators[1].kind else { return XCTFail("unexpected tree") }
        let n = span(q, "n = count()").start
        XCTAssertEqual(aggs[0].nameRange, SourceRange(n, n + 1))
        XCTAssertEqual(aggs[0].expr.range, span(q, "count()"))
        XCTAssertEqual(by[0].expr.range, span(q, "bin(ts, 1h)"))
        XCTAssertNil(by[0].nameRange)
        let quoted = #"print ["a b"] = 1"#
        guard case .query(let pq) = parse(quoted).script.statements.first, case .print(let items) = pq.source else { return XCTFail("unexpected tree") }
        XCTAssertEqual(items[0].name, "a b")
        XCTAssertEqual(items[0].nameRange, span(quoted, #"["a b"]"#))
    }

    func testParenthesesBelongToTheRange() throws {
        let q = "print x = (1 + 2) * (3)"
        let st = parse(q).script.statements
        guard case .query(let p) = st.first, case .print(let items) = p.source, case .binary("*", let l, let r) = items[0].expr.kind else {
            return XCTFail("unexpected tree")
        }
        XCTAssertEqual(items[0].expr.range, span(q, "(1 + 2) * (3)"))
        XCTAssertEqual(l.range, span(q, "(1 + 2)"))
        XCTAssertEqual(r.range, span(q, "(3)"))
    }

    func testStatementRanges() {
        let q = "let n = 5;\nlet S = T | take n;\nlet f = (x:long) { x + 1 };\nS"
        let st = parse(q).script.statements
        guard st.count == 4, case .letScalar(_, _, let r0) = st[0], case .letTabular(_, _, let r1) = st[1],
              case .letFunction(_, let params, _, let r2) = st[2] else { return XCTFail("unexpected statements") }
        XCTAssertEqual(r0, span(q, "let n = 5"))
        XCTAssertEqual(r1, span(q, "let S = T | take n"))
        XCTAssertEqual(r2, span(q, "let f = (x:long) { x + 1 }"))
        XCTAssertEqual(params.map(\.range), [span(q, "x:long")])
    }

    // MARK: diagnostics

    func diagnostics(_ text: String) -> [Diagnostic] { parse(text).diagnostics }

    func testMissingExpression() {
        let q = "T | where | take 1"
        assertDiagnostics(diagnostics(q), q, [Expected(code: "LQ1001", at: "|", occurrence: 2)])
        XCTAssertEqual(diagnostics(q).first?.message, "expected an expression, found '|'")
        // At the end of the query the range is empty and sits at the end.
        let e = "T | extend x = "
        assertDiagnostics(diagnostics(e), e, [Expected(code: "LQ1001", at: "")])
        XCTAssertEqual(diagnostics(e).first?.message, "expected an expression, found end of query")
    }

    func testMissingPunctuation() {
        let q = "T | where (a == 1 | take 5"
        assertDiagnostics(diagnostics(q), q, [Expected(code: "LQ1001", at: "|", occurrence: 2)])
        let c = "print f(1, 2"
        assertDiagnostics(diagnostics(c), c, [Expected(code: "LQ1001", at: "")])
        let t = "T | top by a"
        assertDiagnostics(diagnostics(t), t, [Expected(code: "LQ1001", at: "by")])
        XCTAssertEqual(diagnostics(t).first?.message, "expected the number of rows, found 'by'")
        let b = "T | order a"
        assertDiagnostics(diagnostics(b), b, [Expected(code: "LQ1001", at: "a")])
        XCTAssertEqual(diagnostics(b).first?.message, "expected 'by', found 'a'")
    }

    func testTrailingTokensAfterAnOperator() {
        let q = "T | take 5 6"
        assertDiagnostics(diagnostics(q), q, [Expected(code: "LQ1001", at: "6")])
        XCTAssertEqual(diagnostics(q).first?.message, "expected '|' or the end of the query, found '6'")
    }

    func testBadOperatorNameSuggestsTheNearOne() {
        let q = "T | wher x > 1"
        assertDiagnostics(diagnostics(q), q, [Expected(code: "LQ1005", at: "wher", note: "did you mean 'where'?")])
        let s = "T | summarise count() by k"
        assertDiagnostics(diagnostics(s), s, [Expected(code: "LQ1005", at: "summarise", note: "did you mean 'summarize'?")])
        let far = "T | frobnicate"
        assertDiagnostics(diagnostics(far), far, [Expected(code: "LQ1005", at: "frobnicate")])
        XCTAssertEqual(diagnostics(far).first?.notes, [])
    }

    func testRenderedSyntaxError() {
        let q = "T\n| summarise count() by k"
        let d = diagnostics(q)
        XCTAssertEqual(d.map { SourceText(q).render($0) }, ["<query>:2:3: error LQ1005: unknown tabular operator 'summarise'\n  | summarise count() by k\n    ^~~~~~~~~\n  note: did you mean 'summarize'?\n"])
    }

    func testUnsupportedOperator() {
        let q = "T | evaluate bag_unpack(x) | take 1"
        assertDiagnostics(diagnostics(q), q, [Expected(code: "LQ1006", at: "evaluate")])
        let m = "T | mv-apply x on (take 1)"
        assertDiagnostics(diagnostics(m), m, [Expected(code: "LQ1006", at: "mv-apply")])
    }

    func testBadLiterals() {
        // The range is the whole literal, type name and parentheses included.
        for lit in ["datetime(2025-13-45)", "timespan(abc)", "guid(xyz)", #"dynamic({"a":})"#, "bool(maybe)"] {
            let q = "print x = \(lit), y = 1"
            assertDiagnostics(diagnostics(q), q, [Expected(code: "LQ1004", at: lit)])
        }
    }

    func testBadTypesAndJoinKinds() {
        let d = "datatable(a:strin)[1]"
        assertDiagnostics(diagnostics(d), d, [Expected(code: "LQ1001", at: "strin")])
        let j = "T | join kind=outer (U) on a"
        assertDiagnostics(diagnostics(j), j, [Expected(code: "LQ1001", at: "outer")])
        // A parameter's mistake is reported where it is, not as a parenthesised expression gone wrong.
        // A parse pattern's column type is checked as mv-expand's and datatable's are (it was read as string).
        let pt = "T | parse x with * 'a' b:lng"
        assertDiagnostics(diagnostics(pt), pt, [Expected(code: "LQ1001", at: "lng")])
        let mv = "T | mv-expand x to typeof(lng)"
        assertDiagnostics(diagnostics(mv), mv, [Expected(code: "LQ1001", at: "lng")])
        let p = "let f = (a:lng) { a }; print f(1)"
        assertDiagnostics(diagnostics(p), p, [Expected(code: "LQ1001", at: "lng")])
        let m = "let f = (a:long, b:) { a }; print f(1)"
        assertDiagnostics(diagnostics(m), m, [Expected(code: "LQ1001", at: ")", occurrence: 1)])
    }

    func testExpressionIsNotAQuery() {
        let q = "1 + 1"
        assertDiagnostics(diagnostics(q), q, [Expected(code: "LQ1001", at: "1 + 1")])
    }

    func testIndependentMistakesAreAllReportedOnce() {
        // Three operators of one pipeline, each with its own mistake.
        let q = "T | wher x > 1 | take | extend y = "
        assertDiagnostics(diagnostics(q), q, [Expected(code: "LQ1005", at: "wher"),
                                              Expected(code: "LQ1001", at: "|", occurrence: 3),
                                              Expected(code: "LQ1001", at: "")])
        // Mistakes in separate statements.
        let s = "let x = ;\nT | frob a;\nprint 1 +"
        assertDiagnostics(diagnostics(s), s, [Expected(code: "LQ1001", at: ";"),
                                              Expected(code: "LQ1005", at: "frob"),
                                              Expected(code: "LQ1001", at: "")])
    }

    func testNoCascadeInsideAnOperator() {
        // The rest of a broken operator (up to the next `|` outside brackets) is skipped, not re-read.
        let q = "T | where a == (1, 2 | project b, c) | extend d = 1"
        assertDiagnostics(diagnostics(q), q, [Expected(code: "LQ1001", at: ",", occurrence: 1)])
        let p = "T | project a = , b = 2 | where c"
        assertDiagnostics(diagnostics(p), p, [Expected(code: "LQ1001", at: ",")])
    }

    func testParseOnlyFacade() {
        XCTAssertEqual(QueryEngine.parse("T | take 1").map(code), [])
        XCTAssertEqual(QueryEngine.parse("T | wher 1").map(code), ["LQ1005"])
        let ps = QueryEngine.declaredParameters("declare query_parameters(a:long, b:string = 'x'); T")
        XCTAssertEqual(ps.map(\.name), ["a", "b"])
        XCTAssertEqual(ps.map(\.type), [.long, .string])
        XCTAssertEqual(ps.map(\.hasDefault), [false, true])
    }
}

/// The forms of `Syntax/QueryForms.swift`: hints, deprecated spellings, quoted names, tuples.
final class QueryFormsParserTests: XCTestCase {
    func testHintsParseOnTheOperatorsThatTakeThem() {
        for q in ["T | summarize hint.strategy=shuffle hint.num_partitions=4 count() by a",
                  "T | join kind=inner hint.strategy=broadcast hint.remote=left (U) on a",
                  "T | join hint.shufflekey=a kind=leftouter (U) on a",
                  "T | lookup hint.remote=auto (U) on a",
                  "T | make-series hint.shufflekey=a count() on ts step 1h",
                  "T | union hint.concurrency=2 hint.spread=1 U",
                  "union hint.concurrency=2 T, U",
                  "T | as hint.materialized=true X"] {
            XCTAssertTrue(parse(q).diagnostics.isEmpty, "\(q): \(parse(q).diagnostics)")
        }
    }

    func testAnUnknownHintIsLocatedAtItsName() {
        let q = "T | join hint.colour=red (U) on a"
        assertDiagnostics(parse(q).diagnostics, q, [Expected(code: "LQ1010", at: "hint.colour")])
        XCTAssertEqual(parse(q).diagnostics.first?.message,
                       "unknown hint 'hint.colour' for 'join' (it takes hint.strategy, hint.shufflekey, hint.num_partitions, hint.remote, hint.concurrency, hint.spread)")
        let q2 = "T | as hint.strategy=shuffle X"
        assertDiagnostics(parse(q2).diagnostics, q2, [Expected(code: "LQ1010", at: "hint.strategy")])
        let q3 = "T | summarize hint.strategy= count()"
        // `count` reads as the hint's value, so the mistake shows at the empty parentheses.
        assertDiagnostics(parse(q3).diagnostics, q3, [Expected(code: "LQ1001", at: ")")])
    }

    func testDeprecatedSpellingsBecomeTheirOperatorsAndFunctions() {
        guard case .query(let p) = parse("T | mvexpand a | makeseries count() on ts step 1h").script.statements.first else { return XCTFail() }
        XCTAssertEqual(p.operators.map(\.name), ["mv-expand", "make-series"])
        // The legacy mvexpand keeps at most 128 rows per row.
        guard case .mvExpand(_, _, _, _, let limit?) = p.operators[0].kind, case .literal(.long(128)) = limit.kind else { return XCTFail("no limit") }
        guard case .query(let p2) = parse("T | mv-expand a").script.statements.first, case .mvExpand(_, _, _, _, nil) = p2.operators[0].kind else { return XCTFail() }
        guard case .query(let p3) = parse("T | extend x = parseurl(u), y = todynamic(s)").script.statements.first,
              case .extend(let items) = p3.operators[0].kind else { return XCTFail() }
        let names = items.compactMap { if case .call(let n, _) = $0.expr.kind { return n }; return nil }
        XCTAssertEqual(names.first, "parse_url")
    }

    func testAdjacentLiteralsMakeOneQuotedName() {
        let q = #"T | project ["a" 'b'] = 1, ["c" "d"]"#
        guard case .query(let p) = parse(q).script.statements.first, case .project(let items) = p.operators[0].kind else { return XCTFail("\(parse(q).diagnostics)") }
        XCTAssertEqual(items[0].name, "ab")
        XCTAssertEqual(items[0].nameRange, span(q, #"["a" 'b']"#))
        guard case .name("cd") = items[1].expr.kind else { return XCTFail() }
        XCTAssertEqual(items[1].expr.range, span(q, #"["c" "d"]"#))
    }

    func testTupleNamesOnlyInSummarize() {
        let q = "T | summarize (m, p) = percentiles(d, 50, 95) by a"
        guard case .query(let p) = parse(q).script.statements.first, case .summarize(let aggs, _) = p.operators[0].kind else { return XCTFail() }
        XCTAssertEqual(aggs[0].tuple?.map(\.0), ["m", "p"])
        XCTAssertEqual(aggs[0].tuple?.map(\.1), [span(q, "(m").start + 1, span(q, "p)").start].map { SourceRange($0, $0 + 1) })
        // Elsewhere `(m, p)` is no expression.
        let q2 = "T | extend (m, p) = 1"
        assertDiagnostics(parse(q2).diagnostics, q2, [Expected(code: "LQ1001", at: ",")])
    }

    func testUnionOptionsInsideParentheses() {
        XCTAssertTrue(parse("(union isfuzzy=true T, U) | count").diagnostics.isEmpty)
        XCTAssertTrue(parse("let X = (union withsource=S T, U); X").diagnostics.isEmpty)
    }
}
