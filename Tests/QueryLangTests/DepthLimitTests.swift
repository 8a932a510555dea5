import Foundation
import XCTest
import LogStore
@testable import QueryLang

/// Issue 11, "Unbounded recursion": each reproducer (a SIGSEGV before) is a located error or the
/// right answer now, and queries at the limit still run on a small secondary-thread stack.
final class DepthLimitTests: XCTestCase {
    nonisolated(unsafe) static var fixture: BinderFixture!

    override class func setUp() {
        super.setUp()
        do { fixture = try BinderFixture() } catch { XCTFail("cannot create the store: \(error)") }
    }

    override class func tearDown() {
        fixture = nil
        super.tearDown()
    }

    var store: Store { DepthLimitTests.fixture.store }
    let limit = DepthLimits.maxDepth

    func diagnostics(_ q: String) -> [Diagnostic] { DepthLimitTests.fixture.diagnostics(q) }

    /// Exactly one diagnostic, with this code, starting at this byte offset.
    func expectOne(_ q: String, _ code: String, at offset: Int, file: StaticString = #filePath, line: UInt = #line) {
        let ds = diagnostics(q)
        XCTAssertEqual(ds.map { "\($0.code)" }, [code], "\(ds.prefix(3))", file: file, line: line)
        XCTAssertEqual(ds.first?.range.start, offset, "points at '\(covered(q, ds.first?.range ?? SourceRange(0, 0)).prefix(20))'", file: file, line: line)
    }

    func run(_ q: String) throws -> ResultTable { try QueryEngine.compile(q, store: store).run() }

    /// The byte offset of the `n`-th (1-based) occurrence of `needle`.
    func offset(of needle: String, occurrence n: Int, in text: String) -> Int { span(text, needle, occurrence: n).start }

    // MARK: the reproducers

    func testFourThousandParenthesesAreALocatedError() {
        let q = "print " + String(repeating: "(", count: 4000) + "1" + String(repeating: ")", count: 4000)
        XCTAssertEqual(q.utf8.count, 8007)
        // The statement, its pipeline and print's expression are three levels; each '(' opens one
        // more, so the parser stops inside the (limit - 3)-th parenthesis: at the next '('.
        expectOne(q, "LQ1008", at: 6 + limit - 2)
        let d = diagnostics(q)[0]
        XCTAssertEqual(d.message, "query nests too deeply: more than \(limit) levels")
        let rendered = SourceText(q).render(d)
        XCTAssertTrue(rendered.hasPrefix("<query>:1:\(6 + limit - 1): error LQ1008: query nests too deeply: more than 256 levels\n"), rendered)
        XCTAssertTrue(rendered.contains("\n  " + String(repeating: " ", count: 6 + limit - 2) + "^"), "caret under the parenthesis")
    }

    func testTwentyThousandTermAndChainRuns() throws {
        // Folded into a balanced tree, so it works instead of failing: every row has resultCode > 100.
        let q = "T | where " + Array(repeating: "resultCode > 100", count: 20_000).joined(separator: " and ") + " | count"
        let r = try run(q)
        XCTAssertEqual(r.value(row: 0, column: 0), .long(3))
        let q2 = "T | where " + Array(repeating: "resultCode == 500", count: 20_000).joined(separator: " or ") + " | project name"
        let r2 = try run(q2)
        XCTAssertEqual(r2.rowCount, 1)
        XCTAssertEqual(r2.value(row: 0, column: 0), .string("GET /b"))
        // Mixed: and/or chains with a false term in the middle.
        let terms = (0..<10_000).map { $0 == 5_000 ? "resultCode == 404" : "resultCode > 0" }
        XCTAssertEqual(try run("T | where " + terms.joined(separator: " and ") + " | count").value(row: 0, column: 0), .long(0))
    }

    func testSixThousandPipesAreALocatedError() {
        // Each operator wraps the plan of the ones before it (and the operators recurse into their
        // input when they run), so a pipeline longer than the limit is refused, at the operator
        // past it; the rest of the pipeline is not reported again.
        let q = "T" + String(repeating: " | take 5", count: 6_000)
        // The source counts one level: operator number `limit` is the first one too many.
        expectOne(q, "LQ1008", at: offset(of: "take 5", occurrence: limit, in: q))
        // One operator fewer than that is fine, and runs.
        let ok = "T" + String(repeating: " | take 5", count: limit - 1)
        XCTAssertEqual(try run(ok).rowCount, 3)
    }

