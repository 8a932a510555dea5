import Foundation
import LogStore

/// Thrown where a name whose definition already failed is used: the binder records nothing for
/// it, since the definition's own diagnostic is the cause.
struct CascadeStop: Error {}

/// The columns flowing between operators while binding.
struct Relation {
    var names: [String]
    var types: [KustoType]
    func index(_ n: String) -> Int? { names.firstIndex(of: n) }
}

/// Resolves names and types against the store's catalog and turns the syntax tree into a plan.
/// Diagnostics are collected per statement; one mistake gives one error.
final class Binder {
    let store: Store?
    let source: SourceText
    var scalars: [String: BoundExpr] = [:]
    var tabulars: [String: Pipeline] = [:]
    var functions: [String: ([QueryParameter], [Statement])] = [:]
    var parameters: [String: Value]
    var diagnostics: [Diagnostic] = []
    var renderKind: String? = nil
    /// Tables computed once by `let T = materialize(…)`.
    var materializedTables: [String: any LogicalPlan] = [:]
    /// True while binding an operator whose input has a defined row order.
    var rowSetSerialized = false
    /// The let-bound tables and functions being expanded, outermost first: a let is bound where
    /// it is used, so one that names itself (directly or through others) would expand forever.
    var expanding: [String] = []
    /// Earlier definitions of a tabular let that a later `let` of the same name replaced, oldest
    /// first: inside `let T = T | …` the name still means what it meant before (Kusto binds a
    /// let's name after its expression), an earlier let or else the store's table.
    var shadowed: [String: [Pipeline]] = [:]
    /// Names whose definition already failed with a reported error (a query parameter without a
    /// value, a scalar let whose expression failed): a use of one stops binding its statement quietly (`CascadeStop`) instead of
    /// adding an echo of that error.
    var poisoned: Set<String> = []
    /// Heights of bound scalar-let values and their parts (see `heightChecked`).
    var boundHeights: [ObjectIdentifier: (BoundExpr, Int)] = [:]

    /// Runs toscalar, materialize and `in (…)` subqueries: placeholders at compile time, the
    /// run's executor when the query runs.
    let subqueries: any SubqueryEvaluator

    init(store: Store?, source: SourceText, parameters: [String: Value], subqueries: any SubqueryEvaluator = DeferredSubqueries()) {
        self.store = store; self.source = source; self.parameters = parameters; self.subqueries = subqueries
    }

    func bind(_ script: Script) -> (any LogicalPlan)? {
        DeepStack.run { bindHere(script) }
    }

    func bindHere(_ script: Script) -> (any LogicalPlan)? {
        var result: (any LogicalPlan)? = nil
        for st in script.statements {
            do {
                switch st {
                case .letScalar(let n, let e, let r):
                    if case .call("materialize", let args) = e.kind {
                        materializedTables[n] = try materialize(args, e.range)
                        continue
                    }
                    // `let T = requests;` names a table: the parser cannot tell a name's kind.
                    if case .name(let m) = e.kind, scalars[m] == nil, isTabularName(m) {
                        tabulars[n] = Pipeline(source: .table(m), sourceRange: e.range, operators: [], range: r)
                    } else {
                        scalars[n] = try heightChecked(bindExpr(e, Relation(names: [], types: [])), r)
                    }
                case .letTabular(let n, let p, _):
                    if let old = tabulars[n] { shadowed[n, default: []].append(old) }
                    tabulars[n] = p
                case .letFunction(let n, let params, let body, _):
                    functions[n] = (params, body)
                case .declareParameters(let ps):
                    for p in ps {
                        do {
                            if let v = parameters[p.name] {
                                scalars[p.name] = Constant(try coerceParameter(v, p), type: p.type, range: p.range)
                            } else if let d = p.defaultValue {
                                scalars[p.name] = try bindExpr(d, Relation(names: [], types: []))
                            } else {
                                throw Diagnostic(Msg.missingParameter(p.name), p.range)
                            }
                        } catch let d as Diagnostic {
                            // Report it once: every later use would otherwise be a second,
                            // misleading "unknown column".
                            diagnostics.append(d)
                            poisoned.insert(p.name)
                        }
                    }
                case .query(let p):
                    let plan = try bindPipeline(p)
                    try Binder.checkPlanHeight(plan, p.range)
                    result = plan
                }
            } catch is CascadeStop {
                // Its cause is already reported.
            } catch let d as Diagnostic {
                diagnostics.append(d)
                // A scalar let that failed: its uses would only repeat this error as "unknown column".
                if case .letScalar(let n, _, _) = st { poisoned.insert(n) }
                // Statements after a too-deep one would only report its name as unknown, or
                // evaluate what was refused.
                if d.code == .nestingTooDeep { break }
            } catch {
                diagnostics.append(Diagnostic(Msg.runtime("\(error)"), SourceRange(0, 0)))
            }
        }
        if result == nil && diagnostics.isEmpty {
            diagnostics.append(Diagnostic(Msg.unexpectedToken("no tabular expression", expected: "a query after the let statements"), SourceRange(source.bytes.count, source.bytes.count)))
        }
        return result
    }

    func coerceParameter(_ v: Value, _ p: QueryParameter) throws -> Value {
        if case .string(let s) = v, p.type != .string {
            let parsed: Value
            switch p.type {
            case .datetime:
                if let t = Ticks.parseDatetime(s) { parsed = .datetime(t) }
                else if let span = Binder.relativeSpan(s) { parsed = Checked.subtract(Ticks.fromUnixSeconds(Date().timeIntervalSince1970), span).flatMap { Checked.datetime($0) }.map { .datetime($0) } ?? .null }
                else { parsed = .null }
            case .timespan: parsed = Binder.relativeSpan(s).map { .timespan($0) } ?? Ticks.parseTimespan(s).map { .timespan($0) } ?? .null
            default: parsed = Convert.parse(s, as: p.type)
            }
            if parsed.isNull { throw Diagnostic(Msg.invalidParameterValue(p.name, s, p.type.name), p.range) }
            return parsed
        }
        return v
    }

    /// `2h`, `30m`, `1d` as ticks.
    static func relativeSpan(_ s: String) -> Int64? {
        var lx = Lexer(SourceText(s))
        let t = lx.tokenize()
        if t.count == 2, case .timespan(let v) = t[0].kind { return v }
        return nil
    }

    // MARK: pipelines

