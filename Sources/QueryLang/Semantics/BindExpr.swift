import Foundation
import LogStore

extension Binder {
    func bindExpr(_ e: Expr, _ rel: Relation) throws -> BoundExpr {
        let r = e.range
        switch e.kind {
        case .name(let n):
            if let i = rel.index(n) { return ColumnRef(name: n, type: rel.types[i], range: r) }
            if let s = scalars[n] { return s }
            if poisoned.contains(n) { throw CascadeStop() }
            throw unknownColumn(n, r, rel)
        case .literal(let lit):
            switch lit {
            case .null: return Constant(.null, type: .dynamic, range: r)
            case .typedNull(let t): return Constant(.null, type: t, range: r)
            case .bool(let b): return Constant(.bool(b), type: .bool, range: r)
            case .long(let v): return Constant(.long(v), type: .long, range: r)
            case .int(let v): return Constant(.long(v), type: .int, range: r)
            case .real(let v): return Constant(.real(v), type: .real, range: r)
            case .string(let s): return Constant(.string(s), type: .string, range: r)
            case .datetime(let t): return Constant(.datetime(t), type: .datetime, range: r)
            case .timespan(let t): return Constant(.timespan(t), type: .timespan, range: r)
            case .guid(let g): return Constant(.string(g), type: .guid, range: r)
            case .dynamic(let j): return Constant(j == .null ? .null : .dynamic(j), type: .dynamic, range: r)
            }
        case .star:
            throw Diagnostic(Msg.unexpectedToken("'*'", expected: "an expression"), r)
        case .subquery:
            throw Diagnostic(Msg.unsupportedFeature("a tabular subquery in a scalar position"), r)
        case .unary(let op, let x):
            let a = try bindExpr(x, rel)
            guard a.type.isNumeric || a.type == .timespan else { throw Diagnostic(Msg.operandType(op, a.type.name), r) }
            return try arithmetic("-", Constant(a.type == .timespan ? .timespan(0) : a.type == .real ? .real(0) : .long(0), type: a.type, range: r), a, r)
        case .member(let b, let key):
            let base = try bindExpr(b, rel)
            guard base.type == .dynamic else { throw Diagnostic(Msg.notDynamic("the property access '.\(key)'", base.type.name), r) }
            return DynamicAccess.member(base, key, r)
        case .index(let b, let i):
            let base = try bindExpr(b, rel)
            let idx = try bindExpr(i, rel)
            guard base.type == .dynamic else { throw Diagnostic(Msg.notDynamic("the index access '[]'", base.type.name), r) }
            if let k = idx.constant, case .string(let key) = k { return DynamicAccess.member(base, key, r) }
            return ScalarFunctions.call("index", [base, idx], .dynamic, r) { v in
                guard case .dynamic(let j) = v[0] else { return .dynamic(.null) }
                switch (j, v[1]) {
                case (.array(let a), .long(var k)):
                    if k < 0 { k += Int64(a.count) }
                    return k >= 0 && k < a.count ? .dynamic(a[Int(k)]) : .dynamic(.null)
                case (.object, .string(let s)): return .dynamic(j[s] ?? .null)
                default: return .dynamic(.null)
                }
            }
        case .call("typeof", let args):
            // typeof(T): a type literal (extract's result type, …), as a typed null.
            guard args.count == 1 else { throw Diagnostic(Msg.argumentCount("typeof", "1", args.count), r) }
            guard case .name(let n) = args[0].kind, let t = KustoType(name: n) else {
                let found = String(decoding: source.bytes[args[0].range.start..<min(args[0].range.end, source.bytes.count)], as: UTF8.self)
                throw Diagnostic(Msg.unknownKeyword("type name", found, expected: "string, long, int, real, bool, datetime, timespan, guid or dynamic"), args[0].range)
            }
            return Constant(.null, type: t, range: r)
        case .call("toscalar", let args):
            // The tabular expression's first column of its first row, run once when the query runs.
            guard args.count == 1 else { throw Diagnostic(Msg.argumentCount("toscalar", "1", args.count), r) }
            guard case .subquery(let p) = args[0].kind else {
                let e = try bindExpr(args[0], rel)
                guard let v = e.constant else { throw Diagnostic(Msg.constantRequired("the argument of toscalar"), args[0].range) }
                return Constant(v, type: e.type, range: r)
            }
            let plan = try bindPipeline(p)
            guard store != nil else { throw Diagnostic(Msg.internalError("toscalar reached the binder without a store"), r) }
            let res = try subqueries.evaluate(plan)
            guard let t = plan.types.first else { return Constant(.null, type: .dynamic, range: r) }
            let v = res.count > 0 && !res.columns.isEmpty ? res.columns[0].value(0) : .null
            return Constant(v, type: t, range: r)
        case .call("column_ifexists", let args) where functions["column_ifexists"] == nil:
            return try bindColumnIfExists(args, rel, r)
        case .call(let name, let args):
            if Aggregates.isAggregate(name) { throw Diagnostic(Msg.aggregateOutside(name), r) }
            if RowFunctions.names.contains(name) {
                guard rowSetSerialized else {
                    throw Diagnostic(Msg.notSerialized(name), r)
                }
                return try RowFunctions.bind(name, try args.map { try bindExpr($0, rel) }, r)
            }
            if let (params, body) = functions[name] {
                return try invokeScalar(name, params, body, args, rel, r)
            }
            guard let def = ScalarFunctions.table[name] else {
                let notes = suggestion(for: name, among: ScalarFunctions.names + Aggregates.names).map { ["did you mean '\($0)'?"] } ?? []
                throw Diagnostic(Msg.unknownFunction(name), r, notes: notes)
            }
            guard args.count >= def.min && args.count <= def.max else {
                throw Diagnostic(Msg.argumentCount(name, def.min == def.max ? "\(def.min)" : def.max > 60 ? "at least \(def.min)" : "\(def.min) to \(def.max)", args.count), r)
            }
            let bound = try args.map { try bindExpr($0, rel) }
            let call = try def.bind(bound, r)
            return fold(call)
        case .binary(let op, let l, let rr):
            let a = try bindExpr(l, rel), b = try bindExpr(rr, rel)
            return fold(try binary(op, a, b, r))
        case .inList(let op, let x, let items):
            return fold(try bindIn(op, try bindExpr(x, rel), items, rel, r))
        case .between(let neg, let x, let lo, let hi):
            let a = try bindExpr(x, rel), l = try bindExpr(lo, rel)
            var h = try bindExpr(hi, rel)
            if a.type == .datetime && h.type == .timespan { h = try arithmetic("+", l, h, r) }
            // between is bound as >= and <=, but an error must name what the query wrote.
            func bound(_ op: String, _ y: BoundExpr) throws -> BoundExpr {
                do { return try binary(op, a, y, r) } catch let d as Diagnostic where d.code == .operandTypes {
                    throw Diagnostic(Msg.operandTypes(neg ? "!between" : "between", a.type.name, y.type.name), r)
                }
            }
            let ge = try bound(">=", l), le = try bound("<=", h)
            let both = Call("between", [a, l, h], type: .bool, range: r) { c, n in
                return Kernels.and(try Binder.evalPair(ge, c[0], c[1], n), try Binder.evalPair(le, c[0], c[2], n), n)
            }
            if neg { return fold(Call("!between", [both], type: .bool, range: r) { c, n in Kernels.not(c[0], n) }) }
            return fold(both)
        }
    }

