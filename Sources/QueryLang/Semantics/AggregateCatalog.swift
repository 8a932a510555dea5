import LogStore

/// Aggregate functions: argument rules, output names (Kusto's: `count_`, `avg_duration`,
/// `percentile_duration_95` …) and state factories.
enum Aggregates {
    static let names = ["count", "countif", "sum", "sumif", "avg", "avgif", "min", "max", "minif", "maxif", "dcount", "dcountif",
                        "percentile", "percentiles", "percentiles_array", "make_list", "make_set", "make_bag", "make_list_if", "make_set_if",
                        "arg_max", "arg_min", "take_any", "any", "stdev", "stdevp", "variance", "variancep", "stdevif", "varianceif",
                        "binary_all_and", "binary_all_or", "binary_all_xor"]
    static func isAggregate(_ n: String) -> Bool { names.contains(n) }

    static func numberText(_ v: Value) -> String {
        switch v {
        case .long(let x): return String(x)
        case .real(let d):
            if d == d.rounded(), let x = Checked.int64(truncating: d) { return String(x) }
            return String(d).replacingOccurrences(of: ".", with: "_")
        default: return v.asString
        }
    }

    static func bind(_ name: String, _ args: [Expr], _ r: SourceRange, _ b: Binder, _ rel: Relation) throws -> AggregateSpec {
        func arg(_ k: Int) throws -> BoundExpr { try b.bindExpr(args[k], rel) }
        func count(_ lo: Int, _ hi: Int) throws {
            guard args.count >= lo && args.count <= hi else {
                throw Diagnostic(Msg.argumentCount(name, lo == hi ? "\(lo)" : hi > 60 ? "at least \(lo)" : "\(lo) to \(hi)", args.count), r)
            }
        }
        func argName(_ k: Int) -> String { b.derivedName(args[k]) ?? "" }
        func predicate(_ k: Int) throws -> BoundExpr {
            let p = try arg(k)
            guard p.type == .bool else { throw Diagnostic(Msg.notBoolean("the predicate of \(name)()", p.type.name), args[k].range) }
            return p
        }
        func numeric(_ e: BoundExpr, _ k: Int) throws {
            guard e.type.isNumeric || e.type == .timespan || e.type == .dynamic else {
                throw Diagnostic(Msg.argumentType(name, "expects a number or timespan, got \(e.type.name)"), args[k].range)
            }
        }
        switch name {
        case "count":
            try count(0, 1)
            let a = try args.map { try b.bindExpr($0, rel) }
            return AggregateSpec(name: name, args: a, outputs: [("count_", .long)], make: { CountState(nonNull: !a.isEmpty) })
        case "binary_all_and", "binary_all_or", "binary_all_xor":
            try count(1, 1)
            let x = try arg(0)
            guard x.type == .long || x.type == .int || x.type == .bool else {
                throw Diagnostic(Msg.argumentType(name, "expects a long, got \(x.type.name)"), args[0].range)
            }
            let op: BinaryAllState.Op = name.hasSuffix("and") ? .and : name.hasSuffix("xor") ? .xor : .or
            return AggregateSpec(name: name, args: [x], outputs: [("\(name)_\(argName(0))", .long)], make: { BinaryAllState(op) })
        case "countif":
            try count(1, 1)
            return AggregateSpec(name: name, args: [try predicate(0)], outputs: [("countif_", .long)], make: { CountIfState() })
        case "sum", "avg", "sumif", "avgif":
            let cond = name.hasSuffix("if")
            try count(cond ? 2 : 1, cond ? 2 : 1)
            var x = try arg(0)
            try numeric(x, 0)
            if x.type == .dynamic { x = try ScalarFunctions.table["todouble"]!.bind([x], x.range) }
            let xa = x
            let st = SumState(argType: xa.type, average: name.hasPrefix("avg"), conditional: cond)
            let argsBound = cond ? [xa, try predicate(1)] : [xa]
            return AggregateSpec(name: name, args: argsBound, outputs: [("\(name)_\(argName(0))", st.outType)],
                                 make: { SumState(argType: xa.type, average: name.hasPrefix("avg"), conditional: cond) })
        case "min", "max", "minif", "maxif":
            let cond = name.hasSuffix("if")
            try count(cond ? 2 : 1, cond ? 2 : 1)
            let x = try arg(0)
            let t = x.type == .int ? KustoType.long : x.type
            let argsBound = cond ? [x, try predicate(1)] : [x]
            return AggregateSpec(name: name, args: argsBound, outputs: [("\(name)_\(argName(0))", t)],
                                 make: { MinMaxState(type: t, isMax: name.hasPrefix("max"), conditional: cond) })
        case "dcount", "dcountif":
            let cond = name == "dcountif"
            try count(cond ? 2 : 1, cond ? 3 : 2)
            let argsBound = cond ? [try arg(0), try predicate(1)] : [try arg(0)]
            return AggregateSpec(name: name, args: argsBound, outputs: [("\(name)_\(argName(0))", .long)], make: { DCountState(conditional: cond) })
        case "percentile", "percentiles", "percentiles_array":
            try count(2, 64)
            if name == "percentile" { try count(2, 2) }
            var x = try arg(0)
            try numeric(x, 0)
            if x.type == .dynamic { x = try ScalarFunctions.table["todouble"]!.bind([x], x.range) }
            var ps: [Double] = []
            var texts: [String] = []
            for k in 1..<args.count {
                let e = try arg(k)
                guard let c = e.constant else { throw Diagnostic(Msg.constantRequired("a percentile"), args[k].range) }
                if case .dynamic(.array(let arr)) = c {
                    // Each element obeys the rule a percentile given alone does (1e300 was named by Int64(1e300)).
                    for j in arr {
                        guard let d = Value.dynamic(j).asDouble, d >= 0, d <= 100 else {
                            throw Diagnostic(Msg.valueOutOfRange("function '\(name)'", "a percentile must be a number from 0 to 100"), args[k].range)
                        }
                        ps.append(d); texts.append(numberText(.real(d)))
                    }
                    continue
                }
                guard let d = c.asDouble, d >= 0, d <= 100 else { throw Diagnostic(Msg.valueOutOfRange("function '\(name)'", "a percentile must be a number from 0 to 100"), args[k].range) }
                ps.append(d); texts.append(numberText(c))
            }
            let t = x.type, xa = x, percents = ps
            let outType: KustoType = t == .int ? .long : t == .decimal ? .real : t
            if name == "percentiles_array" {
                return AggregateSpec(name: name, args: [xa], outputs: [("percentiles_\(argName(0))", .dynamic)],
                                     make: { PercentileState(type: t, percents: percents, asArray: true) })
            }
            return AggregateSpec(name: name, args: [xa], outputs: texts.map { ("percentile_\(argName(0))_\($0)", outType) },
                                 make: { PercentileState(type: t, percents: percents, asArray: false) })
        case "make_list", "make_set", "make_list_if", "make_set_if":
            let cond = name.hasSuffix("_if")
            try count(cond ? 2 : 1, cond ? 3 : 2)
            var limit = 1_048_576
            let limitIndex = cond ? 2 : 1
            if args.count > limitIndex, let l = try arg(limitIndex).constant?.asInt { limit = Int(clamping: l) }
            let argsBound = cond ? [try arg(0), try predicate(1)] : [try arg(0)]
            let prefix = name.hasPrefix("make_list") ? "list" : "set"
            let lim = limit
            return AggregateSpec(name: name, args: argsBound, outputs: [("\(prefix)_\(argName(0))", .dynamic)],
                                 make: { ListState(distinct: prefix == "set", limit: lim, conditional: cond) })
        case "make_bag":
            try count(1, 2)
            return AggregateSpec(name: name, args: [try arg(0)], outputs: [("bag_\(argName(0))", .dynamic)], make: { MakeBagState() })
        case "take_any", "any":
            try count(1, 64)
            var exprs: [BoundExpr] = [], outs: [(String, KustoType)] = []
            for (k, a) in args.enumerated() {
                if case .star = a.kind {
                    for (n, t) in zip(rel.names, rel.types) { exprs.append(ColumnRef(name: n, type: t, range: a.range)); outs.append((name == "any" ? "any_" + n : n, t)) }
                    continue
                }
                let e = try arg(k)
                // The deprecated any() prefixes its columns with any_ (Kusto's docs); take_any() does not.
                let derived = b.derivedName(a).map { name == "any" ? "any_" + $0 : $0 }
                exprs.append(e); outs.append((derived ?? "\(name)_", e.type))
            }
            let types = outs.map(\.1)
            return AggregateSpec(name: name, args: exprs, outputs: outs, make: { TakeAnyState(types: types) })
        case "arg_max", "arg_min":
            try count(1, 64)
            let key = try arg(0)
            var exprs: [BoundExpr] = [key]
            var outs: [(String, KustoType)] = [(argName(0).isEmpty ? "\(name == "arg_max" ? "max" : "min")_" : argName(0), key.type)]
            for (k, a) in args.enumerated().dropFirst() {
                if case .star = a.kind {
                    for (n, t) in zip(rel.names, rel.types) where n != argName(0) {
                        exprs.append(ColumnRef(name: n, type: t, range: a.range)); outs.append((n, t))
                    }
                    continue
                }
                let e = try arg(k)
                exprs.append(e); outs.append((b.derivedName(a) ?? "Column\(k)", e.type))
            }
            let types = outs.map(\.1)
            return AggregateSpec(name: name, args: exprs, outputs: outs, make: { ArgExtremeState(isMax: name == "arg_max", types: types) })
        case "stdev", "stdevp", "variance", "variancep", "stdevif", "varianceif":
            let cond = name.hasSuffix("if")
            try count(cond ? 2 : 1, cond ? 2 : 1)
            var x = try arg(0)
            try numeric(x, 0)
            // A dynamic argument reads as todouble, as sum's does (its text column has no doubles to index).
            if x.type == .dynamic { x = try ScalarFunctions.table["todouble"]!.bind([x], x.range) }
            let argsBound = cond ? [x, try predicate(1)] : [x]
            let isSqrt = name.hasPrefix("stdev"), pop = name.hasSuffix("p")
            return AggregateSpec(name: name, args: argsBound, outputs: [("\(name)_\(argName(0))", .real)],
                                 make: { VarianceState(sqrt: isSqrt, population: pop, conditional: cond) })
        default:
            throw Diagnostic(Msg.unknownFunction(name), r)
        }
    }
}