    func bindPipeline(_ p: Pipeline) throws -> any LogicalPlan {
        var node = try bindSource(p.source, p.sourceRange)
        var serialized = false
        let saved = rowSetSerialized
        defer { rowSetSerialized = saved }
        var errors: [Diagnostic] = []
        var stopped = false
        for op in p.operators {
            rowSetSerialized = serialized
            do {
                node = try bindOperator(op, node)
            } catch let d as Diagnostic {
                // An operator that keeps its input's columns (where, take, order by, top, sample,
                // render) can fail without changing what the next operators see: keep binding them
                // so that their own, independent mistakes are reported too. After any other
                // operator the columns are unknown, and going on would only report echoes.
                errors.append(d)
                switch op.kind {
                case .whereOp, .take, .sort, .top, .sample, .render: continue
                default: break
                }
                break
            } catch is CascadeStop {
                // Like a reported mistake, but with nothing to report.
                stopped = true
                switch op.kind {
                case .whereOp, .take, .sort, .top, .sample, .render: continue
                default: break
                }
                break
            }
            // Row functions need every row in one ordered batch.
            if serialized, var project = node as? ProjectNode, project.columns.contains(where: { Binder.usesRowFunction($0.1) }) {
                project.input = SerializeNode(input: project.input)
                node = project
            }
            switch op.kind {
            case .sort, .top, .serialize: serialized = true
            case .whereOp, .extend, .project, .projectAway, .projectKeep, .projectRename, .projectReorder, .take, .mvExpand, .parse, .asOp, .render: break
            default: serialized = false
            }
        }
        if let last = errors.last {
            // The caller records the thrown one; the others go in first, in source order.
            diagnostics.append(contentsOf: errors.dropLast())
            throw last
        }
        if stopped { throw CascadeStop() }
        return node
    }

    static func usesRowFunction(_ e: BoundExpr) -> Bool {
        if let c = e as? Call { return RowFunctions.names.contains(c.name) || c.args.contains(where: usesRowFunction) }
        return false
    }

    func relation(_ n: any LogicalPlan) -> Relation { Relation(names: n.names, types: n.types) }

    /// `materialize(T)`: the tabular expression runs once (when the query runs, see
    /// `SubqueryEvaluator`), and every reference reads its rows.
    func materialize(_ args: [Expr], _ r: SourceRange) throws -> any LogicalPlan {
        guard args.count == 1 else { throw Diagnostic(Msg.argumentCount("materialize", "1", args.count), r) }
        let p: Pipeline
        switch args[0].kind {
        case .subquery(let q): p = q
        case .name(let t): p = Pipeline(source: .table(t), sourceRange: args[0].range, operators: [], range: args[0].range)
        default: throw Diagnostic(Msg.tabularArgument("materialize", "takes a tabular expression"), args[0].range)
        }
        let plan = try bindPipeline(p)
        guard store != nil else { throw Diagnostic(Msg.internalError("materialize reached the binder without a store"), r) }
        let rows = try subqueries.evaluate(Planner.optimize(plan, window: (nil, nil)))
        return ValuesNode(batch: Batch(names: plan.names, columns: zip(rows.columns, plan.types).map { $0.type == $1 ? $0 : $0.converted(to: $1) }, count: rows.count))
    }

    /// Does this name stand for a table: a let-bound tabular expression, a function without
    /// parameters, or a table of the store?
    func isTabularName(_ name: String) -> Bool {
        if tabulars[name] != nil || materializedTables[name] != nil { return true }
        if let (params, _) = functions[name], params.isEmpty { return true }
        guard let store = store else { return false }
        return name == Store.rejectsTable || ((try? store.schema(of: name)) ?? nil) != nil
    }

