import Foundation
import LogStore

/// A result: named, typed columns; optional render metadata; notes such as truncation warnings.
public struct ResultTable: Sendable {
    public var names: [String]
    public var types: [KustoType]
    public var columns: [Column]
    public var rowCount: Int
    public var render: String?
    public var warnings: [String]
    public var stats: QueryStats

    public func value(row: Int, column: Int) -> Value { columns[column].value(row) }
}

/// A parsed and bound query, ready to run.
public final class CompiledQuery {
    let plan: PlanNode
    let store: Store
    public let source: SourceText
    let renderKind: String?

    init(plan: PlanNode, store: Store, source: SourceText, renderKind: String?) {
        self.plan = plan; self.store = store; self.source = source; self.renderKind = renderKind
    }

    public var outputNames: [String] { plan.names }
    public var outputTypes: [KustoType] { plan.types }

    public func run(options: ExecutionOptions = ExecutionOptions()) throws -> ResultTable {
        let t0 = Date()
        // Compaction and retention never delete a segment file while this query may read it.
        let lease = store.beginRead()
        defer { withExtendedLifetime(lease) {} }
        let ex = QueryExecutor(store: store, options: options)
        var b = try ex.run(plan)
        var warnings: [String] = []
        if options.truncate && b.count > options.maxResultRows {
            warnings.append("the result has \(b.count) rows; only the first \(options.maxResultRows) are returned (Kusto's default limit; use --no-truncation to lift it)")
            let sel = (0..<options.maxResultRows).map { Int32($0) }
            b = Batch(names: b.names, columns: b.columns.map { $0.gather(sel) }, count: sel.count)
        }
        if options.truncate, let keep = CompiledQuery.rowsWithin(options.maxResultBytes, b) {
            let size = options.maxResultBytes >= 1 << 20 ? "\(options.maxResultBytes >> 20) MB" : "\(options.maxResultBytes) bytes"
            warnings.append("the result is larger than \(size); only the first \(keep) of \(b.count) rows are returned (Kusto's default limit; use --no-truncation to lift it)")
            let sel = (0..<keep).map { Int32($0) }
            b = Batch(names: b.names, columns: b.columns.map { $0.gather(sel) }, count: keep)
        }
        ex.stats.elapsed = Date().timeIntervalSince(t0)
        return ResultTable(names: plan.names, types: plan.types, columns: b.columns, rowCount: b.count, render: renderKind, warnings: warnings, stats: ex.stats)
    }

    /// How many leading rows fit in `limit` bytes (8 per number, the bytes of each string), or nil
    /// when all of them do.
    static func rowsWithin(_ limit: Int, _ b: Batch) -> Int? {
        let fixed = b.columns.reduce(0) { n, c in if case .bytes = c.storage { return n }; return n + 8 }
        var total = 0
        for i in 0..<b.count {
            var row = fixed
            for c in b.columns { if case .bytes(let s) = c.storage { row += s.length(c.row(i)) } }
            total += row
            if total > limit { return i }
        }
        return nil
    }

    /// The optimized plan, with what was pushed into each scan and how many segments it keeps.
    public func explain() -> String {
        var out = ""
        func walk(_ n: PlanNode, _ depth: Int) {
            let pad = String(repeating: "  ", count: depth)
            switch n {
            case .scan(let t, let s, let r):
                out += "\(pad)Scan \(t) columns=[\((r.columns ?? s.columns.map(\.name)).map { $0.replacingOccurrences(of: "\u{1F}", with: ".") }.joined(separator: ", "))]"
                if r.timeFrom != nil || r.timeTo != nil {
                    out += " time=[\(r.timeFrom.map(Ticks.formatDatetime) ?? "-inf") .. \(r.timeTo.map(Ticks.formatDatetime) ?? "+inf"))"
                }
                if !r.predicates.isEmpty { out += " predicates=\(r.predicates.map { "\($0)" }.joined(separator: "; "))" }
                if let p = try? store.plan(t, r) { out += " segments: \(p.kept.count) kept, \(p.pruned) pruned" }
                out += "\n"
            case .values(let b): out += "\(pad)Values rows=\(b.count) columns=[\(b.names.joined(separator: ", "))]\n"
            case .filter(let c, _): out += "\(pad)Filter\n"; walk(c, depth + 1)
            case .project(let c, let cols): out += "\(pad)Project [\(cols.map(\.0).joined(separator: ", "))]\n"; walk(c, depth + 1)
            case .summarize(let c, let k, let a):
                out += "\(pad)Summarize by=[\(k.map(\.0).joined(separator: ", "))] aggregates=[\(a.map { $0.outputs.map(\.0).joined(separator: ", ") }.joined(separator: ", "))]\n"
                walk(c, depth + 1)
            case .sort(let c, let k, let l): out += "\(pad)\(l.map { "Top \($0)" } ?? "Sort") keys=\(k.count)\n"; walk(c, depth + 1)
            case .take(let c, let n): out += "\(pad)Take \(n)\n"; walk(c, depth + 1)
            case .count(let c): out += "\(pad)Count\n"; walk(c, depth + 1)
            case .union(let cs, _, _, _, _): out += "\(pad)Union\n"; for c in cs { walk(c, depth + 1) }
            case .render(let c, let k): out += "\(pad)Render \(k)\n"; walk(c, depth + 1)
            case .serialize(let c): out += "\(pad)Serialize\n"; walk(c, depth + 1)
            case .sample(let c, let n): out += "\(pad)Sample \(n)\n"; walk(c, depth + 1)
            case .makeSeries(let c, let spec): out += "\(pad)MakeSeries [\(spec.names.joined(separator: ", "))]\n"; walk(c, depth + 1)
            case .mvExpand(let c, let items, _, _, _, _, _): out += "\(pad)MvExpand [\(items.map(\.name).joined(separator: ", "))]\n"; walk(c, depth + 1)
            case .parse(let c, _, _, let cols, _, _): out += "\(pad)Parse [\(cols.map(\.0).joined(separator: ", "))]\n"; walk(c, depth + 1)
            case .join(let l, let r, let kind, _, _, _):
                let ex = QueryExecutor(store: store, options: ExecutionOptions())
                let le = ex.estimatedRows(l), re = ex.estimatedRows(r)
                let side = le != nil && re != nil && le! * 2 < re! ? "left" : "right"
                func rows(_ e: Int?) -> String { e.map { "≤\($0)" } ?? "?" }
                out += "\(pad)Join \(kind.rawValue) (hash on the \(side) side; rows \(rows(le)) left, \(rows(re)) right)\n"
                walk(l, depth + 1); walk(r, depth + 1)
            }
        }
        walk(plan, 0)
        return out
    }
}

