import Foundation
import XCTest
import LogStore
@testable import QueryLang

// Shared by LexerTests, ParserTests and BinderTests: they expect diagnostics by code and source
// range, and read trees through a compact text form so that a test states the shape it expects.

/// The diagnostic's code as its `LQnnnn` text. Every test compares codes through this one helper,
/// so the tests do not depend on how `Diagnostic.code` is typed (a string now, an enum later).
func code(_ d: Diagnostic) -> String { "\(d.code)" }

/// The byte range of the `occurrence`-th appearance of `needle` in `text` (UTF-8 offsets, as
/// `SourceRange` counts), so that expected ranges are written as the text they cover.
func span(_ text: String, _ needle: String, occurrence: Int = 1, file: StaticString = #filePath, line: UInt = #line) -> SourceRange {
    let hay = Array(text.utf8), n = Array(needle.utf8)
    var seen = 0
    if n.count <= hay.count {
        for start in 0...(hay.count - n.count) where hay[start..<start + n.count].elementsEqual(n) {
            seen += 1
            if seen == occurrence { return SourceRange(start, start + n.count) }
        }
    }
    XCTFail("'\(needle)' does not occur \(occurrence) time(s) in the query", file: file, line: line)
    return SourceRange(-1, -1)
}

/// The text a range covers, for failure messages that show what a wrong range points at.
func covered(_ text: String, _ r: SourceRange) -> String {
    let b = Array(text.utf8)
    guard r.start >= 0, r.end <= b.count, r.start <= r.end else { return "<\(r.start)..<\(r.end) outside the text>" }
    return String(decoding: b[r.start..<r.end], as: UTF8.self)
}

/// Asserts that `diags` holds exactly the expected (code, covered text) pairs, in order.
/// `at` is the text the range must cover; when it occurs more than once, `occurrence` picks one.
struct Expected {
    var code: String
    var at: String
    var occurrence = 1
    var note: String? = nil
}

func assertDiagnostics(_ diags: [Diagnostic], _ text: String, _ expected: [Expected], file: StaticString = #filePath, line: UInt = #line) {
    let got = diags.map { "\(code($0)) at '\(covered(text, $0.range))' \($0.range.start)..<\($0.range.end)" }
    guard diags.count == expected.count else {
        XCTFail("expected \(expected.count) diagnostic(s), got \(diags.count): \(got)", file: file, line: line)
        return
    }
    for (d, e) in zip(diags, expected) {
        XCTAssertEqual(code(d), e.code, "\(got)", file: file, line: line)
        // An empty `at` is the end of the text, where "found end of query" points.
        let end = text.utf8.count
        let want = e.at.isEmpty ? SourceRange(end, end) : span(text, e.at, occurrence: e.occurrence, file: file, line: line)
        XCTAssertEqual(d.range, want, "range covers '\(covered(text, d.range))', expected '\(e.at)'", file: file, line: line)
        if let n = e.note { XCTAssertEqual(d.notes, [n], file: file, line: line) }
    }
}

func lex(_ text: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
    var lx = Lexer(SourceText(text))
    let toks = lx.tokenize()
    return (toks, lx.diagnostics)
}

func parse(_ text: String) -> (script: Script, diagnostics: [Diagnostic]) { Parser.parse(SourceText(text)) }

// MARK: the tree as text

/// One line per statement; a pipeline as `source | op | op`, expressions fully parenthesised.
func show(_ s: Script) -> [String] { s.statements.map(show) }

func show(_ s: Statement) -> String {
    switch s {
    case .letScalar(let n, let e, _): return "let \(n) = \(show(e))"
    case .letTabular(let n, let p, _): return "let \(n) = \(show(p))"
    case .letFunction(let n, let ps, let body, _):
        return "let \(n) = (\(ps.map(show).joined(separator: ", "))) { \(body.map(show).joined(separator: "; ")) }"
    case .declareParameters(let ps): return "declare query_parameters(\(ps.map(show).joined(separator: ", ")))"
    case .query(let p): return show(p)
    }
}

func show(_ p: QueryParameter) -> String {
    if let cols = p.tabularColumns { return "\(p.name):(\(cols.isEmpty ? "*" : cols.map { "\($0.name):\($0.type.name)" }.joined(separator: ", ")))" }
    return "\(p.name):\(p.type.name)" + (p.defaultValue.map { " = \(show($0))" } ?? "")
}