    func bindSource(_ s: SourceKind, _ r: SourceRange) throws -> any LogicalPlan {
        switch s {
        case .table(let name):
            if let m = materializedTables[name] { return m }
            if let p = tabulars[name] {
                // Inside its own definition (the k-th time) the name means its k-th older meaning.
                let level = expanding.lazy.filter { $0 == name }.count
                let older = shadowed[name] ?? []
                if level == 0 { return try expand(name, r) { try bindPipeline(p) } }
                if level <= older.count { return try expand(name, r, again: true) { try bindPipeline(older[older.count - level]) } }
                guard let store = store, (try? store.schema(of: name)) ?? nil != nil else { throw Diagnostic(Msg.recursiveDefinition(name), r) }
                // else: the store's table of that name, below.
            }
            if scalars[name] != nil {
                throw Diagnostic(Msg.unexpectedToken("'\(name)', a scalar value", expected: "a tabular expression (a table, datatable, print, range…)"), r)
            }
            if let (params, body) = functions[name], params.isEmpty { return try invoke(name, params, body, [], r) }
            if name == Store.rejectsTable, let store = store {
                return ScanNode(table: name, schema: try store.schema(of: name)!, request: ScanRequest())
            }
            if let store = store, let schema = try store.schema(of: name) {
                return ScanNode(table: name, schema: schema, request: ScanRequest())
            }
            var candidates = Array(tabulars.keys)
            if let store = store { candidates += (try? store.tableNames()) ?? [] }
            let notes = suggestion(for: name, among: candidates).map { ["did you mean '\($0)'?"] } ?? []
            throw Diagnostic(Msg.unknownTable(name), r, notes: notes)
        case .datatable(let cols, let values):
            guard cols.count > 0 else { return ValuesNode(batch: Batch(names: [], columns: [], count: 0)) }
            guard values.count % cols.count == 0 else {
                throw Diagnostic(Msg.datatableShape(values.count, cols.count), r)
            }
            var cells: [[Value]] = Array(repeating: [], count: cols.count)
            for (k, v) in values.enumerated() {
                let e = try bindExpr(v, Relation(names: [], types: []))
                guard let c = e.constant else { throw Diagnostic(Msg.constantRequired("a datatable value"), v.range) }
                cells[k % cols.count].append(try coerce(c, from: e.type, to: cols[k % cols.count].type, v.range))
            }
            return ValuesNode(batch: Batch(names: cols.map(\.name), columns: zip(cols, cells).map { .from($1, type: $0.type) }, count: values.count / cols.count))
        case .print(let items):
            var names: [String] = [], cols: [Column] = []
            for (k, it) in items.enumerated() {
                let e = try bindExpr(it.expr, Relation(names: [], types: []))
                let col = try e.eval(Batch(names: [], columns: [], count: 1))
                names.append(it.name ?? derivedName(it.expr) ?? "print_\(k)")
                cols.append(col)
            }
            return ValuesNode(batch: Batch(names: uniqueNames(names), columns: cols, count: 1))
        case .range(let name, let a, let b, let c):
            let empty = Relation(names: [], types: [])
            let lo = try bindExpr(a, empty), hi = try bindExpr(b, empty), st = try bindExpr(c, empty)
            guard let x = lo.constant, let y = hi.constant, let z = st.constant else { throw Diagnostic(Msg.constantRequired("range bounds and step"), r) }
            // A bound of the wrong type is the cause to name, not the step it made unreadable.
            for (e, what) in [(lo, "the start"), (hi, "the end")] where !(e.type.isNumeric || e.type == .datetime || e.type == .timespan) {
                throw Diagnostic(Msg.argumentType("range", "\(what) must be a number, datetime or timespan, found \(e.type.name)"), e.range)
            }
            guard st.type.isNumeric || st.type == .timespan else {
                throw Diagnostic(Msg.argumentType("range", "the step must be a number or timespan, found \(st.type.name)"), st.range)
            }
            for (v, e) in [(x, lo), (y, hi)] where v.isNull { throw Diagnostic(Msg.valueOutOfRange("function 'range'", "a bound must not be null"), e.range) }
            let type = lo.type == .datetime ? KustoType.datetime : lo.type == .timespan ? .timespan : (lo.type == .real || hi.type == .real || st.type == .real) ? .real
                : (lo.type == .int && hi.type == .int && st.type == .int) ? .int : .long
            // The rows are generated when the query runs (`RangeOperator`), under its budgets.
            if type == .real {
                guard let s = z.asDouble, s != 0, let from = x.asDouble, let to = y.asDouble else { throw Diagnostic(Msg.valueOutOfRange("function 'range'", "step must be non-zero"), c.range) }
                // An infinite bound or step (`1e308 * 10`) would make a range without end.
                for (v, e) in [(from, a), (to, b), (s, c)] where !v.isFinite {
                    throw Diagnostic(Msg.valueOutOfRange("function 'range'", "bounds and step must be finite numbers, not \(v)"), e.range)
                }
                return RangeNode(name: name, type: type, bounds: .reals(from: from, to: to, step: s))
            } else {
                guard let s = z.asInt, s != 0, let from = x.asInt, let to = y.asInt else { throw Diagnostic(Msg.valueOutOfRange("function 'range'", "step must be non-zero"), c.range) }
                return RangeNode(name: name, type: type, bounds: .ints(from: from, to: to, step: s))
            }
        case .union(let ws, let ps):
            return try bindUnion(ws, ps, r)
        case .subquery(let p):
            return try bindPipeline(p)
        case .call("materialize", let args):
            return try materialize(args, r)
        case .call(let name, let args):
            guard let (params, body) = functions[name] else {
                if ScalarFunctions.table[name] != nil || Aggregates.names.contains(name) {
                    throw Diagnostic(Msg.unexpectedToken("a call of the scalar function '\(name)'", expected: "a tabular expression (a table, datatable, print, range…)"), r)
                }
                throw Diagnostic(Msg.unknownTable(name), r)
            }
            return try invoke(name, params, body, args, r)
        }
    }

    /// Binds a use of a let-bound name: a located error at the use when the name is already
    /// being expanded (recursion), or when expansions nest past `DepthLimits.maxDepth`; and the
    /// plan it makes must stay within the limit too (each expansion adds its pipeline's depth).
    func expand<T>(_ name: String, _ r: SourceRange, again: Bool = false, _ bind: () throws -> T) throws -> T {
        if !again && expanding.contains(name) { throw Diagnostic(Msg.recursiveDefinition(name), r) }
        guard expanding.count < DepthLimits.maxDepth else { throw Diagnostic(Msg.nestingTooDeep(DepthLimits.maxDepth), r) }
        expanding.append(name)
        defer { expanding.removeLast() }
        let result = try bind()
        if let plan = result as? any LogicalPlan { try Binder.checkPlanHeight(plan, r) }
        return result
    }

    /// A scalar let's value is shared by every use, so `let x2 = x1 + x1; let x3 = x2 + x2; …`
    /// builds an expression as deep as the number of lets, which no single expression's check
    /// sees: each let's value is measured (memoized over the shared nodes, which the memo keeps
    /// alive so that an identifier is never reused) and refused past the limit.
    func heightChecked(_ e: BoundExpr, _ r: SourceRange) throws -> BoundExpr {
        var stack: [(BoundExpr, Bool)] = [(e, false)]
        while let (x, childrenDone) = stack.popLast() {
            let id = ObjectIdentifier(x)
            if boundHeights[id] != nil { continue }
            guard let c = x as? Call, !c.args.isEmpty else { boundHeights[id] = (x, 1); continue }
            if childrenDone {
                let h = 1 + c.args.reduce(0) { max($0, boundHeights[ObjectIdentifier($1)]?.1 ?? 1) }
                boundHeights[id] = (x, h)
                if h > DepthLimits.maxDepth { throw Diagnostic(Msg.nestingTooDeep(DepthLimits.maxDepth), r) }
            } else {
                stack.append((x, true))
                for a in c.args where boundHeights[ObjectIdentifier(a)] == nil { stack.append((a, false)) }
            }
        }
        return e
    }

    /// The planner, lowering and the operators recurse over the plan: refuse one deeper than
    /// the limit here, where there is still a place in the query to point at. Walks with its own
    /// stack, so the check itself cannot overflow.
    static func checkPlanHeight(_ plan: any LogicalPlan, _ r: SourceRange) throws {
        var stack: [(any LogicalPlan, Int)] = [(plan, 1)]
        while let (node, h) = stack.popLast() {
            if h > DepthLimits.maxDepth { throw Diagnostic(Msg.nestingTooDeep(DepthLimits.maxDepth), r) }
            for c in node.children { stack.append((c, h + 1)) }
        }
    }

