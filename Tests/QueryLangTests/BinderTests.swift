import XCTest
import LogStore
@testable import QueryLang

/// The binder's diagnostics through `QueryEngine.compile`, by code and source range, against a
/// store with one table `T(timestamp, name, duration, resultCode, success, props)`.
final class BinderTests: XCTestCase {
    // One store for the class: the tests only compile, they never change it.
    nonisolated(unsafe) static var fixture: BinderFixture!

    override class func setUp() {
        super.setUp()
        do { fixture = try BinderFixture() } catch { XCTFail("cannot create the store: \(error)") }
    }

    override class func tearDown() {
        fixture = nil
        super.tearDown()
    }

    func check(_ q: String, _ expected: [Expected], parameters: [String: Value] = [:], file: StaticString = #filePath, line: UInt = #line) {
        assertDiagnostics(BinderTests.fixture.diagnostics(q, parameters: parameters), q, expected, file: file, line: line)
    }

    func testTheFixtureCompiles() throws {
        check("T | where success and duration > 10 | project name, resultCode, k = tostring(props.k)", [])
        let q = try QueryEngine.compile("T | project timestamp, name, duration, resultCode, success, props", store: BinderTests.fixture.store)
        XCTAssertEqual(q.outputTypes, [.datetime, .string, .real, .long, .bool, .dynamic])
    }

    func testUnknownTable() {
        check("Tx | take 1", [Expected(code: "LQ2001", at: "Tx", note: "did you mean 'T'?")])
        check("let Requests = T; requests | take 1", [Expected(code: "LQ2001", at: "requests", note: "did you mean 'Requests'?")])
        check("T | join (Nope) on name", [Expected(code: "LQ2001", at: "Nope")])
    }

