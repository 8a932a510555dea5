import LogStore

/// Recursive-descent parser for the KQL subset logq runs. It reports the first error of each
/// statement and resumes at the next `;`, so independent mistakes are all reported once.
struct Parser {
    var tokens: [Token]
    var i = 0
    var diagnostics: [Diagnostic] = []
    let source: SourceText
    /// Set while parsing make-series's axis: there `in range(…)` follows the axis, it is no `in` list.
    var axisBeforeInRange = false
    /// Set while parsing summarize's aggregates, where `(a, b) = f(…)` names several columns.
    var tuplesAllowed = false
    /// Current recursion depth of the parse (see `DepthLimits`).
    var depth = 0
    /// Each `toscalar(…)` parsed so far, by its first token: the tree and the token after it.
    var toscalarParsed: [Int: (Expr, Int)] = [:]

    struct Stop: Error {}

    init(_ source: SourceText) {
        self.source = source
        var lx = Lexer(source)
        tokens = lx.tokenize()
        diagnostics = lx.diagnostics
        matching = Parser.matchParentheses(tokens)
    }

    /// For each `(` token the index of its `)`, or -1: found once, so a typed literal such as
    /// `long(` does not scan to its end again at every level of `long(long(long(…`.
    let matching: [Int]

    static func matchParentheses(_ tokens: [Token]) -> [Int] {
        var m = [Int](repeating: -1, count: tokens.count)
        var open: [Int] = []
        for (k, t) in tokens.enumerated() {
            if t.kind == .punct("(") { open.append(k) }
            else if t.kind == .punct(")"), let o = open.popLast() { m[o] = k }
        }
        return m
    }

    static func parse(_ source: SourceText) -> (Script, [Diagnostic]) {
        DeepStack.run { parseHere(source) }
    }

    static func parseHere(_ source: SourceText) -> (Script, [Diagnostic]) {
        var p = Parser(source)
        if !p.diagnostics.isEmpty { return (Script(statements: []), p.diagnostics) }
        let s = p.script()
        return (s, p.diagnostics)
    }

    // MARK: token helpers

    var tok: Token { tokens[i] }
    func peek(_ k: Int = 1) -> Token { tokens[min(i + k, tokens.count - 1)] }
    mutating func advance() -> Token { let t = tokens[i]; if i < tokens.count - 1 { i += 1 }; return t }
    func isPunct(_ p: String, _ t: Token? = nil) -> Bool { (t ?? tok).kind == .punct(p) }
    func isWord(_ w: String, _ t: Token? = nil) -> Bool { let t = t ?? tok; return t.kind == .identifier && t.text == w }
    func isWordCI(_ w: String) -> Bool { tok.kind == .identifier && tok.text.lowercased() == w }
    var atEnd: Bool { tok.kind == .end }

    /// One more level of recursion; past the limit a located error, reported once per statement.
    mutating func enter() throws {
        depth += 1
        if depth > DepthLimits.maxDepth { throw tooDeep(tok.range) }
    }

    /// A node built iteratively (a chain of `+`, `.`, pipes) that is deeper than the limit.
    mutating func checkHeight(_ height: Int, _ at: SourceRange) throws {
        if height > DepthLimits.maxDepth { throw tooDeep(at) }
    }

    mutating func tooDeep(_ at: SourceRange) -> Stop {
        diagnostics.append(Diagnostic(Msg.nestingTooDeep(DepthLimits.maxDepth), at))
        return Stop()
    }