    func invoke(_ name: String, _ params: [QueryParameter], _ body: [Statement], _ args: [Expr], _ r: SourceRange) throws -> any LogicalPlan {
        guard args.count <= params.count else { throw Diagnostic(Msg.argumentCount(name, "\(params.count)", args.count), r) }
        let saved = (scalars, tabulars, materializedTables)
        defer { (scalars, tabulars, materializedTables) = saved }
        // Arguments are bound in the caller's scope (before any parameter is set): an argument
        // `T` passed to a parameter `T` is the caller's `T`, not the parameter itself.
        var tabularArgs: [String: any LogicalPlan] = [:]
        for (k, p) in params.enumerated() {
            if let want = p.tabularColumns {
                guard k < args.count else { throw Diagnostic(Msg.argumentCount(name, "\(params.count)", args.count), r) }
                let arg: Pipeline
                switch args[k].kind {
                case .subquery(let q): arg = q
                case .name(let t): arg = Pipeline(source: .table(t), sourceRange: args[k].range, operators: [], range: args[k].range)
                default:
                    throw Diagnostic(Msg.tabularArgument(name, "parameter '\(p.name)' takes a tabular expression"), args[k].range)
                }
                // The argument must have the declared columns, of the declared types.
                let node = try bindPipeline(arg)
                for c in want {
                    guard let i = node.names.firstIndex(of: c.name) else {
                        throw Diagnostic(Msg.tabularArgument(name, "the table passed as '\(p.name)' has no column '\(c.name)'"), args[k].range)
                    }
                    guard node.types[i] == c.type else {
                        throw Diagnostic(Msg.tabularArgument(name, "column '\(c.name)' of '\(p.name)' is \(node.types[i].name), not \(c.type.name)"), args[k].range)
                    }
                }
                tabularArgs[p.name] = node
                continue
            }
            if k < args.count { scalars[p.name] = try checkedArgument(name, p, bindExpr(args[k], Relation(names: [], types: []))) }
            else if let d = p.defaultValue { scalars[p.name] = try checkedArgument(name, p, bindExpr(d, Relation(names: [], types: []))) }
            else { throw Diagnostic(Msg.argumentCount(name, "\(params.count)", args.count), r) }
        }
        // The arguments were bound outside: `f(f(T))` calls f twice, it does not recurse.
        return try expand(name, r) {
            for (n, plan) in tabularArgs {
                materializedTables[n] = plan
                tabulars[n] = nil
                scalars[n] = nil
            }
            var result: (any LogicalPlan)? = nil
            for st in body {
                switch st {
                case .letScalar(let n, let e, let r): scalars[n] = try heightChecked(bindExpr(e, Relation(names: [], types: [])), r)
                case .letTabular(let n, let p, _): tabulars[n] = p; materializedTables[n] = nil
                case .query(let p): result = try bindPipeline(p)
                default: break
                }
            }
            guard let res = result else {
                throw Diagnostic(Msg.unexpectedToken("a call of '\(name)', a function that returns a scalar", expected: "a tabular expression (a table, datatable, print, range…)"), r)
            }
            return res
        }
    }

    func bindUnion(_ withSource: String?, _ ps: [Pipeline], _ r: SourceRange) throws -> any LogicalPlan {
        var nodes: [any LogicalPlan] = [], srcNames: [String] = []
        for p in ps {
            nodes.append(try bindPipeline(p))
            if case .table(let n) = p.source, p.operators.isEmpty { srcNames.append(n) } else { srcNames.append("union_arg\(srcNames.count)") }
        }
        // One output column per name and type: a name that comes with several types gives one
        // column per type, named name_type (Kusto's outer union), made unique with a number.
        var typesOf: [String: [KustoType]] = [:]
        for n in nodes { for (name, t) in zip(n.names, n.types) where !(typesOf[name]?.contains(t) ?? false) { typesOf[name, default: []].append(t) } }
        var names: [String] = [], types: [KustoType] = []
        var output: [String: String] = [:]   // "name\u{1}type" → output column
        func key(_ name: String, _ t: KustoType) -> String { name + "\u{1}" + t.name }
        for n in nodes {
            for (name, t) in zip(n.names, n.types) where output[key(name, t)] == nil {
                var out = (typesOf[name]?.count ?? 1) > 1 ? name + "_" + t.name : name
                if names.contains(out) {
                    var k = 1
                    while names.contains(out + String(k)) { k += 1 }
                    out += String(k)
                }
                output[key(name, t)] = out
                names.append(out); types.append(t)
            }
        }
        nodes = nodes.map { n -> any LogicalPlan in
            let renamed = zip(n.names, n.types).map { output[key($0, $1)]! }
            guard renamed != n.names else { return n }
            return ProjectNode(input: n, columns: zip(zip(n.names, n.types), renamed).map { ($1, ColumnRef(name: $0.0, type: $0.1, range: SourceRange(0, 0)) as BoundExpr) })
        }
        if let ws = withSource { names.insert(ws, at: 0); types.insert(.string, at: 0) }
        return UnionNode(inputs: nodes, withSource: withSource, names: names, types: types, sourceNames: srcNames)
    }

    // MARK: operators