    /// Re-evaluates a bound binary comparison on given columns (used by `between`).
    static func evalPair(_ e: BoundExpr, _ a: Column, _ b: Column, _ n: Int) throws -> Column {
        guard let c = e as? Call else { return try e.eval(Batch(names: [], columns: [], count: n)) }
        return try c.kernel([a, b], n)
    }

    func invokeScalar(_ name: String, _ params: [QueryParameter], _ body: [Statement], _ args: [Expr], _ rel: Relation, _ r: SourceRange) throws -> BoundExpr {
        guard args.count <= params.count else { throw Diagnostic(Msg.argumentCount(name, "\(params.count)", args.count), r) }
        let saved = scalars
        defer { scalars = saved }
        for (k, p) in params.enumerated() {
            if k < args.count { scalars[p.name] = try checkedArgument(name, p, bindExpr(args[k], rel)) }
            else if let d = p.defaultValue { scalars[p.name] = try checkedArgument(name, p, bindExpr(d, rel)) }
            else { throw Diagnostic(Msg.argumentCount(name, "\(params.count)", args.count), r) }
        }
        // The arguments were bound outside: `f(f(1))` calls f twice, it does not recurse.
        return try expand(name, r) {
            for st in body {
                switch st {
                case .letScalar(let n, let e, _):
                    // Each call inlines the body, so nested calls multiply its depth.
                    if n == Parser.functionResult { return try heightChecked(bindExpr(e, rel), r) }
                    scalars[n] = try heightChecked(bindExpr(e, rel), e.range)
                case .query(let p):
                    // A scalar function body is one expression, which the parser reads as a pipeline source name or call.
                    if p.operators.isEmpty, case .table(let n) = p.source { return try bindExpr(Expr(kind: .name(n), range: p.range), rel) }
                    if p.operators.isEmpty, case .call(let f, let a) = p.source { return try bindExpr(Expr(kind: .call(name: f, args: a), range: p.range), rel) }
                    throw Diagnostic(Msg.unsupportedFeature("the tabular function '\(name)' in a scalar position"), r)
                default: break
                }
            }
            throw Diagnostic(Msg.unknownFunction(name), r)
        }
    }