public struct CompileOptions: Sendable {
    /// Values for `declare query_parameters(...)`, as text (parsed by the declared type) or typed.
    public var parameters: [String: Value] = [:]
    /// Restricts every scanned table with a time column to [from, to).
    public var timeFrom: Int64? = nil
    public var timeTo: Int64? = nil
    /// The planner's rewrites (column pruning, predicates pushed into scans, dynamic sub-columns).
    /// Off only to check that they change no result.
    public var rewrite = true
    public init() {}
}

public enum QueryEngine {
    /// Parses and binds `text` against `store`. Throws `CompileFailure` with every diagnostic.
    public static func compile(_ text: String, store: Store, options: CompileOptions = CompileOptions()) throws -> CompiledQuery {
        if let shown = try controlCommand(text, store: store) { return shown }
        let src = SourceText(text)
        let (script, parseDiags) = Parser.parse(src)
        if !parseDiags.isEmpty { throw CompileFailure(source: src, diagnostics: parseDiags) }
        let binder = Binder(store: store, source: src, parameters: options.parameters)
        let plan = binder.bind(script)
        if !binder.diagnostics.isEmpty || plan == nil { throw CompileFailure(source: src, diagnostics: binder.diagnostics) }
        let optimized = Planner.optimize(plan!, window: (options.timeFrom, options.timeTo), rewrite: options.rewrite)
        return CompiledQuery(plan: optimized, store: store, source: src, renderKind: binder.renderKind)
    }

    /// `.show tables`, Kusto's control command listing the tables (with logq's row counts).
    static func controlCommand(_ text: String, store: Store) throws -> CompiledQuery? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).map { $0.lowercased() }
        guard let first = words.first, first.hasPrefix(".") else { return nil }
        let src = SourceText(text)
        guard words == [".show", "tables"] else {
            throw CompileFailure(source: src, diagnostics: [Diagnostic(Msg.unsupportedOperator("control command '\(words.joined(separator: " "))' (logq knows '.show tables')"),
                                                                       SourceRange(0, text.count))])
        }
        let names = try store.tableNames()
        let rows = try names.map { Int64(try store.rowCount(of: $0)) }
        let b = Batch(names: ["TableName", "DatabaseName", "Folder", "DocString", "RowCount"],
                      columns: [.strings(ByteStrings(names)), .strings(ByteStrings(names.map { _ in "logq" })),
                                .strings(ByteStrings(names.map { _ in "" })), .strings(ByteStrings(names.map { _ in "" })), .ints(.long, rows)],
                      count: names.count)
        return CompiledQuery(plan: .values(b), store: store, source: src, renderKind: nil)
    }

    /// Only parses: for checking saved queries without a store.
    public static func parse(_ text: String) -> [Diagnostic] { Parser.parse(SourceText(text)).1 }

    /// The names of `declare query_parameters(...)` in a query, with their types and whether they have a default.
    public static func declaredParameters(_ text: String) -> [(name: String, type: KustoType, hasDefault: Bool)] {
        let (script, _) = Parser.parse(SourceText(text))
        var out: [(String, KustoType, Bool)] = []
        for s in script.statements { if case .declareParameters(let ps) = s { for p in ps { out.append((p.name, p.type, p.defaultValue != nil)) } } }
        return out
    }

    public static var functionNames: [String] { ScalarFunctions.names }
    public static var aggregateNames: [String] { Aggregates.names }
}

public struct CompileFailure: Error, CustomStringConvertible {
    public let source: SourceText
    public let diagnostics: [Diagnostic]
    public func render(name: String = "<query>") -> String { diagnostics.map { source.render($0, name: name) }.joined() }
    public var description: String { render() }
}