    func bindOperator(_ op: TabularOperator, _ input: any LogicalPlan) throws -> any LogicalPlan {
        let rel = relation(input)
        switch op.kind {
        case .whereOp(let e):
            let p = try bindExpr(e, rel)
            guard p.type == .bool else { throw Diagnostic(Msg.notBoolean("the 'where' predicate", p.type.name), e.range) }
            return FilterNode(input: input, predicate: p)
        case .extend(let items):
            var cols: [(String, BoundExpr)] = zip(rel.names, rel.types).map { ($0, ColumnRef(name: $0, type: $1, range: op.range)) }
            var counter = ColumnCounter(existing: Set(rel.names))
            for it in items {
                let e = try bindExpr(it.expr, rel)
                let name = it.name ?? derivedName(it.expr) ?? counter.next()
                if let i = cols.firstIndex(where: { $0.0 == name }) { cols[i] = (name, e) } else { cols.append((name, e)) }
            }
            return ProjectNode(input: input, columns: cols)
        case .project(let items):
            var cols: [(String, BoundExpr)] = []
            var counter = ColumnCounter(existing: Set(rel.names))
            for it in items {
                if case .name(let n) = it.expr.kind, n.contains("*"), it.name == nil {
                    for (k, name) in rel.names.enumerated() where wildcard(n, name) { cols.append((name, ColumnRef(name: name, type: rel.types[k], range: it.expr.range))) }
                    continue
                }
                let e = try bindExpr(it.expr, rel)
                let name = it.name ?? derivedName(it.expr) ?? counter.next()
                if cols.contains(where: { $0.0 == name }) { throw Diagnostic(Msg.duplicateColumn(name), it.nameRange ?? it.expr.range) }
                cols.append((name, e))
            }
            return ProjectNode(input: input, columns: cols)
        case .projectAway(let pats), .projectKeep(let pats):
            var keep = [Bool](repeating: { if case .projectAway = op.kind { return true } else { return false } }(), count: rel.names.count)
            let away: Bool = { if case .projectAway = op.kind { return true } else { return false } }()
            for p in pats {
                guard case .name(let n) = p.kind else { continue }
                let hits = rel.names.indices.filter { wildcard(n, rel.names[$0]) }
                if hits.isEmpty && !n.contains("*") { throw unknownColumn(n, p.range, rel) }
                for h in hits { keep[h] = !away }
            }
            return ProjectNode(input: input, columns: rel.names.indices.filter { keep[$0] }.map { (rel.names[$0], ColumnRef(name: rel.names[$0], type: rel.types[$0], range: op.range)) })
        case .projectRename(let pairs):
            var cols: [(String, BoundExpr)] = zip(rel.names, rel.types).map { ($0, ColumnRef(name: $0, type: $1, range: op.range)) }
            for (new, old, r) in pairs {
                guard let i = cols.firstIndex(where: { $0.0 == old }) else { throw unknownColumn(old, r, rel) }
                cols[i].0 = new
            }
            return ProjectNode(input: input, columns: cols)
        case .projectReorder(let pats):
            var order: [Int] = []
            for p in pats {
                guard case .name(let n) = p.kind else { continue }
                let hits = rel.names.indices.filter { wildcard(n, rel.names[$0]) && !order.contains($0) }
                if hits.isEmpty && !n.contains("*") { throw unknownColumn(n, p.range, rel) }
                order += hits
            }
            order += rel.names.indices.filter { !order.contains($0) }
            return ProjectNode(input: input, columns: order.map { (rel.names[$0], ColumnRef(name: rel.names[$0], type: rel.types[$0], range: op.range)) })
        case .summarize(let aggs, let by):
            return try bindSummarize(aggs, by, input, rel)
        case .sort(let keys):
            return SortNode(input: input, keys: try keys.map { try bindSortKey($0, rel) }, limit: nil)
        case .top(let n, let keys):
            guard let count = try bindExpr(n, rel).constant?.asInt else { throw Diagnostic(Msg.constantRequired("the row count of 'top'"), n.range) }
            return SortNode(input: input, keys: try keys.map { try bindSortKey($0, rel) }, limit: Int(max(0, count)))
        case .take(let n):
            guard let count = try bindExpr(n, rel).constant?.asInt else { throw Diagnostic(Msg.constantRequired("the row count of 'take'"), n.range) }
            return TakeNode(input: input, count: Int(max(0, count)))
        case .count:
            return CountNode(input: input)
        case .distinct(let items):
            if items.isEmpty {
                return SummarizeNode(input: input, keys: zip(rel.names, rel.types).map { ($0, ColumnRef(name: $0, type: $1, range: op.range)) }, aggregates: [])
            }
            var counter = ColumnCounter(existing: Set(rel.names))
            let keys = try items.map { it -> (String, BoundExpr) in (it.name ?? derivedName(it.expr) ?? counter.next(), try bindExpr(it.expr, rel)) }
            return SummarizeNode(input: input, keys: keys, aggregates: [])
        case .union(let ws, let ps):
            let others = try bindUnion(nil, ps, op.range)
            guard let u = others as? UnionNode else { return others }
            let (nodes, srcNames) = (u.inputs, u.sourceNames)
            var names = rel.names, types = rel.types
            for n in nodes { for (name, t) in zip(n.names, n.types) { if let i = names.firstIndex(of: name) { types[i] = TypeWidening.widened(types[i], t) } else { names.append(name); types.append(t) } } }
            if let ws = ws { names.insert(ws, at: 0); types.insert(.string, at: 0) }
            return UnionNode(inputs: [input] + nodes, withSource: ws, names: names, types: types, sourceNames: ["union_arg0"] + srcNames)
        case .mvExpand(let items, let types, let itemIndex, let bagAsArray, let limitExpr):
            var names = rel.names, outTypes = rel.types
            var bound: [(name: String, expr: BoundExpr, type: KustoType)] = []
            var counter = ColumnCounter(existing: Set(rel.names))
            for (it, t) in zip(items, types) {
                let e = try bindExpr(it.expr, rel)
                guard e.type == .dynamic else { throw Diagnostic(Msg.notDynamic("mv-expand", e.type.name), it.expr.range) }
                let name = it.name ?? derivedName(it.expr) ?? counter.next()
                let type = t ?? .dynamic
                if let i = names.firstIndex(of: name) { outTypes[i] = type } else { names.append(name); outTypes.append(type) }
                bound.append((name, e, type))
            }
            if let ix = itemIndex { names.append(ix); outTypes.append(.long) }
            var limit = Int(Int32.max)
            if let l = limitExpr {
                guard let v = try bindExpr(l, rel).constant?.asInt else { throw Diagnostic(Msg.constantRequired("the mv-expand limit"), l.range) }
                limit = Int(max(0, v))
            }
            return MvExpandNode(input: input, items: bound, itemIndex: itemIndex, bagAsArray: bagAsArray, limit: limit, names: names, types: outTypes)
        case .parse(let source, let pattern, let isRegex):
            let src = toStringExpr(try bindExpr(source, rel))
            var re = "^"
            var cols: [(String, KustoType)] = []
            for (k, part) in pattern.enumerated() {
                let last = k == pattern.count - 1
                switch part {
                case .text(let t): re += isRegex ? t : KQLRegex.quote(t)
                case .wildcard: re += last ? ".*" : ".*?"
                case .column(let n, let t):
                    if cols.contains(where: { $0.0 == n }) { throw Diagnostic(Msg.duplicateColumn(n), op.range) }
                    cols.append((n, t))
                    re += last ? "(.*)" : "(.*?)"
                }
            }
            let regex = try ScalarFunctions.compileRegex(re, op.range)
            var names = rel.names, types = rel.types
            for (n, t) in cols { if let i = names.firstIndex(of: n) { types[i] = t } else { names.append(n); types.append(t) } }
            return ParseNode(input: input, source: src, regex: regex, columns: cols, names: names, types: types)
        case .join(let kind, let right, let on):
            return try bindJoin(kind, right, on, input, rel, lookup: false, op.range)
        case .lookup(let kind, let right, let on):
            return try bindJoin(kind, right, on, input, rel, lookup: true, op.range)
        case .getschema:
            let n = rel.names.count
            return ValuesNode(batch: Batch(names: ["ColumnName", "ColumnOrdinal", "DataType", "ColumnType"],
                                 columns: [.strings(ByteStrings(rel.names)), .ints(.int, (0..<n).map(Int64.init)),
                                           .strings(ByteStrings(rel.types.map { Binder.dotNetName($0) })), .strings(ByteStrings(rel.types.map(\.name)))], count: n))
        case .asOp(let name):
            _ = name
            return input
        case .search(let e):
            let pred = try bindExpr(searchPredicate(e, rel), rel)
            guard pred.type == .bool else { throw Diagnostic(Msg.notBoolean("the 'search' predicate", pred.type.name), e.range) }
            return FilterNode(input: input, predicate: pred)
        case .makeSeries(let aggs, let defaults, let on, let from, let to, let step, let by):
            return try bindMakeSeries(aggs, defaults, on, from, to, step, by, input, rel, op.range)
        case .sample(let n):
            guard let count = try bindExpr(n, rel).constant?.asInt else { throw Diagnostic(Msg.constantRequired("the row count of 'sample'"), n.range) }
            return SampleNode(input: input, count: Int(max(0, count)))
        case .render(let kind, _):
            renderKind = kind
            return RenderNode(input: input, kind: kind)
        case .serialize(let items):
            if items.isEmpty { return SerializeNode(input: input) }
            rowSetSerialized = true
            return try bindOperator(TabularOperator(kind: .extend(items), range: op.range, name: "extend"), SerializeNode(input: input))
        }
    }