    /// A user function's argument against its declared parameter type (see `convertedArgument`).
    func checkedArgument(_ fn: String, _ p: QueryParameter, _ e: BoundExpr) throws -> BoundExpr {
        try convertedArgument(fn, p, e)
    }

    /// Constant folding: a call whose arguments are all constants is evaluated once.
    func fold(_ e: BoundExpr) -> BoundExpr {
        guard let c = e as? Call, !c.args.isEmpty, c.args.allSatisfy({ $0.constant != nil }), c.name != "rand", c.name != "new_guid" else { return e }
        guard let col = try? c.eval(Batch(names: [], columns: [], count: 1)) else { return e }
        return Constant(col.value(0), type: c.type, range: c.range)
    }

    // MARK: operators

    func binary(_ op: String, _ a: BoundExpr, _ b: BoundExpr, _ r: SourceRange) throws -> BoundExpr {
        switch op {
        case "and", "or":
            guard a.type == .bool || a.constant?.isNull == true else { throw Diagnostic(Msg.notBoolean("the left side of '\(op)'", a.type.name), a.range) }
            guard b.type == .bool || b.constant?.isNull == true else { throw Diagnostic(Msg.notBoolean("the right side of '\(op)'", b.type.name), b.range) }
            let aa = a.type == .bool ? a : Constant(.null, type: .bool, range: a.range), bb = b.type == .bool ? b : Constant(.null, type: .bool, range: b.range)
            return Call(op, [aa, bb], type: .bool, range: r) { c, n in op == "and" ? Kernels.and(c[0], c[1], n) : Kernels.or(c[0], c[1], n) }
        case "+", "-", "*", "/", "%":
            return try arithmetic(op, a, b, r)
        case "==", "!=", "<", "<=", ">", ">=":
            return try comparison(op, a, b, r)
        case "=~", "!~":
            guard a.type == .string || a.type == .guid || a.type == .dynamic, b.type == .string || b.type == .guid || b.type == .dynamic else {
                throw Diagnostic(Msg.operandTypes(op, a.type.name, b.type.name), r)
            }
            let ca = a.type == .string ? a : toStringExpr(a), cb = b.type == .string ? b : toStringExpr(b)
            return Call(op, [ca, cb], type: .bool, range: r, operands: { c, n in
                let eq = Kernels.compareStrings(.eq, caseInsensitive: true, c[0], c[1], n)
                return op == "=~" ? eq : Kernels.not(eq, n)
            })
        case "matches regex":
            guard let pattern = b.constant?.asString else { throw Diagnostic(Msg.constantRequired("the regex of 'matches regex'"), b.range) }
            let re = try ScalarFunctions.compileRegex(pattern, b.range)
            // Straight over the column's bytes: no String per row.
            return Call(op, [toStringExpr(a)], type: .bool, range: r) { c, n in
                let col = c[0], s = col.byteStrings
                var out = [Int64](repeating: 0, count: n)
                s.bytes.withUnsafeBufferPointer { b in
                    for i in 0..<n {
                        let rg = s.range(col.row(i))
                        out[i] = re.matches(b.baseAddress.map { $0 + rg.lowerBound }, count: rg.count) ? 1 : 0
                    }
                }
                return .ints(.bool, out)
            }
        default:
            return try stringOperator(op, a, b, r)
        }
    }

    func toStringExpr(_ e: BoundExpr) -> BoundExpr {
        if e.type == .string { return e }
        return (try? ScalarFunctions.table["tostring"]!.bind([e], e.range)) ?? e
    }