    mutating func fail(_ expected: String) -> Stop {
        diagnostics.append(Diagnostic(Msg.unexpectedToken(describe(tok), expected: expected), tok.range))
        return Stop()
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .end: return "end of query"
        case .string: return "string \(t.text)"
        default: return "'\(t.text)'"
        }
    }

    mutating func expectPunct(_ p: String) throws { guard isPunct(p) else { throw fail("'\(p)'") }; _ = advance() }
    mutating func expectWord(_ w: String) throws { guard isWord(w) else { throw fail("'\(w)'") }; _ = advance() }
    mutating func identifier(_ what: String = "a name") throws -> Token {
        if tok.kind == .identifier { return advance() }
        // ['name'] and ["name"] quote a name (["a" "b"] is "ab")
        if let (s, n) = quotedName() {
            let start = tok.range.start
            for _ in 0..<n - 1 { _ = advance() }
            let end = advance().range.end
            return Token(kind: .identifier, text: s, range: SourceRange(start, end), spaced: true)
        }
        throw fail(what)
    }
    mutating func acceptPunct(_ p: String) -> Bool { if isPunct(p) { _ = advance(); return true }; return false }
    mutating func acceptWord(_ w: String) -> Bool { if isWord(w) { _ = advance(); return true }; return false }

    // MARK: statements

    mutating func script() -> Script {
        var stmts: [Statement] = []
        while !atEnd {
            if acceptPunct(";") { continue }
            let before = diagnostics.count
            do {
                stmts.append(try statement())
                if !atEnd && !isPunct(";") { throw fail("';' or '|'") }
            } catch {
                if diagnostics.count == before { _ = fail("a statement") }
                // Past the nesting limit the rest of the text is the too-deep part's tail
                // (`) ) )`, `}; }; }`): every statement there would only be an echo.
                if diagnostics.last?.code == .nestingTooDeep { break }
                while !atEnd && !isPunct(";") { _ = advance() }
            }
        }
        return Script(statements: stmts)
    }

    mutating func statement() throws -> Statement {
        // A function body holds statements, so `let f = () { let g = () { …` nests too.
        try enter()
        defer { depth -= 1 }
        if isWord("let") {
            let start = advance().range.start
            let name = try identifier("a name after 'let'")
            try expectPunct("=")
            // let f = (a:long, b:string) { … }
            if isPunct("("), let params = try tryParameterList(), isPunct("{") {
                _ = advance()
                var body: [Statement] = []
                while !isPunct("}") {
                    if atEnd { throw fail("'}'") }
                    if acceptPunct(";") { continue }
                    if isWord("let") || isWord("declare") { body.append(try statement()); continue }
                    // The body's value: a tabular expression, or a scalar one for a scalar function.
                    let r = tok.range
                    switch try tabularOrScalar() {
                    case .left(let p): body.append(.query(p))
                    case .right(let e): body.append(.letScalar(Parser.functionResult, e, r + e.range))
                    }
                }
                let end = advance().range.end
                return .letFunction(name.text, params, body: body, SourceRange(start, end))
            }
            let v = try tabularOrScalar()
            switch v {
            case .left(let p): return .letTabular(name.text, p, SourceRange(start, p.range.end))
            case .right(let e): return .letScalar(name.text, e, SourceRange(start, e.range.end))
            }
        }
        if isWord("declare") && isWord("query_parameters", peek()) {
            _ = advance(); _ = advance()
            try expectPunct("(")
            var params: [QueryParameter] = []
            while !isPunct(")") {
                params.append(try parameter())
                if !acceptPunct(",") { break }
            }
            try expectPunct(")")
            return .declareParameters(params)
        }
        switch try tabularOrScalar() {
        case .left(let p): return .query(p)
        case .right(let e):
            // A bare name is a table (or a let-bound tabular expression): `requests`, `T` after `let T = …;`.
            if case .name(let n) = e.kind {
                return .query(Pipeline(source: .table(n), sourceRange: e.range, operators: [], range: e.range))
            }
            // A call alone: a tabular function's (the binder says so if it is a scalar one).
            if case .call(let n, let args) = e.kind {
                return .query(Pipeline(source: .call(n, args), sourceRange: e.range, operators: [], range: e.range))
            }
            // A bare expression as a query: `print`-like, as Kusto does for `1 + 1`? Kusto rejects it.
            diagnostics.append(Diagnostic(Msg.unexpectedToken("an expression", expected: "a tabular expression (a table, datatable, print, range…)"), e.range))
            throw Stop()
        }
    }

    /// Does a tabular expression start `k` tokens ahead (datatable, or a name piped on)?
    func startsTabular(_ k: Int) -> Bool {
        isWord("datatable", peek(k)) || (isWord("range", peek(k)) && peek(k + 1).kind == .identifier)
            || (isWord("union", peek(k)) && (peek(k + 1).kind == .identifier || isPunct("(", peek(k + 1))))
            || (peek(k).kind == .identifier && isPunct("|", peek(k + 1)))
    }

    /// A function's argument: a tabular one — `(T | …)`, `(datatable(…)[…])`, `T | …` — or a scalar.
    mutating func functionArgument() throws -> Expr {
        if isPunct("(") && startsTabular(1) {
            let start = advance().range.start
            let p = try pipeline()
            let end = tok.range.end
            try expectPunct(")")
            return Expr(kind: .subquery(p), range: SourceRange(start, end))
        }
        if startsTabular(0) {
            let p = try pipeline()
            return Expr(kind: .subquery(p), range: p.range)
        }
        return try expression()
    }

    mutating func parameter() throws -> QueryParameter {
        let n = try identifier("a parameter name")
        try expectPunct(":")
        if acceptPunct("(") {
            // A tabular parameter: (*) or (name:type, …)
            var cols: [ColumnSchema] = []
            if !acceptPunct("*") {
                while !isPunct(")") {
                    let c = try identifier("a column name")
                    try expectPunct(":")
                    let ct = try identifier("a type")
                    guard let type = KustoType(name: ct.text) else {
                        diagnostics.append(Diagnostic(Msg.unexpectedToken("'\(ct.text)'", expected: "a type (string, long, datetime, timespan…)"), ct.range))
                        throw Stop()
                    }
                    cols.append(ColumnSchema(name: c.text, type: type))
                    if !acceptPunct(",") { break }
                }
            }
            let end = tok.range.end
            try expectPunct(")")
            var p = QueryParameter(name: n.text, type: .dynamic, defaultValue: nil, range: SourceRange(n.range.start, end))
            p.tabularColumns = cols
            return p
        }
        let t = try identifier("a type")
        guard let type = KustoType(name: t.text) else {
            diagnostics.append(Diagnostic(Msg.unexpectedToken("'\(t.text)'", expected: "a type (string, long, datetime, timespan…)"), t.range))
            throw Stop()
        }
        var def: Expr? = nil
        if acceptPunct("=") { def = try expression() }
        return QueryParameter(name: n.text, type: type, defaultValue: def, range: SourceRange(n.range.start, (def?.range.end ?? t.range.end)))
    }

    /// `(name:type, …)` after `let f =`, or nil (and nothing consumed) when the parentheses hold an
    /// expression. `name:` cannot start an expression, so from there a mistake is the parameter's own.
    mutating func tryParameterList() throws -> [QueryParameter]? {
        let save = i, saveDiag = diagnostics
        _ = advance()
        var params: [QueryParameter] = []
        if isPunct(")") { _ = advance(); return params }
        while true {
            guard tok.kind == .identifier, isPunct(":", peek()) else { i = save; diagnostics = saveDiag; return nil }
            params.append(try parameter())
            if acceptPunct(",") { continue }
            if acceptPunct(")") { return params }
            i = save; diagnostics = saveDiag; return nil
        }
    }

    enum Either<A, B> { case left(A), right(B) }

    static let functionResult = "__result"

    static let sourceKeywords: Set<String> = ["datatable", "print", "range", "union"]

    /// After `let x =` or at a statement start: a pipeline, or a scalar expression.
    mutating func tabularOrScalar() throws -> Either<Pipeline, Expr> {
        if tok.kind == .identifier && Parser.sourceKeywords.contains(tok.text) && !isPunct("(", peek()) || isWord("datatable") || (isWord("range") && peek().kind == .identifier) {
            return .left(try pipeline())
        }
        if isWord("union") || isWord("print") { return .left(try pipeline()) }
        // (T | …) in parentheses
        if isPunct("(") && startsTabular(1) { return .left(try pipeline()) }
        let start = i
        let e = try expression()
        if isPunct("|") {
            i = start
            return .left(try pipeline())
        }
        return .right(e)
    }

    // MARK: pipelines

    mutating func pipeline() throws -> Pipeline {
        try enter()
        defer { depth -= 1 }
        let start = tok.range.start
        let (src, srcRange) = try pipelineSource()
        var ops: [TabularOperator] = []
        var failed = false
        var deepest = src.height
        while isPunct("|") {
            _ = advance()
            let before = diagnostics.count
            do {
                let op = try tabularOperator()
                deepest = max(deepest, op.kind.height)
                // Past the limit the rest of the pipeline is not parsed: every later operator
                // would only repeat the same error.
                if ops.count + 1 + deepest > DepthLimits.maxDepth { throw tooDeep(op.range) }
                ops.append(op)
                // An operator must end at '|', ';', ')' or the end; anything else is its mistake.
                if !(isPunct("|") || isPunct(";") || isPunct(")") || isPunct(",") || isPunct("}") || atEnd) { throw fail("'|' or the end of the query") }
            } catch {
                // Report it, then go on at the next '|' of this pipeline: a later operator's own
                // mistake is independent of this one, so it is reported too (one error each).
                if diagnostics.count == before { _ = fail("a tabular operator") }
                failed = true
                if diagnostics.last?.code == .nestingTooDeep { break }
                var depth = 0
                while !atEnd {
                    if depth == 0 && (isPunct("|") || isPunct(";")) { break }
                    if isPunct("(") || isPunct("[") || isPunct("{") { depth += 1 }
                    if isPunct(")") || isPunct("]") || isPunct("}") { if depth == 0 { break }; depth -= 1 }
                    _ = advance()
                }
            }
        }
        if failed { throw Stop() }
        return Pipeline(source: src, sourceRange: srcRange, operators: ops, range: SourceRange(start, tokens[max(i - 1, 0)].range.end))
    }

    mutating func pipelineSource() throws -> (SourceKind, SourceRange) {
        let start = tok.range.start
        func r(_ s: inout Parser) -> SourceRange { SourceRange(start, s.tokens[max(s.i - 1, 0)].range.end) }
        if acceptWord("datatable") {
            try expectPunct("(")
            var cols: [ColumnSchema] = []
            while !isPunct(")") {
                let n = try identifier("a column name")
                try expectPunct(":")
                let t = try identifier("a type")
                guard let type = KustoType(name: t.text) else {
                    diagnostics.append(Diagnostic(Msg.unexpectedToken("'\(t.text)'", expected: "a type"), t.range)); throw Stop()
                }
                cols.append(ColumnSchema(name: n.text, type: type))
                if !acceptPunct(",") { break }
            }
            try expectPunct(")")
            try expectPunct("[")
            var values: [Expr] = []
            while !isPunct("]") {
                values.append(try expression())
                if !acceptPunct(",") { break }
            }
            try expectPunct("]")
            return (.datatable(cols, values), r(&self))
        }
        if acceptWord("print") {
            return (.print(try namedList()), r(&self))
        }
        if isWord("range") && peek().kind == .identifier {
            _ = advance()
            let n = try identifier()
            try expectWord("from"); let a = try expression()
            try expectWord("to"); let b = try expression()
            try expectWord("step"); let c = try expression()
            return (.range(n.text, a, b, c), r(&self))
        }
        if isWord("union") {
            _ = advance()
            let (ws, tables) = try unionArgs()
            return (.union(withSource: ws, tables), r(&self))
        }
        if acceptPunct("(") {
            let p = try pipeline()
            try expectPunct(")")
            return (.subquery(p), r(&self))
        }
        let n = try identifier("a table name")
        if acceptPunct("(") {
            // A call of a tabular function defined with `let`.
            var args: [Expr] = []
            while !isPunct(")") { args.append(try functionArgument()); if !acceptPunct(",") { break } }
            try expectPunct(")")
            return (.call(n.text, args), r(&self))
        }
        return (.table(n.text), n.range)
    }

    mutating func unionArgs() throws -> (String?, [Pipeline]) {
        var withSource: String? = nil
        while atHint || (tok.kind == .identifier && isPunct("=", peek())) {
            if atHint { try hint(for: "union"); continue }
            let k = advance(); _ = advance()
            let v = try identifier()
            if k.text == "withsource" { withSource = v.text }
        }
        var tables: [Pipeline] = []
        repeat {
            if acceptPunct("(") {
                let p = try pipeline(); try expectPunct(")"); tables.append(p)
            } else {
                let n = try identifier("a table name")
                tables.append(Pipeline(source: .table(n.text), sourceRange: n.range, operators: [], range: n.range))
            }
        } while acceptPunct(",")
        return (withSource, tables)
    }

    mutating func namedList() throws -> [NamedExpr] {
        var out: [NamedExpr] = []
        repeat { out.append(try namedExpr()) } while acceptPunct(",")
        return out
    }

    mutating func namedExpr() throws -> NamedExpr {
        if tok.kind == .identifier && isPunct("=", peek()) {
            let n = advance(); _ = advance()
            return NamedExpr(name: n.text, nameRange: n.range, expr: try expression())
        }
        if let (s, n) = quotedName(), isPunct("=", peek(n)) {
            let r = tok.range + peek(n - 1).range
            for _ in 0...n { _ = advance() }
            return NamedExpr(name: s, nameRange: r, expr: try expression())
        }
        // (Median, p95) = percentiles(…): one name per column of the aggregate.
        if tuplesAllowed, let names = try tupleNames() {
            var ne = NamedExpr(name: nil, nameRange: nil, expr: try expression())
            ne.tuple = names
            return ne
        }
        return NamedExpr(name: nil, nameRange: nil, expr: try expression())
    }

    mutating func sortKeys() throws -> [SortKey] {
        var keys: [SortKey] = []
        repeat {
            let e = try expression()
            var asc = false
            if acceptWord("asc") { asc = true } else { _ = acceptWord("desc") }
            var nullsFirst = asc
            if acceptWord("nulls") {
                if acceptWord("first") { nullsFirst = true } else { try expectWord("last"); nullsFirst = false }
            }
            keys.append(SortKey(expr: e, ascending: asc, nullsFirst: nullsFirst))
        } while acceptPunct(",")
        return keys
    }

    mutating func tabularOperator() throws -> TabularOperator {
        let start = tok.range.start
        let nameTok = try identifier("a tabular operator after '|'")
        let name = Parser.legacyOperators[nameTok.text] ?? nameTok.text
        var kind: OperatorKind
        switch name {
        case "where", "filter":
            kind = .whereOp(try expression())
        case "extend":
            kind = .extend(try namedList())
        case "project":
            kind = .project(try namedList())
        case "project-away":
            var cols: [Expr] = []
            repeat { cols.append(try columnPattern()) } while acceptPunct(",")
            kind = .projectAway(cols)
        case "project-keep":
            var cols: [Expr] = []
            repeat { cols.append(try columnPattern()) } while acceptPunct(",")
            kind = .projectKeep(cols)
        case "project-reorder":
            var cols: [Expr] = []
            repeat { cols.append(try columnPattern()); _ = acceptWord("asc") || acceptWord("desc") } while acceptPunct(",")
            kind = .projectReorder(cols)
        case "project-rename":
            var pairs: [(String, String, SourceRange)] = []
            repeat {
                let n = try identifier(); try expectPunct("="); let o = try identifier()
                pairs.append((n.text, o.text, o.range))
            } while acceptPunct(",")
            kind = .projectRename(pairs)
        case "summarize":
            // hint.shufflekey=k, hint.strategy=shuffle …: distribution hints logq has no use for.
            try hints(for: name)
            var aggs: [NamedExpr] = []
            if !isWord("by") { tuplesAllowed = true; defer { tuplesAllowed = false }; aggs = try namedList() }
            var by: [NamedExpr] = []
            if acceptWord("by") { by = try namedList() }
            kind = .summarize(aggregates: aggs, by: by)
        case "order", "sort":
            try expectWord("by")
            kind = .sort(try sortKeys())
        case "top":
            // `top by x` lacks the count: say so at `by`, not at `x` after reading `by` as a column.
            if isWord("by") { throw fail("the number of rows") }
            let n = try expression()
            try expectWord("by")
            kind = .top(n, try sortKeys())
        case "take", "limit":
            kind = .take(try expression())
        case "count":
            kind = .count
        case "distinct":
            if isPunct("*") { _ = advance(); kind = .distinct([]) } else { kind = .distinct(try namedList()) }
        case "union":
            let (ws, t) = try unionArgs()
            kind = .union(withSource: ws, t)
        case "join", "lookup":
            var jk: JoinKind = name == "join" ? .innerunique : .leftouter
            while atHint || (tok.kind == .identifier && isPunct("=", peek())) {
                if atHint { try hint(for: name); continue }
                let k = advance(); _ = advance(); let v = try identifier()
                if k.text == "kind" {
                    guard let j = JoinKind(rawValue: v.text.lowercased()) ?? Parser.joinKindAliases[v.text.lowercased()] else {
                        diagnostics.append(Diagnostic(Msg.unexpectedToken("'\(v.text)'", expected: "a join kind (inner, leftouter, …)"), v.range)); throw Stop()
                    }
                    jk = j
                }
            }
            let right: Pipeline
            if acceptPunct("(") { right = try pipeline(); try expectPunct(")") }
            else { let n = try identifier("a table"); right = Pipeline(source: .table(n.text), sourceRange: n.range, operators: [], range: n.range) }
            try expectWord("on")
            var on: [(Expr, Expr)] = []
            repeat {
                let e = try expression()
                if case .binary("==", let l, let r) = e.kind { on.append((l, r)) } else { on.append((e, e)) }
            } while acceptPunct(",")
            kind = name == "join" ? .join(kind: jk, right: right, on: on) : .lookup(kind: jk, right: right, on: on)
        case "mv-expand":
            var limit: Expr? = nil
            var itemIndex: String? = nil
            var bagAsArray = false
            while tok.kind == .identifier && isPunct("=", peek()) && ["bagexpansion", "with_itemindex", "kind"].contains(tok.text) {
                let k = advance(); _ = advance(); let v = try identifier()
                if k.text == "with_itemindex" { itemIndex = v.text } else { bagAsArray = v.text == "array" }
            }
            var cols: [NamedExpr] = []
            var types: [KustoType?] = []
            repeat {
                var ne = try namedExpr()
                var t: KustoType? = nil
                if acceptWord("to") {
                    try expectWord("typeof"); try expectPunct("(")
                    let tt = try identifier("a type")
                    guard let ty = KustoType(name: tt.text) else {
                        diagnostics.append(Diagnostic(Msg.unexpectedToken("'\(tt.text)'", expected: "a type"), tt.range)); throw Stop()
                    }
                    t = ty
                    try expectPunct(")")
                }
                if ne.name == nil, case .name(let n) = ne.expr.kind { ne.name = n }
                cols.append(ne); types.append(t)
            } while acceptPunct(",")
            if acceptWord("limit") { limit = try expression() }
            if limit == nil && nameTok.text == "mvexpand" {
                limit = Expr(kind: .literal(.long(Parser.legacyExpandLimit)), range: SourceRange(tok.range.start, tok.range.start))
            }
            kind = .mvExpand(cols, types: types, itemIndex: itemIndex, bagAsArray: bagAsArray, limit: limit)
        case "parse":
            var regex = false
            while tok.kind == .identifier && isPunct("=", peek()) {
                let k = advance(); _ = advance(); let v = try identifier()
                if k.text == "kind" && v.text == "regex" { regex = true }
            }
            let src = try expression()
            try expectWord("with")
            var parts: [ParsePart] = []
            while !isPunct("|") && !isPunct(";") && !isPunct(")") && !atEnd {
                if case .string(let s) = tok.kind { _ = advance(); parts.append(.text(s)); continue }
                if acceptPunct("*") { parts.append(.wildcard); continue }
                let n = try identifier("a column name or a string in the parse pattern")
                var t = KustoType.string
                if acceptPunct(":") {
                    let tt = try identifier("a type")
                    guard let ty = KustoType(name: tt.text) else {
                        diagnostics.append(Diagnostic(Msg.unexpectedToken("'\(tt.text)'", expected: "a type"), tt.range)); throw Stop()
                    }
                    t = ty
                }
                parts.append(.column(n.text, t))
            }
            kind = .parse(source: src, pattern: parts, regex: regex)
        case "make-series":
            try hints(for: name)
            var aggs: [NamedExpr] = []
            var defaults: [Expr?] = []
            repeat {
                aggs.append(try namedExpr())
                if acceptWord("default") { try expectPunct("="); defaults.append(try expression()) } else { defaults.append(nil) }
            } while acceptPunct(",")
            try expectWord("on")
            axisBeforeInRange = true
            let on = try expression()
            axisBeforeInRange = false
            var from: Expr? = nil, to: Expr? = nil
            if acceptWord("in") {
                // make-series … on Axis in range(start, stop, step)
                try expectWord("range"); try expectPunct("(")
                from = try expression(); try expectPunct(",")
                to = try expression(); try expectPunct(",")
                let step = try expression(); try expectPunct(")")
                kind = .makeSeries(aggregates: aggs, defaults: defaults, on: on, from: from, to: to, step: step, by: acceptWord("by") ? try namedList() : [])
                break
            }
            if acceptWord("from") { from = try expression() }
            if acceptWord("to") { to = try expression() }
            try expectWord("step")
            let step = try expression()
            var by: [NamedExpr] = []
            if acceptWord("by") { by = try namedList() }
            kind = .makeSeries(aggregates: aggs, defaults: defaults, on: on, from: from, to: to, step: step, by: by)
        case "getschema":
            kind = .getschema
        case "as":
            try hints(for: name)
            kind = .asOp(try identifier().text)
        case "serialize":
            kind = .serialize(isPunct("|") || atEnd || isPunct(";") || isPunct(")") ? [] : try namedList())
        case "sample":
            kind = .sample(try expression())
        case "search":
            kind = .search(try expression())
        case "render":
            let viz = try identifier("a visualization (timechart, barchart, …)")
            var props: [(String, Expr)] = []
            if acceptWord("with") {
                try expectPunct("(")
                while !isPunct(")") {
                    let k = try identifier(); try expectPunct("=")
                    props.append((k.text, try expression()))
                    if !acceptPunct(",") { break }
                }
                try expectPunct(")")
            }
            kind = .render(viz.text, props)
        default:
            let known = ["where", "filter", "extend", "project", "project-away", "project-keep", "project-rename", "project-reorder", "summarize",
                         "order", "sort", "top", "take", "limit", "count", "distinct", "union", "join", "lookup", "mv-expand", "parse",
                         "make-series", "getschema", "as", "serialize", "sample", "search", "render"]
            let notes = suggestion(for: name, among: known).map { ["did you mean '\($0)'?"] } ?? []
            let unsupported = ["evaluate", "facet", "fork", "invoke", "mv-apply", "partition", "reduce", "scan", "top-nested", "top-hitters", "parse-where", "parse-kv", "find", "externaldata"]
            diagnostics.append(Diagnostic(unsupported.contains(name) ? Msg.unsupportedOperator(name) : Msg.unknownOperator(name), nameTok.range, notes: notes))
            throw Stop()
        }
        return TabularOperator(kind: kind, range: SourceRange(start, tokens[max(i - 1, 0)].range.end), name: name)
    }

    /// A column name, or a wildcard pattern such as `customDimension*`.
    mutating func columnPattern() throws -> Expr {
        let n = try identifier("a column name")
        var text = n.text
        var end = n.range.end
        while isPunct("*") && !tok.spaced { text += "*"; end = advance().range.end
            if tok.kind == .identifier && !tok.spaced { text += tok.text; end = advance().range.end }
        }
        return Expr(kind: .name(text), range: SourceRange(n.range.start, end))
    }

    // MARK: expressions

    mutating func expression() throws -> Expr {
        try enter()
        defer { depth -= 1 }
        // Calls, `in` lists and comparisons over checked operands add a level each; checking every
        // expression keeps the whole tree within the limit, not only its chains.
        let e = try orExpr()
        try checkHeight(e.height, e.range)
        return e
    }

    mutating func orExpr() throws -> Expr {
        var terms = [try andExpr()]
        while isWord("or") { _ = advance(); terms.append(try andExpr()) }
        return try Parser.balanced("or", terms, &self)
    }

    mutating func andExpr() throws -> Expr {
        var terms = [try comparison()]
        while isWord("and") { _ = advance(); terms.append(try comparison()) }
        return try Parser.balanced("and", terms, &self)
    }

    static func balanced(_ op: String, _ terms: [Expr], _ p: inout Parser) throws -> Expr {
        let e = Expr.balanced(op, terms)
        try p.checkHeight(e.height, e.range)
        return e
    }

    static let comparisonOps: Set<String> = ["==", "!=", "<>", "<", "<=", ">", ">=", "=~", "!~"]
    static let stringOps: Set<String> = ["contains", "!contains", "contains_cs", "!contains_cs", "has", "!has", "has_cs", "!has_cs",
                                         "startswith", "!startswith", "startswith_cs", "!startswith_cs", "endswith", "!endswith",
                                         "endswith_cs", "!endswith_cs", "hasprefix", "!hasprefix", "hasprefix_cs", "!hasprefix_cs",
                                         "hassuffix", "!hassuffix", "hassuffix_cs", "!hassuffix_cs", "matches", "like", "notlike"]
    static let listOps: Set<String> = ["in", "!in", "in~", "!in~", "has_any", "has_all"]

    mutating func comparison() throws -> Expr {
        let l = try additive()
        if case .punct(let p) = tok.kind, Parser.comparisonOps.contains(p) {
            _ = advance()
            let r = try additive()
            return Expr(kind: .binary(op: p == "<>" ? "!=" : p, l, r), range: l.range + r.range)
        }
        if tok.kind == .identifier {
            let w = tok.text
            if Parser.stringOps.contains(w) {
                _ = advance()
                var op = w
                if w == "matches" { try expectWord("regex"); op = "matches regex" }
                let r = try additive()
                return Expr(kind: .binary(op: op, l, r), range: l.range + r.range)
            }
            if Parser.listOps.contains(w) && !(axisBeforeInRange && w == "in" && isWord("range", peek())) {
                _ = advance()
                try expectPunct("(")
                var items: [Expr] = []
                if (isWord("datatable") || (tok.kind == .identifier && isPunct("|", peek()))) {
                    let p = try pipeline()
                    items.append(Expr(kind: .subquery(p), range: p.range))
                } else if isPunct("(") && (isWord("datatable", peek()) || (peek().kind == .identifier && isPunct("|", peek(2)))) {
                    // in ((T | project x)): the subquery in its own parentheses
                    _ = advance()
                    let p = try pipeline()
                    try expectPunct(")")
                    items.append(Expr(kind: .subquery(p), range: p.range))
                } else {
                    while !isPunct(")") { items.append(try expression()); if !acceptPunct(",") { break } }
                }
                let end = tok.range.end
                try expectPunct(")")
                return Expr(kind: .inList(op: w, l, items), range: SourceRange(l.range.start, end))
            }
            if w == "between" || w == "!between" {
                _ = advance()
                try expectPunct("(")
                let a = try additive()
                try expectPunct("..")
                let b = try additive()
                let end = tok.range.end
                try expectPunct(")")
                return Expr(kind: .between(negated: w == "!between", l, a, b), range: SourceRange(l.range.start, end))
            }
        }
        return l
    }

    mutating func additive() throws -> Expr {
        var l = try multiplicative()
        while isPunct("+") || isPunct("-") {
            let opTok = advance()
            let r = try multiplicative()
            // Not folded like `and`: `+` on reals does not associate, and the left-deep tree is
            // the order Kusto computes in; a chain past the limit is an error instead.
            l = Expr(kind: .binary(op: opTok.text, l, r), range: l.range + r.range)
            try checkHeight(l.height, opTok.range)
        }
        return l
    }

    mutating func multiplicative() throws -> Expr {
        var l = try unary()
        while isPunct("*") || isPunct("/") || isPunct("%") {
            let opTok = advance()
            let r = try unary()
            l = Expr(kind: .binary(op: opTok.text, l, r), range: l.range + r.range)
            try checkHeight(l.height, opTok.range)
        }
        return l
    }

    mutating func unary() throws -> Expr {
        if isPunct("-") || isPunct("+") {
            try enter()
            defer { depth -= 1 }
            let t = advance()
            let e = try unary()
            if t.text == "-" {
                switch e.kind {
                case .literal(.long(let v)): return Expr(kind: .literal(.long(-v)), range: t.range + e.range)
                case .literal(.real(let v)): return Expr(kind: .literal(.real(-v)), range: t.range + e.range)
                case .literal(.timespan(let v)): return Expr(kind: .literal(.timespan(-v)), range: t.range + e.range)
                default: return Expr(kind: .unary(op: "-", e), range: t.range + e.range)
                }
            }
            return e
        }
        return try postfix()
    }

    mutating func postfix() throws -> Expr {
        var e = try primary()
        while true {
            if isPunct(".") && !isPunct("..") {
                _ = advance()
                let n: Token
                if tok.kind == .identifier || isPunct("[") { n = try identifier("a property name") }
                else if case .integer = tok.kind { n = advance() }
                else { throw fail("a property name after '.'") }
                e = Expr(kind: .member(e, n.text), range: e.range + n.range)
                try checkHeight(e.height, n.range)
            } else if isPunct("[") {
                _ = advance()
                let idx = try expression()
                let end = tok.range.end
                try expectPunct("]")
                e = Expr(kind: .index(e, idx), range: SourceRange(e.range.start, end))
                try checkHeight(e.height, idx.range)
            } else {
                return e
            }
        }
    }

    static let typedLiteralTypes: Set<String> = ["bool", "boolean", "int", "long", "real", "double", "decimal", "datetime", "date", "timespan", "time", "guid", "string", "dynamic"]

    mutating func primary() throws -> Expr {
        let t = tok
        switch t.kind {
        case .integer(let v): _ = advance(); return Expr(kind: .literal(.long(v)), range: t.range)
        case .real(let v): _ = advance(); return Expr(kind: .literal(.real(v)), range: t.range)
        case .timespan(let v): _ = advance(); return Expr(kind: .literal(.timespan(v)), range: t.range)
        case .string(let s):
            _ = advance()
            var str = s
            var r = t.range
            // Adjacent string literals concatenate.
            while case .string(let more) = tok.kind { str += more; r = r + advance().range }
            return Expr(kind: .literal(.string(str)), range: r)
        case .punct("("):
            _ = advance()
            var e = try expression()
            let end = tok.range.end
            try expectPunct(")")
            // The parentheses are part of the range, so `(a + b) * c` covers whole tokens, not `a + b) * c`.
            e.range = SourceRange(t.range.start, end)
            return e
        case .punct("*"):
            _ = advance(); return Expr(kind: .star, range: t.range)
        case .punct("["):
            if quotedName() != nil {
                let n = try identifier()
                return Expr(kind: .name(n.text), range: n.range)
            }
            throw fail("an expression")
        case .identifier:
            let name = t.text
            if name == "true" || name == "false" { _ = advance(); return Expr(kind: .literal(.bool(name == "true")), range: t.range) }
            if name == "null" { _ = advance(); return Expr(kind: .literal(.null), range: t.range) }
            if isPunct("(", peek()) {
                if Parser.typedLiteralTypes.contains(name.lowercased()), let lit = try typedLiteral() { return lit }
                if name.lowercased() == "toscalar" {
                    // Trying the pipeline first and then the expression parses the argument
                    // twice: without the memo, nested `toscalar(toscalar(… + 1) + 1)` took 2^n.
                    let at = i
                    if let (e, next) = toscalarParsed[at] { i = next; return e }
                    // toscalar(T | …): a tabular expression; toscalar(1.5) is a scalar one.
                    _ = advance(); _ = advance()
                    let save = i, saveDiag = diagnostics
                    var arg: Expr
                    if let p = try? pipeline(), isPunct(")") {
                        arg = Expr(kind: .subquery(p), range: p.range)
                    } else {
                        i = save; diagnostics = saveDiag
                        arg = try expression()
                    }
                    let end = tok.range.end
                    try expectPunct(")")
                    let e = Expr(kind: .call(name: "toscalar", args: [arg]), range: SourceRange(t.range.start, end))
                    toscalarParsed[at] = (e, i)
                    return e
                }
                _ = advance(); _ = advance()
                var args: [Expr] = []
                while !isPunct(")") {
                    args.append((isPunct("(") && startsTabular(1)) || startsTabular(0) ? try functionArgument() : try namedArgument())
                    if !acceptPunct(",") { break }
                }
                let end = tok.range.end
                try expectPunct(")")
                let range = SourceRange(t.range.start, end)
                let (fn, fargs) = Parser.canonicalCall(name, args, range)
                return Expr(kind: .call(name: fn, args: fargs), range: range)
            }
            _ = advance()
            return Expr(kind: .name(name), range: t.range)
        default:
            throw fail("an expression")
        }
    }

    /// Arguments may be named (`strcat_delim(delimiter=…)` is rare); accept `name = expr` and keep the expr.
    mutating func namedArgument() throws -> Expr {
        if tok.kind == .identifier && isPunct("=", peek()) && !isPunct("==", peek()) { _ = advance(); _ = advance() }
        return try expression()
    }

    /// `datetime(2015-12-31 23:59:59.9)`, `timespan(1.02:03:04)`, `dynamic([1,2])`, `long(null)`,
    /// `guid(…)`, `bool(true)`: the raw text between the parentheses is the literal.
    mutating func typedLiteral() throws -> Expr? {
        let nameTok = tok
        let type = KustoType(name: nameTok.text)!
        let open = peek()
        guard i + 1 < tokens.count, case let j = matching[i + 1], j > 0 else { return nil }
        // Only a dynamic literal is long; any other literal is a few tokens (`-`, `inf`, a raw
        // string), and copying a longer span's text at every level of `long(long(…` is quadratic.
        if type != .dynamic && j - (i + 1) > 8 { return nil }
        let rawStart = open.range.end, rawEnd = tokens[j].range.start
        let raw = String(decoding: source.bytes[rawStart..<rawEnd], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let range = SourceRange(nameTok.range.start, tokens[j].range.end)
        func bad() -> Stop {
            diagnostics.append(Diagnostic(Msg.badLiteral(type.name, raw), range)); return Stop()
        }
        func outOfRange() -> Stop {
            diagnostics.append(Diagnostic(Msg.literalOutOfRange(type.name, raw), range)); return Stop()
        }
        if raw == "null" { i = j + 1; return Expr(kind: .literal(.typedNull(type)), range: range) }
        var unquoted = raw
        if (raw.hasPrefix("\"") && raw.hasSuffix("\"") || raw.hasPrefix("'") && raw.hasSuffix("'")) && raw.count >= 2 {
            unquoted = String(raw.dropFirst().dropLast())
        }
        let lit: Literal
        switch type {
        case .datetime:
            guard let v = Ticks.parseDatetime(unquoted) else { throw bad() }
            // A zone offset can carry 9999-12-31 past Kusto's last tick (or 0001-01-01 before the first).
            guard let d = Checked.datetime(v) else { throw outOfRange() }
            lit = .datetime(d)
        case .timespan:
            switch Parser.timespanText(unquoted) {
            case .ticks(let v): lit = .timespan(v)
            case .outOfRange: throw outOfRange()
            case .invalid:
                var lx = Lexer(SourceText(unquoted))
                let toks = lx.tokenize()
                if lx.diagnostics.contains(where: { $0.code == .literalOutOfRange }) { throw outOfRange() }
                if toks.count == 2, case .timespan(let v) = toks[0].kind { lit = .timespan(v) }
                else if toks.count == 2, case .integer(let v) = toks[0].kind {
                    guard let t = Checked.ticks(v, unit: Ticks.perDay) else { throw outOfRange() }
                    lit = .timespan(t)
                }
                else { throw bad() }
            }
        case .dynamic:
            guard let v = try? JSONValue.parse(KQLDynamic.normalize(raw)) else { throw bad() }
            lit = .dynamic(v)
        case .guid:
            let hexOK = unquoted.count == 36 && unquoted.allSatisfy { $0.isHexDigit || $0 == "-" }
            guard hexOK else { throw bad() }
            lit = .guid(unquoted.lowercased())
        case .bool:
            switch unquoted.lowercased() { case "true", "1": lit = .bool(true); case "false", "0": lit = .bool(false); default: throw bad() }
        case .int, .long:
            guard let v = Int64(unquoted) else { return nil }
            if type == .int && Int32(exactly: v) == nil { throw outOfRange() }
            lit = type == .int ? .int(v) : .long(v)
        case .real, .decimal:
            if let v = Double(unquoted) {
                // Swift reads real(1e400) as infinity; only the spelled-out forms below mean it.
                guard !v.isInfinite || unquoted.lowercased().contains("inf") else { throw outOfRange() }
                lit = .real(v)
            }
            else if ["nan"].contains(unquoted.lowercased()) { lit = .real(.nan) }
            else if ["+inf", "inf"].contains(unquoted.lowercased()) { lit = .real(.infinity) }
            else if unquoted.lowercased() == "-inf" { lit = .real(-.infinity) }
            else { return nil }
        case .string:
            return nil
        }
        i = j + 1
        return Expr(kind: .literal(lit), range: range)
    }
}

enum KQLDynamic {
    /// KQL's dynamic literals allow single-quoted strings and datetime(...)/timespan literals inside;
    /// turn the single-quoted strings into JSON ones.
    static func normalize(_ s: String) -> String {
        var out = ""
        var inDouble = false, inSingle = false, escape = false
        for ch in s {
            if escape { out.append(ch); escape = false; continue }
            if ch == "\\" && (inDouble || inSingle) { out.append(ch); escape = true; continue }
            if inSingle {
                if ch == "'" { out.append("\""); inSingle = false } else if ch == "\"" { out.append("\\\"") } else { out.append(ch) }
                continue
            }
            if ch == "\"" { inDouble.toggle(); out.append(ch); continue }
            if ch == "'" && !inDouble { inSingle = true; out.append("\""); continue }
            out.append(ch)
        }
        return out
    }
}