func show(_ p: Pipeline) -> String {
    ([show(p.source)] + p.operators.map(show)).joined(separator: " | ")
}

func show(_ s: SourceKind) -> String {
    switch s {
    case .table(let n): return n
    case .datatable(let cols, let vals):
        return "datatable(\(cols.map { "\($0.name):\($0.type.name)" }.joined(separator: ", ")))[\(vals.map(show).joined(separator: ", "))]"
    case .print(let items): return "print \(show(items))"
    case .range(let n, let a, let b, let c): return "range \(n) from \(show(a)) to \(show(b)) step \(show(c))"
    case .union(let ws, let ps): return "union" + (ws.map { " withsource=\($0)" } ?? "") + " " + ps.map { "(\(show($0)))" }.joined(separator: ", ")
    case .subquery(let p): return "(\(show(p)))"
    case .call(let n, let args): return "\(n)(\(args.map(show).joined(separator: ", ")))"
    }
}

func show(_ items: [NamedExpr]) -> String {
    items.map { ($0.name.map { "\($0)=" } ?? "") + show($0.expr) }.joined(separator: ", ")
}

func show(_ keys: [SortKey]) -> String {
    keys.map { "\(show($0.expr)) \($0.ascending ? "asc" : "desc") nulls \($0.nullsFirst ? "first" : "last")" }.joined(separator: ", ")
}

func show(_ op: TabularOperator) -> String {
    switch op.kind {
    case .whereOp(let e): return "where \(show(e))"
    case .extend(let l): return "extend \(show(l))"
    case .project(let l): return "project \(show(l))"
    case .projectAway(let l): return "project-away \(l.map(show).joined(separator: ", "))"
    case .projectKeep(let l): return "project-keep \(l.map(show).joined(separator: ", "))"
    case .projectRename(let l): return "project-rename \(l.map { "\($0.0)=\($0.1)" }.joined(separator: ", "))"
    case .projectReorder(let l): return "project-reorder \(l.map(show).joined(separator: ", "))"
    case .summarize(let aggs, let by): return "summarize" + (aggs.isEmpty ? "" : " \(show(aggs))") + (by.isEmpty ? "" : " by \(show(by))")
    case .sort(let keys): return "sort by \(show(keys))"
    case .top(let n, let keys): return "top \(show(n)) by \(show(keys))"
    case .take(let n): return "take \(show(n))"
    case .count: return "count"
    case .distinct(let l): return "distinct \(l.isEmpty ? "*" : show(l))"
    case .union(let ws, let ps): return "union" + (ws.map { " withsource=\($0)" } ?? "") + " " + ps.map { "(\(show($0)))" }.joined(separator: ", ")
    case .join(let kind, let right, let on), .lookup(let kind, let right, let on):
        return "\(op.name) kind=\(kind.rawValue) (\(show(right))) on \(on.map { "\(show($0.0)) == \(show($0.1))" }.joined(separator: ", "))"
    case .mvExpand(let cols, let types, let itemIndex, let bagAsArray, let limit):
        let items = zip(cols, types).map { c, t in show([c]) + (t.map { " to typeof(\($0.name))" } ?? "") }
        return "mv-expand" + (bagAsArray ? " bagexpansion=array" : "") + (itemIndex.map { " with_itemindex=\($0)" } ?? "")
            + " " + items.joined(separator: ", ") + (limit.map { " limit \(show($0))" } ?? "")
    case .parse(let src, let parts, let regex):
        let pattern = parts.map { p -> String in
            switch p {
            case .text(let t): return "\"\(t)\""
            case .column(let n, let t): return "\(n):\(t.name)"
            case .wildcard: return "*"
            }
        }
        return "parse" + (regex ? " kind=regex" : "") + " \(show(src)) with \(pattern.joined(separator: " "))"
    case .makeSeries(let aggs, let defaults, let on, let from, let to, let step, let by):
        let a = zip(aggs, defaults).map { a, d in show([a]) + (d.map { " default=\(show($0))" } ?? "") }
        return "make-series \(a.joined(separator: ", ")) on \(show(on))" + (from.map { " from \(show($0))" } ?? "")
            + (to.map { " to \(show($0))" } ?? "") + " step \(show(step))" + (by.isEmpty ? "" : " by \(show(by))")
    case .getschema: return "getschema"
    case .asOp(let n): return "as \(n)"
    case .serialize(let l): return "serialize" + (l.isEmpty ? "" : " \(show(l))")
    case .sample(let n): return "sample \(show(n))"
    case .search(let e): return "search \(show(e))"
    case .render(let viz, let props): return "render \(viz)" + (props.isEmpty ? "" : " with (\(props.map { "\($0.0)=\(show($0.1))" }.joined(separator: ", ")))")
    }
}