    func stringOperator(_ op: String, _ a: BoundExpr, _ b: BoundExpr, _ r: SourceRange) throws -> BoundExpr {
        var name = op
        let negate = name.hasPrefix("!")
        if negate { name.removeFirst() }
        let cs = name.hasSuffix("_cs")
        if cs { name.removeLast(3) }
        let kind: Kernels.StringPredicate
        switch name {
        case "contains": kind = .contains
        case "has": kind = .has
        case "startswith": kind = .startswith
        case "endswith": kind = .endswith
        case "hasprefix": kind = .hasprefix
        case "hassuffix": kind = .hassuffix
        default: throw Diagnostic(Msg.internalError("the parser produced operator '\(op)', which the binder does not know"), r)
        }
        let hay = toStringExpr(a)
        if let needle = b.constant {
            let nb = Array(needle.asString.utf8)
            let call = Call(op, [hay], type: .bool, range: r) { c, n in
                Kernels.stringPredicate(kind, caseSensitive: cs, negate: negate, c[0], needle: nb, n)
            }
            call.needle = needle.asString
            return call
        }
        let nd = toStringExpr(b)
        return Call(op, [hay, nd], type: .bool, range: r) { c, n in
            var out = [Int64](repeating: 0, count: n)
            let s = c[1].byteStrings
            for i in 0..<n {
                let one = Kernels.stringPredicate(kind, caseSensitive: cs, negate: negate, c[0].slice(i..<(i + 1)), needle: Array(s[i]), 1)
                out[i] = one.int64Values[0]
            }
            return .ints(.bool, out)
        }
    }

    func comparison(_ op: String, _ a: BoundExpr, _ b: BoundExpr, _ r: SourceRange) throws -> BoundExpr {
        let cmp = Kernels.cmpOp(op)!
        var x = a, y = b
        // An untyped null compares as the other side's type.
        if x.constant?.isNull == true && x.type == .dynamic { x = Constant(.null, type: y.type, range: x.range) }
        if y.constant?.isNull == true && y.type == .dynamic { y = Constant(.null, type: x.type, range: y.range) }
        let tx = x.type, ty = y.type
        let intLike: Set<KustoType> = [.int, .long]
        if (tx.isNumeric && ty.isNumeric) {
            if intLike.contains(tx) && intLike.contains(ty) {
                return Call(op, [x, y], type: .bool, range: r, operands: { c, n in Kernels.compareInts(cmp, c[0], c[1], n) })
            }
            return Call(op, [x, y], type: .bool, range: r, operands: { c, n in Kernels.compareReals(cmp, c[0], c[1], n) })
        }
        if tx == ty && (tx == .datetime || tx == .timespan || tx == .bool) {
            return Call(op, [x, y], type: .bool, range: r, operands: { c, n in Kernels.compareInts(cmp, c[0], c[1], n) })
        }
        let stringy: Set<KustoType> = [.string, .guid]
        if stringy.contains(tx) && stringy.contains(ty) {
            // Against a constant: compare each row with the needle's bytes (no column of copies).
            if cmp == .eq || cmp == .ne, let k = (y.constant ?? x.constant), case .string(let needle) = k {
                let column = y.constant != nil ? x : y
                let bytes = Array(needle.utf8)
                let call = Call(op, [column], type: .bool, range: r) { c, n in Kernels.equalsConstant(c[0], bytes, negate: cmp == .ne, n) }
                call.needle = needle
                return call
            }
            return Call(op, [x, y], type: .bool, range: r, operands: { c, n in Kernels.compareStrings(cmp, caseInsensitive: false, c[0], c[1], n) })
        }
        if tx == .dynamic || ty == .dynamic {
            return ScalarFunctions.call(op, [x, y], .bool, r) { v in
                var p = v[0], q = v[1]
                if case .dynamic(let j) = p { p = Binder.unwrap(j, like: q) }
                if case .dynamic(let j) = q { q = Binder.unwrap(j, like: p) }
                if p.isNull || q.isNull {
                    if p.isNull && q.isNull { return .null }
                    return cmp == .eq ? .bool(false) : cmp == .ne ? .bool(true) : .null
                }
                let c = ValueOrder.compare(p, q)
                return .bool(Kernels.test(cmp, c, 0))
            }
        }
        throw Diagnostic(Msg.operandTypes(op, tx.name, ty.name), r)
    }

    static func unwrap(_ j: JSONValue, like other: Value) -> Value {
        switch j {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .long(i)
        case .real(let d): return .real(d)
        case .string(let s):
            if case .datetime = other, let t = Ticks.parseDatetime(s) { return .datetime(t) }
            return .string(s)
        default: return .string(j.jsonText)
        }
    }