    func testNotAndUnaryMinusChains() throws {
        let nots = "print " + String(repeating: "not(", count: 5_000) + "true" + String(repeating: ")", count: 5_000)
        XCTAssertEqual(diagnostics(nots).map { "\($0.code)" }, ["LQ1008"])
        let minus = "print " + String(repeating: "- ", count: 5_000) + "1"
        XCTAssertEqual(diagnostics(minus).map { "\($0.code)" }, ["LQ1008"])
        XCTAssertEqual(diagnostics(minus)[0].range.start, 6 + 2 * (limit - 3))
        // Below the limit both are right: 100 nots of true, 101 minus signs of 1.
        XCTAssertEqual(try run("print " + String(repeating: "not(", count: 100) + "true" + String(repeating: ")", count: 100)).value(row: 0, column: 0), .bool(true))
        XCTAssertEqual(try run("print " + String(repeating: "- ", count: 101) + "1").value(row: 0, column: 0), .long(-1))
    }

    func testLongArithmeticChainIsALocatedError() {
        // `+` is not folded (reals do not associate), so 20,000 terms are refused where the tree
        // gets too deep: after the (limit)-th '+'.
        let q = "print " + Array(repeating: "1", count: 20_000).joined(separator: " + ")
        expectOne(q, "LQ1008", at: offset(of: "+", occurrence: limit, in: q))
        XCTAssertEqual(try? run("print " + Array(repeating: "1", count: 200).joined(separator: " + ")).value(row: 0, column: 0), .long(200))
        // Member chains too.
        let m = "print d = dynamic({}) | extend x = d" + String(repeating: ".a", count: 5_000)
        XCTAssertEqual(diagnostics(m).map { "\($0.code)" }, ["LQ1008"])
    }

    func testNestedUnionIsALocatedError() throws {
        let q = String(repeating: "union (", count: 3_000) + "T" + String(repeating: ")", count: 3_000)
        XCTAssertEqual(diagnostics(q).map { "\($0.code)" }, ["LQ1008"])
        let ok = String(repeating: "union (", count: 60) + "T" + String(repeating: ")", count: 60)
        XCTAssertEqual(try run(ok + " | count").value(row: 0, column: 0), .long(3))
    }

    func testRecursiveLetsAreALocatedError() throws {
        let f = "let f = (x:long) { f(x) }; print f(1)"
        expectOne(f, "LQ2016", at: offset(of: "f(x)", occurrence: 1, in: f))
        XCTAssertEqual(diagnostics(f)[0].message, "'f' refers to itself: recursive let definitions are not supported")
        let t = "let t = t | take 1; t"
        expectOne(t, "LQ2016", at: offset(of: "t |", occurrence: 1, in: t))
        let ab = "let a = () { b() }; let b = () { a() }; a()"
        expectOne(ab, "LQ2016", at: offset(of: "a()", occurrence: 1, in: ab))
        let tab = "let g = (n:long) { T | take n | union (g(n)) }; g(2)"
        expectOne(tab, "LQ2016", at: offset(of: "g(n)", occurrence: 1, in: tab))
        // A tabular parameter named like the caller's argument is not recursion.
        let shadow = "let g = (T:(*)) { T | take 1 }; let f = (T:(*)) { g(T) | take 5 }; f(T) | count"
        XCTAssertEqual(try run(shadow).value(row: 0, column: 0), .long(1))
        // Inside `let T = T | …` the name means what it meant before: the store's table, or an
        // earlier let of that name.
        XCTAssertEqual(try run("let T = T | take 2; T | count").value(row: 0, column: 0), .long(2))
        XCTAssertEqual(try run("let a = T | take 2; let a = a | take 1; a | count").value(row: 0, column: 0), .long(1))
        XCTAssertEqual(try run("let a = T | where resultCode > 200; let a = a | where resultCode < 500; let a = a | count; a").value(row: 0, column: 0), .long(1))
        let twice = "let x = T | take 1; let x = x | take 1; let y = y | take 1; y"
        expectOne(twice, "LQ2016", at: offset(of: "y |", occurrence: 1, in: twice))
        // Calls as arguments of the same function are not recursion either.
        XCTAssertEqual(try run("let inc = (x:long) { x + 1 }; print inc(inc(inc(1)))").value(row: 0, column: 0), .long(4))
        XCTAssertEqual(try run("let top1 = (t:(*), n:long) { t | take n }; union (top1(T, 1)), (top1(T, 2)) | count").value(row: 0, column: 0), .long(3))
        // A name used twice, not recursively, is fine.
        XCTAssertEqual(try run("let a = T | take 2; union a, a | count").value(row: 0, column: 0), .long(4))
    }