func show(_ e: Expr) -> String {
    switch e.kind {
    case .name(let n): return n
    case .literal(let l): return show(l)
    case .call(let n, let args): return "\(n)(\(args.map(show).joined(separator: ", ")))"
    case .binary(let op, let a, let b): return "(\(show(a)) \(op) \(show(b)))"
    case .unary(let op, let a): return "(\(op)\(show(a)))"
    case .member(let b, let n): return "\(show(b)).\(n)"
    case .index(let b, let i): return "\(show(b))[\(show(i))]"
    case .inList(let op, let a, let items): return "(\(show(a)) \(op) [\(items.map(show).joined(separator: ", "))])"
    case .between(let negated, let a, let lo, let hi): return "(\(show(a)) \(negated ? "!between" : "between") [\(show(lo)) .. \(show(hi))])"
    case .star: return "*"
    case .subquery(let p): return "{\(show(p))}"
    }
}

func show(_ l: Literal) -> String {
    switch l {
    case .null: return "null"
    case .typedNull(let t): return "\(t.name)(null)"
    case .bool(let b): return "\(b)"
    case .long(let v): return "\(v)"
    case .int(let v): return "int(\(v))"
    case .real(let v): return "real(\(v))"
    case .string(let s): return "\"\(s)\""
    case .datetime(let t): return "datetime(\(Ticks.formatDatetime(t)))"
    case .timespan(let t): return "timespan(\(t))"
    case .guid(let g): return "guid(\(g))"
    case .dynamic(let v): return "dynamic(\(show(v)))"
    }
}

func show(_ v: JSONValue) -> String {
    switch v {
    case .null: return "null"
    case .bool(let b): return "\(b)"
    case .int(let i): return "\(i)"
    case .real(let d): return "\(d)"
    case .string(let s): return "\"\(s)\""
    case .array(let a): return "[\(a.map(show).joined(separator: ","))]"
    case .object(let o): return "{\(o.map { "\"\($0.0)\":\(show($0.1))" }.joined(separator: ","))}"
    }
}

// MARK: a small store for the binder

/// A store in a temporary directory with one table `T` of a few NDJSON lines (every column type
/// the binder's tests need), removed when the test ends.
final class BinderFixture {
    let dir: String
    let store: Store

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-binder-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let lines = [
            #"{"timestamp":"2025-03-07T13:00:00Z","name":"GET /a","duration":12.5,"resultCode":200,"success":true,"props":{"k":"v"}}"#,
            #"{"timestamp":"2025-03-07T13:01:00Z","name":"GET /b","duration":40.0,"resultCode":500,"success":false,"props":{"k":"w"}}"#,
            #"{"timestamp":"2025-03-07T13:02:00Z","name":"POST /c","duration":7.25,"resultCode":201,"success":true,"props":{}}"#,
        ]
        try lines.joined(separator: "\n").write(toFile: dir + "/T.jsonl", atomically: true, encoding: .utf8)
        store = try Store(path: dir + "/store", create: true)
        _ = try store.ingest(paths: [dir + "/T.jsonl"], options: IngestOptions(table: "T"))
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// The diagnostics `compile` reports for `text` (empty when it compiles).
    func diagnostics(_ text: String, parameters: [String: Value] = [:]) -> [Diagnostic] {
        var o = CompileOptions()
        o.parameters = parameters
        do {
            _ = try QueryEngine.compile(text, store: store, options: o)
            return []
        } catch let f as CompileFailure {
            return f.diagnostics
        } catch let d as Diagnostic {
            return [d]
        } catch {
            XCTFail("compile threw \(error)")
            return []
        }
    }
}