    func arithmetic(_ op: String, _ a: BoundExpr, _ b: BoundExpr, _ r: SourceRange) throws -> BoundExpr {
        let ta = a.type, tb = b.type
        func ints(_ t: KustoType) -> BoundExpr { Call(op, [a, b], type: t, range: r, operands: { c, n in Kernels.arithmeticInts(op, c[0], c[1], n, type: t) }) }
        let intLike: Set<KustoType> = [.int, .long]
        switch (ta, tb) {
        case _ where intLike.contains(ta) && intLike.contains(tb):
            return ints(.long)
        case _ where ta.isNumeric && tb.isNumeric:
            return Call(op, [a, b], type: .real, range: r, operands: { c, n in Kernels.arithmeticReals(op, c[0], c[1], n) })
        case (.datetime, .timespan) where op == "+" || op == "-": return ints(.datetime)
        case (.timespan, .datetime) where op == "+": return ints(.datetime)
        case (.datetime, .datetime) where op == "-": return ints(.timespan)
        case (.timespan, .timespan) where op == "+" || op == "-" || op == "%": return ints(.timespan)
        case (.timespan, .timespan) where op == "/":
            return Call(op, [a, b], type: .real, range: r, operands: { c, n in Kernels.arithmeticReals("/", c[0], c[1], n) })
        case (.timespan, _) where tb.isNumeric && (op == "*" || op == "/"):
            return Call(op, [a, b], type: .timespan, range: r, operands: { c, n in
                let x = Kernels.arithmeticReals(op, c[0], c[1], n)
                return Kernels.realsToTicks(x)
            })
        case (_, .timespan) where ta.isNumeric && op == "*":
            return Call(op, [a, b], type: .timespan, range: r, operands: { c, n in
                let x = Kernels.arithmeticReals(op, c[0], c[1], n)
                return Kernels.realsToTicks(x)
            })
        case (.dynamic, _), (_, .dynamic):
            return ScalarFunctions.call(op, [a, b], .real, r) { v in
                guard let x = Convert.toDouble(v[0]), let y = Convert.toDouble(v[1]) else { return .null }
                switch op { case "+": return .real(x + y); case "-": return .real(x - y); case "*": return .real(x * y); case "/": return .real(x / y); default: return .real(x.truncatingRemainder(dividingBy: y)) }
            }
        default:
            throw Diagnostic(Msg.operandTypes(op, ta.name, tb.name), r)
        }
    }

    func bindIn(_ op: String, _ x: BoundExpr, _ items: [Expr], _ rel: Relation, _ r: SourceRange) throws -> BoundExpr {
        var values: [Value] = []
        for it in items {
            let it = tableAsSubquery(it)
            if case .subquery(let p) = it.kind {
                // `x in (T | project c)`: the subquery's first column, run once when the query runs.
                let plan = try bindPipeline(p)
                guard store != nil else { throw Diagnostic(Msg.internalError("a subquery reached the binder without a store"), it.range) }
                let res = try subqueries.evaluate(plan)
                if let col = res.columns.first { for i in 0..<col.count { values.append(col.value(i)) } }
                continue
            }
            let e = try bindExpr(it, Relation(names: [], types: []))
            guard let c = e.constant else { throw Diagnostic(Msg.constantRequired("each value of '\(op)'"), it.range) }
            if case .dynamic(.array(let arr)) = c { for j in arr { values.append(Binder.unwrap(j, like: .null)) } } else { values.append(c) }
        }
        let negate = op.hasPrefix("!")
        let ci = op.hasSuffix("~")
        if op == "has_any" || op == "has_all" {
            let needles = values.map { Array($0.asString.utf8) }
            let hay = toStringExpr(x)
            return Call(op, [hay], type: .bool, range: r) { c, n in
                if needles.isEmpty { return .ints(.bool, [Int64](repeating: 0, count: n)) }
                var acc: Column? = nil
                for nd in needles {
                    let m = Kernels.stringPredicate(.has, caseSensitive: false, negate: false, c[0], needle: nd, n)
                    acc = acc.map { op == "has_any" ? Kernels.or($0, m, n) : Kernels.and($0, m, n) } ?? m
                }
                return acc!
            }
        }
        if x.type == .string || x.type == .guid || x.type == .dynamic {
            let set = Set(values.map { ci ? $0.asString.lowercased() : $0.asString })
            let keys = Set(set.map { Array($0.utf8) })
            let hay = toStringExpr(x)
            return Call(op, [hay], type: .bool, range: r) { c, n in
                let s = c[0].byteStrings
                var out = [Int64](repeating: 0, count: n)
                for i in 0..<n {
                    let b = ci ? s[i].map(Kernels.lowerASCII) : Array(s[i])
                    out[i] = keys.contains(b) != negate ? 1 : 0
                }
                return .ints(.bool, out)
            }
        }
        if x.type.physical == .int64 {
            let set = Set(values.compactMap { $0.isNull ? nil : $0.asInt })
            return Call(op, [x], type: .bool, range: r) { c, n in
                let v = c[0].int64Values
                var out = [Int64](repeating: 0, count: n)
                for i in 0..<n { out[i] = (!c[0].isNull(i) && set.contains(v[i])) != negate ? 1 : 0 }
                return .ints(.bool, out)
            }
        }
        let set = Set(values.compactMap { $0.asDouble })
        return Call(op, [x], type: .bool, range: r) { c, n in
            let v = Kernels.doubles(c[0])
            var out = [Int64](repeating: 0, count: n)
            for i in 0..<n { out[i] = (!c[0].isNull(i) && set.contains(v[i])) != negate ? 1 : 0 }
            return .ints(.bool, out)
        }
    }
}