    func testUnknownColumn() {
        check(#"T | where nme == "x""#, [Expected(code: "LQ2002", at: "nme", note: "did you mean 'name'?")])
        // The columns an operator produced are the candidates of the next one.
        check("T | project d = duration | extend x = duration * 2", [Expected(code: "LQ2002", at: "duration", occurrence: 2)])
        check("T | summarize n = count() by name | where resultCode > 1", [Expected(code: "LQ2002", at: "resultCode")])
        check("T | project-away nosuch", [Expected(code: "LQ2002", at: "nosuch")])
    }

    func testUnknownFunction() {
        check("T | extend x = strln(name)", [Expected(code: "LQ2003", at: "strln(name)", note: "did you mean 'strlen'?")])
        check("print frobnicate(1)", [Expected(code: "LQ2003", at: "frobnicate(1)")])
    }

    func testArgumentCount() {
        check("T | extend x = strlen(name, 1)", [Expected(code: "LQ2004", at: "strlen(name, 1)")])
        XCTAssertEqual(BinderTests.fixture.diagnostics("print substring()").first?.message, "function 'substring' expects 2 to 3 arguments, got 0")
        check("let f = (a:long) { a + 1 }; print f(1, 2)", [Expected(code: "LQ2004", at: "f(1, 2)")])
        check("T | summarize dcount()", [Expected(code: "LQ2004", at: "dcount()")])
    }

    func testOperandTypes() {
        check("T | extend x = name * 2", [Expected(code: "LQ2006", at: "name * 2")])
        check("T | where success =~ name", [Expected(code: "LQ2006", at: "success =~ name")])
        check("T | extend x = -name", [Expected(code: "LQ2006", at: "-name")])
        XCTAssertEqual(BinderTests.fixture.diagnostics("T | extend x = -name").first?.message, "operator '-' cannot be applied to a string")
        check("T | extend x = (duration + 1) * name", [Expected(code: "LQ2006", at: "(duration + 1) * name")])
    }

    func testArgumentTypes() {
        check("T | extend x = bin(name, 1)", [Expected(code: "LQ2005", at: "name", occurrence: 1)])
        check("T | extend x = ago(name)", [Expected(code: "LQ2005", at: "ago(name)")])
        check("T | summarize sum(name)", [Expected(code: "LQ2005", at: "name")])
    }

    func testNotDynamic() {
        check("T | extend x = duration.k", [Expected(code: "LQ2024", at: "duration.k")])
        check("T | extend x = name[0]", [Expected(code: "LQ2024", at: "name[0]")])
        check("T | mv-expand x = name", [Expected(code: "LQ2024", at: "name")])
        XCTAssertEqual(BinderTests.fixture.diagnostics("T | extend x = duration.k").first?.message, "the property access '.k' needs a dynamic value, found real")
    }

    func testDatatableShapeAndValues() {
        check("datatable(a:long)[1, 2, 'x']", [Expected(code: "LQ2021", at: "'x'")])
        XCTAssertEqual(BinderTests.fixture.diagnostics("datatable(a:long)[1, 2, 'x']").first?.message, "datatable: a string value in a long column")
        check("datatable(a:long, b:long)[1, 2, 3]", [Expected(code: "LQ2020", at: "datatable(a:long, b:long)[1, 2, 3]")])
        XCTAssertEqual(BinderTests.fixture.diagnostics("datatable(a:long, b:long)[1, 2, 3]").first?.message, "datatable: 3 values do not fill rows of 2 columns")
    }

    func testValueOutOfRange() {
        check("range x from 1 to 10 step 0", [Expected(code: "LQ2017", at: "0", occurrence: 2)])
        check("T | summarize percentile(duration, 101)", [Expected(code: "LQ2017", at: "101")])
        check("T | make-series count() on timestamp step -1h", [Expected(code: "LQ2017", at: "-1h")])
        XCTAssertEqual(BinderTests.fixture.diagnostics("T | make-series count() on timestamp step -1h").first?.message, "make-series: the step must be positive")
    }

    func testInvalidParameterValue() {
        let q = "declare query_parameters(p:long); T | take p"
        check(q, [Expected(code: "LQ2018", at: "p:long")], parameters: ["p": .string("three")])
        XCTAssertEqual(BinderTests.fixture.diagnostics(q, parameters: ["p": .string("three")]).first?.message, "query parameter 'p': 'three' is not a valid long")
        // Its uses are not reported again as unknown columns.
        check("declare query_parameters(p:long); T | where duration > p", [Expected(code: "LQ2018", at: "p:long")], parameters: ["p": .string("three")])
    }

    func testTabularArguments() {
        check("let f = (t:(v:long)) { t | take 1 }; f(1)", [Expected(code: "LQ2019", at: "1", occurrence: 2)])
        check("let f = (t:(v:long)) { t | take 1 }; f(T)", [Expected(code: "LQ2019", at: "T")])
        check("let f = (t:(name:long)) { t | take 1 }; f(T)", [Expected(code: "LQ2019", at: "T")])
        check("let m = materialize(1); print 1", [Expected(code: "LQ2019", at: "1")])
    }

    func testUnknownKeyword() {
        check("print typeof(foo)", [Expected(code: "LQ2028", at: "foo")])
        check(#"print datetime_part("eon", now())"#, [Expected(code: "LQ2028", at: #""eon""#)])
        check("T | lookup kind=fullouter (T) on name", [Expected(code: "LQ2028", at: "lookup kind=fullouter (T) on name")])
        XCTAssertEqual(BinderTests.fixture.diagnostics("print typeof(foo)").first?.message,
                       "unknown type name 'foo'; expected string, long, int, real, bool, datetime, timespan, guid or dynamic")
    }

    func testUnsupportedFeatureIsSemantic() throws {
        let q = "let f = () { T | take 1 }; print f()"
        check(q, [Expected(code: "LQ2027", at: "f()")])
        let d = try XCTUnwrap(BinderTests.fixture.diagnostics(q).first)
        XCTAssertEqual(d.phase, .semantic)
        XCTAssertEqual(d.message, "the tabular function 'f' in a scalar position is not supported by logq yet")
    }

    func testArgumentPairs() {
        check("print case(true, 1, false, 2)", [Expected(code: "LQ2004", at: "case(true, 1, false, 2)")])
        check("print bag_pack('a', 1, 'b')", [Expected(code: "LQ2004", at: "bag_pack('a', 1, 'b')")])
        XCTAssertEqual(BinderTests.fixture.diagnostics("print bag_pack('a', 1, 'b')").first?.message, "function 'bag_pack' expects key/value pairs")
    }

    /// Every code has one phase, and only the LQ1xxx ones are syntax: the binder's own mistakes
    /// (unsupported features included) are semantic.
    func testCodesArePhasedByTheirNumber() {
        for c in DiagnosticCode.allCases {
            let expected: DiagnosticPhase
            switch c.rawValue.prefix(3) {
            case "LQ1": expected = .syntax
            case "LQ2": expected = .semantic
            case "LQ9": expected = .internal
            default: expected = c == .storage ? .storage : .runtime
            }
            XCTAssertEqual(c.phase, expected, "\(c)")
        }
        XCTAssertEqual(Set(DiagnosticCode.allCases.map(\.rawValue)).count, DiagnosticCode.allCases.count)
    }

    /// docs/DIAGNOSTICS.md has one row per code, with the code's phase.
    func testEveryCodeIsDocumented() throws {
        let doc = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/DIAGNOSTICS.md")
        let rows = try String(contentsOf: doc, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("| LQ") }
        var phases: [String: String] = [:]
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            phases[cells[0]] = cells[1]
        }
        XCTAssertEqual(rows.count, DiagnosticCode.allCases.count)
        for c in DiagnosticCode.allCases { XCTAssertEqual(phases[c.rawValue], "\(c.phase)", "\(c)") }
    }

    func testConstantsRequired() {
        check("T | take duration", [Expected(code: "LQ2011", at: "duration")])
        check("T | top 'a' by name", [Expected(code: "LQ2011", at: "'a'")])
        check("T | where name matches regex name", [Expected(code: "LQ2011", at: "name", occurrence: 2)])
        check("T | extend x = extract(name, 0, name)", [Expected(code: "LQ2011", at: "name")])
        check("T | extend x = datetime_add(name, 1, timestamp)", [Expected(code: "LQ2011", at: "name")])
    }

    func testMakeSeriesAxisAndStep() {
        check("T | make-series count() on timestamp step 'x'", [Expected(code: "LQ2015", at: "'x'")])
        check("T | make-series count() on name step 1h", [Expected(code: "LQ2025", at: "name")])
        check("T | make-series make_set(name) on timestamp step 1h", [Expected(code: "LQ2026", at: "make_set(name)")])
    }

    func testJoinKeys() {
        check("T | join (T) on $left.name == $right.nosuch", [Expected(code: "LQ2002", at: "$right.nosuch")])
        check("T | join (T) on $left.name == $right.duration", [Expected(code: "LQ2023", at: "$left.name == $right.duration")])
        check("T | join (T) on name == duration", [Expected(code: "LQ2022", at: "name == duration")])
        XCTAssertEqual(BinderTests.fixture.diagnostics("T | join (T) on $left.name == $right.duration").first?.message, "join keys have different types: string and real")
        check("T | join kind=leftanti (T | where success) on name | union Nope", [Expected(code: "LQ2001", at: "Nope")])
    }

    func testWhereNeedsABool() {
        check("T | where duration", [Expected(code: "LQ2007", at: "duration", occurrence: 1)])
        check("T | where success and name", [Expected(code: "LQ2007", at: "name")])
        check("print iff(1, 2, 3)", [Expected(code: "LQ2007", at: "1")])
    }

    func testAggregateOutsideSummarize() {
        check("T | extend c = count()", [Expected(code: "LQ2008", at: "count()")])
        check("T | where sum(duration) > 1", [Expected(code: "LQ2008", at: "sum(duration)")])
        check(#"T | summarize strlen("x")"#, [Expected(code: "LQ2009", at: #"strlen("x")"#)])
    }

    func testDuplicateColumn() {
        check("T | project a = 1, a = 2", [Expected(code: "LQ2010", at: "a", occurrence: 2)])
        check("T | project name, name", [Expected(code: "LQ2010", at: "name", occurrence: 2)])
        check("T | project ['a b'] = 1, ['a b'] = 2", [Expected(code: "LQ2010", at: "['a b']", occurrence: 2)])
    }

    /// A non-aggregate over a column was bound against the aggregates' (empty) columns and
    /// reported the column as unknown (LQ2002).
    func testSummarizeOfANonAggregateNamesTheFunction() {
        check("T | summarize strlen(name)", [Expected(code: "LQ2009", at: "strlen(name)")])
        check("T | summarize n = count(), d = duration * 2", [Expected(code: "LQ2009", at: "duration * 2")])
        check("T | summarize n = count(), r = 100.0 * countif(success) / count()", [])
    }

    /// The missing parameter was reported, and then each use of it again as an unknown column.
    func testMissingParameterDoesNotCascade() {
        check("declare query_parameters(p:long); T | where duration > p", [Expected(code: "LQ2012", at: "p:long")])
        check("declare query_parameters(p:long); T | take p", [Expected(code: "LQ2012", at: "p:long")])
        // Both missing parameters, and an independent mistake after the use, are still reported.
        check("declare query_parameters(p:long, q:string); T | where duration > p | where nme == q",
              [Expected(code: "LQ2012", at: "p:long"), Expected(code: "LQ2012", at: "q:string"), Expected(code: "LQ2002", at: "nme")])
    }

    /// A string bound made the step unreadable and the error blamed the step.
    func testRangeNamesTheBoundOfTheWrongType() {
        check("range x from 1 to 'a' step 1", [Expected(code: "LQ2005", at: "'a'")])
        XCTAssertEqual(BinderTests.fixture.diagnostics("range x from 1 to 'a' step 1").first?.message,
                       "function 'range': the end must be a number, datetime or timespan, found string")
        check("range x from 'a' to 2 step 1", [Expected(code: "LQ2005", at: "'a'")])
        check("range x from 1 to 2 step 'a'", [Expected(code: "LQ2005", at: "'a'")])
    }

    func testSubstringArgumentsAreTypeChecked() {
        check(#"print substring(1, "a")"#, [Expected(code: "LQ2005", at: #""a""#)])
        check(#"print substring("abc", 1, "a")"#, [Expected(code: "LQ2005", at: #""a""#)])
        check("T | extend s = substring(name, 1, 2)", [])
    }

    func testUserFunctionArgumentsAreTypeChecked() {
        check(#"let f = (x:long) { x + 1 }; print f("a")"#, [Expected(code: "LQ2005", at: #""a""#)])
        XCTAssertEqual(BinderTests.fixture.diagnostics(#"let f = (x:long) { x + 1 }; print f("a")"#).first?.message, "function 'f': parameter 'x' takes a long, got string")
        check("let f = (x:real) { x * 2 }; print f(1)", [])
        check("let f = (x:dynamic) { x }; print f(1)", [])
        check("let f = (t:(*), n:long) { t | take n }; f(T, 'a')", [Expected(code: "LQ2005", at: "'a'")])
    }

    func testBetweenErrorNamesBetween() throws {
        let q = "T | where name between (1 .. 2)"
        check(q, [Expected(code: "LQ2006", at: "name between (1 .. 2)")])
        XCTAssertEqual(try XCTUnwrap(BinderTests.fixture.diagnostics(q).first).message, "operator 'between' cannot be applied to string and long")
        XCTAssertEqual(try XCTUnwrap(BinderTests.fixture.diagnostics("T | where name !between (1 .. 2)").first).message, "operator '!between' cannot be applied to string and long")
    }

    /// The second `n` was renamed n_1; a name the query gives twice is an error in Kusto.
    func testSummarizeRejectsADuplicateName() {
        check("T | summarize n = count(), n = sum(duration)", [Expected(code: "LQ2010", at: "n", occurrence: 3)])
        check("T | summarize n = count(), n = 2 * sum(duration)", [Expected(code: "LQ2010", at: "n", occurrence: 3)])
        check("T | summarize name = count() by name", [Expected(code: "LQ2010", at: "name")])
        // Derived names are still made unique.
        check("T | summarize count(), count()", [])
    }

    func testMissingParameter() {
        let q = "declare query_parameters(p:long, q:string = 'x'); T | take 1"
        check(q, [Expected(code: "LQ2012", at: "p:long")])
        check(q, [], parameters: ["p": .long(2)])
        check("declare query_parameters(p:long); T | take p", [], parameters: ["p": .string("3")])
    }

    func testNotSerialized() {
        check("T | extend r = row_number()", [Expected(code: "LQ2013", at: "row_number()")])
        check("T | summarize n = count() by name | extend p = prev(n)", [Expected(code: "LQ2013", at: "prev(n)")])
        check("T | serialize | extend r = row_number()", [])
        check("T | order by timestamp | extend p = prev(name)", [])
    }

    func testBadRegex() {
        check(#"T | where name matches regex "(a""#, [Expected(code: "LQ2014", at: #""(a""#)])
        check(#"T | extend x = extract("[", 0, name)"#, [Expected(code: "LQ2014", at: #""[""#)])
    }

    func testIndependentMistakesAreAllReported() {
        // Every statement is checked, and every operator of a pipeline: one error for each mistake.
        let q = "let a = nme;\nlet b = strln(1);\nT | where duration | extend x = name * 2"
        check(q, [Expected(code: "LQ2002", at: "nme"), Expected(code: "LQ2003", at: "strln(1)"),
                  Expected(code: "LQ2007", at: "duration"), Expected(code: "LQ2006", at: "name * 2")])
    }

    func testNoCascadeFromABrokenScalarLet() {
        check("let a = nme; T | where duration > a | where nosuch", [Expected(code: "LQ2002", at: "nme"), Expected(code: "LQ2002", at: "nosuch")])
        // A later let of the same name is a new definition.
        check("let a = nme; let a = 1; T | where duration > a", [Expected(code: "LQ2002", at: "nme")])
    }

    func testNoCascadeFromABrokenOperator() {
        check("T | extend x = nme | where x > 1 | project x", [Expected(code: "LQ2002", at: "nme")])
    }

    func testLineAndColumnOfAMultiLineQuery() throws {
        let q = "T\n| where success\n| extend x = nme"
        let d = try XCTUnwrap(BinderTests.fixture.diagnostics(q).first)
        XCTAssertEqual(code(d), "LQ2002")
        let src = SourceText(q)
        XCTAssertEqual(src.location(d.range.start).line, 3)
        XCTAssertEqual(src.location(d.range.start).column, 14)
        XCTAssertEqual(src.location(d.range.end).column, 17)
        XCTAssertEqual(src.render(d), "<query>:3:14: error LQ2002: unknown column 'nme'\n  | extend x = nme\n               ^~~\n  note: did you mean 'name'?\n")
    }

    func testMakeSeriesInRangeIsTheFromToStepForm() throws {
        let inRange = "T | make-series n = count() on timestamp in range(datetime(2025-03-07T13:00:00Z), datetime(2025-03-07T13:03:00Z), 1m)"
        let fromTo = "T | make-series n = count() on timestamp from datetime(2025-03-07T13:00:00Z) to datetime(2025-03-07T13:03:00Z) step 1m"
        check(inRange, [])
        let a = try QueryEngine.compile(inRange, store: BinderTests.fixture.store).run()
        let b = try QueryEngine.compile(fromTo, store: BinderTests.fixture.store).run()
        XCTAssertEqual(a.names, b.names)
        XCTAssertEqual(a.rowCount, 1)
        XCTAssertEqual((0..<a.columns.count).map { ResultFormatter.text(a.columns[$0], 0) }, (0..<b.columns.count).map { ResultFormatter.text(b.columns[$0], 0) })
        XCTAssertEqual(ResultFormatter.text(a.columns[0], 0), "[1,1,1]")
    }

    func testDatatableQueriesNeedNoTable() {
        check("datatable(a:long, b:string)[1, 'x'] | where b > 1", [Expected(code: "LQ2006", at: "b > 1")])
        check("datatable(v:long)[1] | extend v = 2 | project v, v", [Expected(code: "LQ2010", at: "v", occurrence: 4)])
    }
}

final class QueryFormsBinderTests: XCTestCase {
    static var fixture: BinderFixture!
    override class func setUp() { fixture = try? BinderFixture() }
    override class func tearDown() { fixture = nil }
    func check(_ q: String, _ expected: [Expected], file: StaticString = #filePath, line: UInt = #line) {
        assertDiagnostics(QueryFormsBinderTests.fixture.diagnostics(q), q, expected, file: file, line: line)
    }
    let d = "datatable(kk:string, d:long, ts:datetime) [\"x\", 1, datetime(2024-01-01)]"

    func testTupleNamesMustMatchTheColumns() {
        check("\(d) | summarize (m, p, q) = percentiles(d, 50, 95)", [Expected(code: "LQ2040", at: "m, p, q")])
        XCTAssertEqual(QueryFormsBinderTests.fixture.diagnostics("\(d) | summarize (m, p, q) = percentiles(d, 50, 95)").first?.message,
                       "3 name(s) for 2 column(s) of percentiles(): give one name per column")
        check("\(d) | summarize (m, p) = count() + 1", [Expected(code: "LQ2040", at: "m, p")])
        check("\(d) | summarize (t, v) = arg_max(ts, d), (m, p) = percentiles(d, 50, 95)", [])
        check("\(d) | summarize (kk, v) = arg_max(ts, d) by kk", [Expected(code: "LQ2010", at: "kk", occurrence: 2)])
    }

    func testColumnIfExists() {
        check("\(d) | extend z = column_ifexists('d', 0) + 1", [])
        check("\(d) | extend z = column_ifexists(kk, 0)", [Expected(code: "LQ2011", at: "kk", occurrence: 2)])
        check("\(d) | extend z = column_ifexists('d')", [Expected(code: "LQ2004", at: "column_ifexists('d')")])
        check("\(d) | extend z = columnifexists('nope', nope2)", [Expected(code: "LQ2002", at: "nope2")])
    }

    func testInATableName() {
        check("let L = datatable(v:long) [1]; \(d) | where d in (L) and d !in (L)", [])
        check("\(d) | where d in (nope)", [Expected(code: "LQ2002", at: "nope")])
    }

    func testArgumentsConvertToTheParameterType() {
        check("let f = (x:long) { x }; print f(2.5), f(int(3))", [])
        check("let f = (x:long = 'a') { x }; print f()", [Expected(code: "LQ2005", at: "'a'")])
        check("let f = (x:datetime) { x }; print f(1)", [Expected(code: "LQ2005", at: "1", occurrence: 1)])
    }
}