    func bindJoin(_ kind: JoinKind, _ right: Pipeline, _ on: [(Expr, Expr)], _ input: any LogicalPlan, _ rel: Relation, lookup: Bool, _ r: SourceRange) throws -> any LogicalPlan {
        if lookup && kind != .leftouter && kind != .inner {
            throw Diagnostic(Msg.unknownKeyword("lookup kind", "\(kind)", expected: "leftouter or inner"), r)
        }
        let rightNode = try bindPipeline(right)
        let rrel = relation(rightNode)
        var lk: [BoundExpr] = [], rk: [BoundExpr] = []
        var sameNameKeys = Set<String>()
        func side(_ e: Expr) -> (Int?, Expr) {
            if case .member(let b, let n) = e.kind, case .name(let s) = b.kind, s == "$left" || s == "$right" {
                return (s == "$left" ? 0 : 1, Expr(kind: .name(n), range: e.range))
            }
            return (nil, e)
        }
        for (a, b) in on {
            if case .name(let n) = a.kind, case .name(let m) = b.kind, n == m {
                lk.append(try bindExpr(a, rel)); rk.append(try bindExpr(b, rrel)); sameNameKeys.insert(n)
                continue
            }
            let (sa, ea) = side(a), (sb, eb) = side(b)
            guard let x = sa, let y = sb, x != y else {
                throw Diagnostic(Msg.joinCondition(), a.range + b.range)
            }
            let (le, re) = x == 0 ? (ea, eb) : (eb, ea)
            lk.append(try bindExpr(le, rel)); rk.append(try bindExpr(re, rrel))
        }
        for (a, b) in zip(lk, rk) where !(a.type == b.type || (a.type.isNumeric && b.type.isNumeric)) {
            throw Diagnostic(Msg.joinKeyTypes(a.type.name, b.type.name), a.range + b.range)
        }
        var out: [JoinOutput] = []
        let leftCols = zip(rel.names, rel.types).map { JoinOutput(name: $0, side: 0, source: $0, type: $1) }
        let rightCols = zip(rrel.names, rrel.types).map { JoinOutput(name: $0, side: 1, source: $0, type: $1) }
        switch kind {
        case .leftsemi, .leftanti: out = leftCols
        case .rightsemi, .rightanti: out = rightCols
        default:
            out = leftCols
            var used = Set(rel.names)
            for var c in rightCols {
                if lookup && sameNameKeys.contains(c.source) { continue }
                if used.contains(c.name) {
                    var k = 1
                    while used.contains(c.source + String(k)) { k += 1 }
                    c.name = c.source + String(k)
                }
                used.insert(c.name)
                out.append(c)
            }
        }
        return JoinNode(left: input, right: rightNode, kind: kind, leftKeys: lk, rightKeys: rk, output: out)
    }

    static func dotNetName(_ t: KustoType) -> String {
        switch t {
        case .bool: return "System.Boolean"; case .int: return "System.Int32"; case .long: return "System.Int64"; case .real: return "System.Double"
        case .decimal: return "System.Data.SqlTypes.SqlDecimal"; case .datetime: return "System.DateTime"; case .timespan: return "System.TimeSpan"
        case .guid: return "System.Guid"; case .string: return "System.String"; case .dynamic: return "System.Object"
        }
    }

    func wildcard(_ pattern: String, _ name: String) -> Bool {
        guard pattern.contains("*") else { return pattern == name }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(name)
        for (k, p) in parts.enumerated() {
            if k == 0 { guard rest.hasPrefix(p) else { return false }; rest = rest.dropFirst(p.count); continue }
            if k == parts.count - 1 { return p.isEmpty || rest.hasSuffix(p) }
            guard let r = rest.range(of: p) else { return false }
            rest = rest[r.upperBound...]
        }
        return true
    }

    func bindSortKey(_ k: SortKey, _ rel: Relation) throws -> SortSpec {
        SortSpec(expr: try bindExpr(k.expr, rel), ascending: k.ascending, nullsFirst: k.nullsFirst)
    }

    func unknownColumn(_ n: String, _ r: SourceRange, _ rel: Relation) -> Diagnostic {
        let notes = suggestion(for: n, among: rel.names + Array(scalars.keys)).map { ["did you mean '\($0)'?"] } ?? []
        return Diagnostic(Msg.unknownColumn(n), r, notes: notes)
    }

    struct ColumnCounter {
        var existing: Set<String>
        var n = 0
        mutating func next() -> String {
            while true { n += 1; let name = "Column\(n)"; if !existing.contains(name) { existing.insert(name); return name } }
        }
    }