/// `d.key` and `d["key"]` on dynamic columns: the key's value is found by scanning the JSON text
/// (skipping other values without building them). Over a scan, the planner replaces it by a read
/// of the key's sub-column (see `DynamicPaths`).
final class MemberAccess: Call {
    let key: String
    init(_ base: BoundExpr, key: String, range: SourceRange) {
        self.key = key
        super.init("member", [base], type: .dynamic, range: range) { c, _ in DynamicPaths.extract(c[0], key: key) }
    }
}

enum DynamicAccess {
    static func member(_ base: BoundExpr, _ key: String, _ r: SourceRange) -> BoundExpr { MemberAccess(base, key: key, range: r) }
}

/// Functions over the serialized row order. Their input is one batch (see `PlanNode.serialize`),
/// so each call sees the whole ordered row set.
enum RowFunctions {
    static let names: Set<String> = ["row_number", "prev", "next", "row_cumsum"]

    static func bind(_ name: String, _ a: [BoundExpr], _ r: SourceRange) throws -> BoundExpr {
        func count(_ lo: Int, _ hi: Int) throws {
            guard a.count >= lo && a.count <= hi else { throw Diagnostic(Msg.argumentCount(name, lo == hi ? "\(lo)" : "\(lo) to \(hi)", a.count), r) }
        }
        switch name {
        case "row_number":
            try count(0, 2)
            let start = a.first?.constant?.asInt ?? 1
            if let restart = a.dropFirst().first {
                guard restart.type == .bool else { throw Diagnostic(Msg.notBoolean("the restart argument of row_number()", restart.type.name), restart.range) }
            }
            return Call(name, Array(a.dropFirst()), type: .long, range: r) { c, n in
                var out = [Int64](repeating: 0, count: n)
                var v = start
                for i in 0..<n {
                    if let restart = c.first, i > 0, !restart.isNull(i), restart.int64Values[i] != 0 { v = start }
                    out[i] = v; v &+= 1 // checked: row_number(long.max) wraps, as Kusto's long does
                }
                return .ints(.long, out)
            }
        case "prev", "next":
            try count(1, 3)
            let offset = Int(a.count > 1 ? (a[1].constant?.asInt ?? 1) : 1)
            let def: Value = a.count > 2 ? (a[2].constant ?? .null) : .null
            let t = a[0].type
            let sign = name == "prev" ? -1 : 1
            return Call(name, [a[0]], type: t, range: r) { c, n in
                let src = c[0]
                var out = [Value](); out.reserveCapacity(n)
                for i in 0..<n {
                    // prev(x, huge) is the default, not an overflow.
                    let (j, o) = sign < 0 ? i.subtractingReportingOverflow(offset) : i.addingReportingOverflow(offset)
                    out.append(!o && j >= 0 && j < n ? src.value(j) : def)
                }
                return .from(out, type: t)
            }
        default: // row_cumsum(x [, restart])
            try count(1, 2)
            let t: KustoType = a[0].type == .real || a[0].type == .decimal ? .real : a[0].type == .timespan ? .timespan : .long
            guard a[0].type.isNumeric || a[0].type == .timespan else { throw Diagnostic(Msg.argumentType(name, "expects a number"), a[0].range) }
            return Call(name, a, type: t, range: r) { c, n in
                Kernels.rowCumsum(c[0], restart: c.count > 1 ? c[1] : nil, type: t, n)
            }
        }
    }
}