    func testLetChainsDeeperThanTheLimitAreALocatedError() throws {
        func chain(_ n: Int) -> String {
            var q = "let t0 = T;"
            for k in 1...n { q += " let t\(k) = t\(k - 1) | take 3;" }
            return q + " t\(n) | count"
        }
        let deep = chain(400)
        let ds = diagnostics(deep)
        XCTAssertEqual(ds.map { "\($0.code)" }, ["LQ1008"])
        XCTAssertEqual(try run(chain(100)).value(row: 0, column: 0), .long(3))
    }

    func testNestedToscalarParsesInLinearTime() throws {
        // Each level was parsed twice (as a pipeline, then as an expression): 2^n. 60 levels
        // would not finish; now each `toscalar(` is parsed once and the answer is right.
        let n = 60
        let q = "print " + String(repeating: "toscalar(", count: n) + "1" + String(repeating: " + 1)", count: n)
        XCTAssertEqual(try run(q).value(row: 0, column: 0), .long(Int64(n + 1)))
        var p = Parser(SourceText(q))
        _ = p.script()
        XCTAssertEqual(p.toscalarParsed.count, n)
    }

    func testNestedCallsOfADeepScalarFunctionAreALocatedError() throws {
        // The body is 101 levels deep and each call inlines it: three nested calls are too deep.
        let f = "let f = (x:real) { x" + String(repeating: " + 1", count: 100) + " };"
        let q = f + " print f(f(f(rand())))"
        // Reported at the call that gets too deep: the outermost.
        expectOne(q, "LQ1008", at: offset(of: "f(f(f(", occurrence: 1, in: q))
        XCTAssertEqual(try run(f + " print f(f(rand())) >= 200").value(row: 0, column: 0), .bool(true))
    }

    func testNestedFunctionDefinitionsAreALocatedError() throws {
        func nested(_ n: Int) -> String {
            (1...n).map { "let f\($0) = () { " }.joined() + "print 1" + String(repeating: " }; ", count: n - 1) + " }; f1()"
        }
        let q = nested(10_000)
        // Each definition is one level (its statement): the 257th is reported, once.
        let ds = diagnostics(q)
        XCTAssertEqual(ds.map { "\($0.code)" }.prefix(5), ["LQ1008"])
        XCTAssertEqual(ds.first?.range.start, offset(of: "let f257 =", occurrence: 1, in: q))
    }

    func testScalarLetChainsDeeperThanTheLimitAreALocatedError() throws {
        // Each let's value is shared by the next: the expression grows one level per let.
        func chain(_ n: Int) -> String {
            var q = "let x0 = rand();"
            for k in 1...n { q += " let x\(k) = x\(k - 1) + 1;" }
            return q + " print x\(n) >= \(n)"
        }
        let deep = chain(400)
        // x0 is one level, each `+` one more: x256 is the first past the limit.
        expectOne(deep, "LQ1008", at: offset(of: "let x256 =", occurrence: 1, in: deep))
        XCTAssertEqual(try run(chain(200)).value(row: 0, column: 0), .bool(true))
    }

    func testLoweringRefusesAPlanDeeperThanTheLimit() throws {
        // The binder refuses such plans first; one built another way reaches lowering, which
        // reports it when run instead of recursing without bound.
        var plan: any LogicalPlan = ValuesNode(batch: Batch(names: ["a"], columns: [.ints(.long, [7])], count: 1))
        for _ in 0..<(limit - 1) { plan = SerializeNode(input: plan) }
        let ex = QueryExecutor(store: store, options: ExecutionOptions())
        let ok = plan
        XCTAssertEqual(try DeepStack.run { try ex.run(ok) }.columns[0].value(0), .long(7))
        plan = SerializeNode(input: plan)
        let deep = plan
        XCTAssertThrowsError(try DeepStack.run { try ex.run(deep) }) { e in
            XCTAssertEqual((e as? Diagnostic)?.code, .nestingTooDeep)
            XCTAssertEqual((e as? Diagnostic)?.message, "query nests too deeply: more than 256 levels")
        }
        // The binder's own check, at the reference that expands past it.
        XCTAssertThrowsError(try Binder.checkPlanHeight(deep, SourceRange(3, 4))) { e in
            XCTAssertEqual((e as? Diagnostic)?.range, SourceRange(3, 4))
        }
        XCTAssertNoThrow(try Binder.checkPlanHeight(ok, SourceRange(3, 4)))
    }