    func uniqueNames(_ names: [String]) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for n in names {
            var name = n, k = 0
            while seen.contains(name) { k += 1; name = "\(n)_\(k)" }
            seen.insert(name); out.append(name)
        }
        return out
    }

    static let namePropagating: Set<String> = ["bin", "bin_at", "floor", "tostring", "toint", "tolong", "todouble", "toreal", "todecimal", "tobool",
                                               "todatetime", "totimespan", "toguid", "todynamic", "parse_json", "startofday", "startofweek",
                                               "startofmonth", "startofyear", "endofday", "endofweek", "endofmonth", "endofyear"]

    /// The name Kusto gives an unnamed expression, or nil for `ColumnN`.
    func derivedName(_ e: Expr) -> String? {
        switch e.kind {
        case .name(let n): return n
        case .member(let b, let k): return derivedName(b).map { $0 + "_" + k }
        case .index(let b, let i):
            if case .literal(.string(let k)) = i.kind { return derivedName(b).map { $0 + "_" + k } }
            if case .literal(.long(let k)) = i.kind { return derivedName(b).map { $0 + "_" + String(k) } }
            return nil
        case .call(let f, let args):
            if Binder.namePropagating.contains(f), let first = args.first { return derivedName(first) }
            return nil
        default: return nil
        }
    }

    // MARK: summarize

    /// `search`: each string literal term becomes "some column has it" over the string, guid and
    /// dynamic columns (`"err*"` hasprefix, `"*err"` hassuffix, `"*err*"` contains); `and`, `or`,
    /// `not()` and other predicates keep their meaning.
    func searchPredicate(_ e: Expr, _ rel: Relation) throws -> Expr {
        switch e.kind {
        case .literal(.string(let term)):
            var op = "has", needle = term
            let starts = needle.hasPrefix("*"), ends = needle.hasSuffix("*") && needle.count > 1
            if starts { needle.removeFirst() }
            if ends { needle.removeLast() }
            if starts && ends { op = "contains" } else if starts { op = "hassuffix" } else if ends { op = "hasprefix" }
            let cols = rel.names.indices.filter { [.string, .guid, .dynamic].contains(rel.types[$0]) }
            guard !cols.isEmpty else { return Expr(kind: .literal(.bool(false)), range: e.range) }
            let tests = cols.map { k in
                Expr(kind: .binary(op: op, Expr(kind: .name(rel.names[k]), range: e.range), Expr(kind: .literal(.string(needle)), range: e.range)), range: e.range)
            }
            // Balanced: a table can have thousands of string columns.
            var any = Expr.balanced("or", tests)
            any.range = e.range
            return any
        case .binary(let op, let l, let r) where op == "and" || op == "or":
            return Expr(kind: .binary(op: op, try searchPredicate(l, rel), try searchPredicate(r, rel)), range: e.range)
        case .call(let name, let args) where name == "not" && args.count == 1:
            return Expr(kind: .call(name: "not", args: [try searchPredicate(args[0], rel)]), range: e.range)
        default:
            return e
        }
    }

    /// make-series = summarize by the keys and the axis's bin, then arrays per key (see `MakeSeriesNode`).
    func bindMakeSeries(_ aggs: [NamedExpr], _ defaults: [Expr?], _ on: Expr, _ from: Expr?, _ to: Expr?, _ step: Expr, _ by: [NamedExpr],
                        _ input: any LogicalPlan, _ rel: Relation, _ r: SourceRange) throws -> any LogicalPlan {
        let axis = try bindExpr(on, rel)
        guard axis.type == .datetime || axis.type == .timespan || axis.type.isNumeric else {
            throw Diagnostic(Msg.makeSeriesAxis(axis.type.name), on.range)
        }
        func constant(_ e: Expr, _ what: String) throws -> Value {
            guard let v = try bindExpr(e, Relation(names: [], types: [])).constant, !v.isNull else { throw Diagnostic(Msg.constantRequired(what), e.range) }
            return v
        }
        let stepValue = try constant(step, "the step of 'make-series'")
        let stepNumber: Double
        switch (axis.type, stepValue) {
        case (.datetime, .timespan(let t)), (.timespan, .timespan(let t)): stepNumber = Double(t)
        case (_, .long(let v)) where axis.type.isNumeric: stepNumber = Double(v)
        case (_, .real(let v)) where axis.type.isNumeric: stepNumber = v
        default:
            let given = try bindExpr(step, Relation(names: [], types: [])).type.name
            throw Diagnostic(Msg.makeSeriesStep(axis.type.name, axis.type == .datetime || axis.type == .timespan ? "timespan" : "number", given), step.range)
        }
        guard stepNumber > 0 else { throw Diagnostic(Msg.valueOutOfRange("make-series", "the step must be positive"), step.range) }
        let start = try from.map { try constant($0, "the 'from' of 'make-series'") }
        let end = try to.map { try constant($0, "the 'to' of 'make-series'") }
        // Bins align to `from` when it is given (bin_at), else to multiples of the step (bin).
        let binCall = Expr(kind: .call(name: start != nil ? "bin_at" : "bin", args: [on, step] + (from.map { [$0] } ?? [])), range: on.range)
        let binName = "\u{1F}series_bin"
        let summarize = try bindSummarize(aggs, by + [NamedExpr(name: binName, nameRange: nil, expr: binCall)], input, rel)
        guard let grouped = summarize as? SummarizeNode, case let (keys, specs) = (grouped.keys, grouped.aggregates), specs.allSatisfy({ $0.outputs.count == 1 }),
              summarize.names.count == keys.count + specs.count else {
            throw Diagnostic(Msg.unsupportedFeature("make-series with an aggregate of several columns or an expression over aggregates"), r)
        }
        for (a, s) in zip(aggs, specs) where !(s.outputs[0].1.isNumeric || s.outputs[0].1 == .timespan) {
            throw Diagnostic(Msg.makeSeriesAggregate(s.outputs[0].1.name), a.expr.range)
        }
        var defaultValues: [Value] = []
        for d in defaults { defaultValues.append(try d.map { try constant($0, "the default of a make-series aggregate") } ?? .long(0)) }
        let keyNames = Array(keys.map(\.0).dropLast()), keyTypes = Array(keys.map { $0.1.type }.dropLast())
        let axisName = derivedName(on) ?? "Column1"
        let spec = MakeSeriesSpec(keyCount: keyNames.count, aggregateCount: specs.count, start: start, end: end, step: stepNumber,
                                  axisType: axis.type, defaults: defaultValues,
                                  names: keyNames + specs.map { $0.outputs[0].0 } + [axisName],
                                  types: keyTypes + specs.map { _ in KustoType.dynamic } + [.dynamic])
        return MakeSeriesNode(input: summarize, spec: spec)
    }

    func bindSummarize(_ aggs: [NamedExpr], _ by: [NamedExpr], _ input: any LogicalPlan, _ rel: Relation) throws -> any LogicalPlan {
        var keys: [(String, BoundExpr)] = []
        var counter = ColumnCounter(existing: Set(rel.names))
        for k in by {
            let e = try bindExpr(k.expr, rel)
            var name = k.name ?? derivedName(k.expr) ?? counter.next()
            if keys.contains(where: { $0.0 == name }) { name = uniqueNames(keys.map(\.0) + [name]).last! }
            keys.append((name, e))
        }
        var specs: [AggregateSpec] = []
        var finalCols: [(String, BoundExpr)] = keys.map { ($0.0, ColumnRef(name: $0.0, type: $0.1.type, range: $0.1.range)) }
        var needsProject = false
        var used = Set(keys.map(\.0))
        func claim(_ n: String) -> String {
            var name = n, k = 0
            while used.contains(name) { k += 1; name = "\(n)_\(k)" }
            used.insert(name); return name
        }
        for a in aggs {
            if case .call(let fname, let args) = a.expr.kind, Aggregates.isAggregate(fname) {
                var spec = try Aggregates.bind(fname, args, a.expr.range, self, rel)
                if let n = a.name {
                    if spec.outputs.count == 1 { spec.outputs[0].0 = n }
                    else { for k in spec.outputs.indices { spec.outputs[k].0 = k == 0 ? n : spec.outputs[k].0 } }
                }
                if let names = a.tuple { try nameByTuple(names, &spec, a.expr.range) }
                let star = args.contains { if case .star = $0.kind { return true }; return false }
                for k in spec.outputs.indices {
                    // arg_max(x, *) and take_any(*) may output a by-column again: that one is not repeated.
                    let repeatsKey = keys.contains(where: { $0.0 == spec.outputs[k].0 })
                    if repeatsKey && ((spec.name.hasPrefix("arg_") && k > 0) || (spec.name == "take_any" && star)) {
                        spec.outputs[k].0 = "__dup_\(k)_" + spec.outputs[k].0; continue
                    }
                    // Only a derived name is made unique (count_, count_1); a name the query gave twice is its error, as in Kusto.
                    if k == 0, let n = a.name, used.contains(n) { throw Diagnostic(Msg.duplicateColumn(n), a.nameRange ?? a.expr.range) }
                    if let names = a.tuple, used.contains(names[k].0) { throw Diagnostic(Msg.duplicateColumn(names[k].0), names[k].1) }
                    spec.outputs[k].0 = claim(spec.outputs[k].0)
                    finalCols.append((spec.outputs[k].0, ColumnRef(name: spec.outputs[k].0, type: spec.outputs[k].1, range: a.expr.range)))
                }
                if spec.outputs.contains(where: { $0.0.hasPrefix("__dup_") }) { needsProject = true }
                specs.append(spec)
            } else {
                // An expression over aggregates, e.g. 100.0 * countif(failed) / count().
                var hidden: [AggregateSpec] = []
                let e = try bindExprOverAggregates(a.expr, rel, &hidden)
                guard !hidden.isEmpty else {
                    let fn: String
                    if case .call(let f, _) = a.expr.kind { fn = f } else { fn = "expression" }
                    throw Diagnostic(Msg.notAggregate(fn), a.expr.range)
                }
                specs += hidden
                let a = try singleTupleName(a)
                if let n = a.name, used.contains(n) { throw Diagnostic(Msg.duplicateColumn(n), a.nameRange ?? a.expr.range) }
                let name = claim(a.name ?? counter.next())
                finalCols.append((name, e))
                needsProject = true
            }
        }
        let node = SummarizeNode(input: input, keys: keys, aggregates: specs)
        return needsProject ? ProjectNode(input: node, columns: finalCols.filter { !$0.0.hasPrefix("__dup_") }) : node
    }

    var hiddenCounter = 0

    func bindExprOverAggregates(_ e: Expr, _ rel: Relation, _ hidden: inout [AggregateSpec]) throws -> BoundExpr {
        // Replace each aggregate call by a reference to a hidden aggregate output, then bind the rest.
        func rewrite(_ e: Expr) throws -> Expr {
            switch e.kind {
            case .call(let f, let args) where Aggregates.isAggregate(f):
                var spec = try Aggregates.bind(f, args, e.range, self, rel)
                hiddenCounter += 1
                let name = "__agg\(hiddenCounter)"
                spec.outputs = [(name, spec.outputs[0].1)]
                hidden.append(spec)
                hiddenTypes[name] = spec.outputs[0].1
                return Expr(kind: .name(name), range: e.range)
            case .call(let f, let args): return Expr(kind: .call(name: f, args: try args.map(rewrite)), range: e.range)
            case .binary(let op, let l, let r): return Expr(kind: .binary(op: op, try rewrite(l), try rewrite(r)), range: e.range)
            case .unary(let op, let x): return Expr(kind: .unary(op: op, try rewrite(x)), range: e.range)
            default: return e
            }
        }
        let rewritten = try rewrite(e)
        // Without an aggregate the expression's columns would be unknown in the aggregates'
        // relation: the cause is the missing aggregate, not the column.
        guard !hidden.isEmpty else {
            if case .call(let f, _) = e.kind { throw Diagnostic(Msg.notAggregate(f), e.range) }
            throw Diagnostic(Msg.notAggregate("expression"), e.range)
        }
        var r2 = Relation(names: [], types: [])
        for (n, t) in hiddenTypes { r2.names.append(n); r2.types.append(t) }
        return try bindExpr(rewritten, r2)
    }
    var hiddenTypes: [String: KustoType] = [:]

    func coerce(_ v: Value, from: KustoType, to: KustoType, _ r: SourceRange) throws -> Value {
        if v.isNull { return .null }
        switch to.physical {
        case .int64:
            if to == .bool, case .bool = v { return v }
            if (to == .datetime || to == .timespan) && from != to { throw Diagnostic(Msg.datatableValue(from.name, to.name), r) }
            if let i = v.asInt { return to == .datetime ? .datetime(i) : to == .timespan ? .timespan(i) : to == .bool ? .bool(i != 0) : .long(i) }
        case .float64: if let d = v.asDouble { return .real(d) }
        case .bytes:
            if to == .dynamic { return .dynamic(v.asJSON) }
            return .string(v.asString)
        }
        throw Diagnostic(Msg.datatableValue(from.name, to.name), r)
    }
}