    // MARK: the limit leaves ample stack on a secondary thread

    /// Runs `body` on a thread with a 512 KiB stack (the default for secondary threads on macOS,
    /// less than glibc's 8 MiB): queries at the limit must compile and run there, in debug builds.
    func onSmallStack(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let t = Thread { body(); done.signal() }
        t.stackSize = 512 * 1024
        t.start()
        XCTAssertEqual(done.wait(timeout: .now() + 300), .success)
    }

    func testQueriesAtTheLimitRunOnA512KiBStack() {
        let store = self.store
        let lim = limit
        nonisolated(unsafe) var results: [String: Result<Value, Error>] = [:]
        nonisolated(unsafe) var explained = ""
        onSmallStack {
            func one(_ name: String, _ q: String) {
                results[name] = Result { try QueryEngine.compile(q, store: store).run().value(row: 0, column: 0) }
            }
            one("parens", "print " + String(repeating: "(", count: lim - 3) + "1" + String(repeating: ")", count: lim - 3))
            one("nots", "print " + String(repeating: "not(", count: lim - 3) + "true" + String(repeating: ")", count: lim - 3))
            // A pipeline's depth is its operators plus its deepest expression (`resultCode > 0`: 2).
            one("pipes", "T" + String(repeating: " | where resultCode > 0", count: lim - 3) + " | count")
            one("unions", String(repeating: "union (", count: lim / 2 - 2) + "T" + String(repeating: ")", count: lim / 2 - 2) + " | count")
            var lets = "let t0 = T;"
            for k in 1..<(lim - 2) { lets += " let t\(k) = t\(k - 1) | extend x\(k) = \(k);" }
            one("lets", lets + " t\(lim - 3) | count")
            let pipes = "T" + String(repeating: " | where resultCode > 0", count: lim - 3) + " | count"
            explained = (try? QueryEngine.compile(pipes, store: store).explain()) ?? ""
            // Deep rejections on the same small stack: the checks themselves must not overflow.
            one("deep", "print " + String(repeating: "(", count: 100_000) + "1")
        }
        XCTAssertEqual(try results["parens"]?.get(), .long(1))
        XCTAssertEqual(try results["nots"]?.get(), .bool(lim % 2 == 1))
        XCTAssertEqual(try results["pipes"]?.get(), .long(3))
        XCTAssertEqual(try results["unions"]?.get(), .long(3))
        XCTAssertEqual(try results["lets"]?.get(), .long(3))
        // One line per plan node: the scan, 253 filters and the count.
        XCTAssertEqual(explained.split(separator: "\n").count, lim - 1, explained.split(separator: "\n").prefix(3).joined(separator: "\n"))
        guard case .failure(let f as CompileFailure)? = results["deep"] else { return XCTFail("\(String(describing: results["deep"]))") }
        XCTAssertEqual(f.diagnostics.map { "\($0.code)" }, ["LQ1008"])
    }

    // MARK: the lexer is linear

    func testLexerIsLinearOnRunsOfTypedLiteralOpeners() {
        // 1 MiB of `datetime(` (no closing parenthesis) was quadratic: every opener searched the
        // rest of the text for a `)`. Each scan now stops at the next parenthesis.
        let unit = "datetime(", n = (1 << 20) / unit.utf8.count
        let (toks, diags) = lex(String(repeating: unit, count: n))
        XCTAssertEqual(toks.count, 2 * n + 1)
        XCTAssertEqual(diags.count, 0)
        // The same with a `)` only at the very end: one raw literal, the innermost.
        let closed = String(repeating: unit, count: n / 4) + "x)"
        let (toks2, _) = lex(closed)
        XCTAssertEqual(toks2.count, 2 * (n / 4) + 3)
        guard case .string("x") = toks2[toks2.count - 3].kind else { return XCTFail("the innermost is raw: \(toks2.suffix(4).map(\.text))") }
        // `long(` runs: the parser matches parentheses once instead of at every level.
        let longs = String(repeating: "long(", count: (1 << 20) / 5)
        var p = Parser(SourceText("print " + longs + "1" + String(repeating: ")", count: (1 << 20) / 5)))
        XCTAssertEqual(p.matching.filter { $0 >= 0 }.count, (1 << 20) / 5)
        let ds = DeepStack.run { () -> [Diagnostic] in _ = p.script(); return p.diagnostics }
        XCTAssertEqual(ds.map { "\($0.code)" }, ["LQ1008"])
    }
}
