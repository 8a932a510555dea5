import LogStore

/// Binding of the forms people paste from workbooks and community queries (see
/// `Syntax/QueryForms.swift` for their syntax): tuple names, `column_ifexists`, `x in (T)` with a
/// table name, and user functions' arguments converted to the declared parameter types.
extension Binder {
    /// `(a, b, c) = percentiles(x, 50, 90, 99)`: the k-th name is the k-th output column's.
    func nameByTuple(_ names: [(String, SourceRange)], _ spec: inout AggregateSpec, _ r: SourceRange) throws {
        guard names.count == spec.outputs.count else {
            let at = names.dropFirst().reduce(names[0].1) { $0 + $1.1 }
            throw Diagnostic(Msg.tupleArity(spec.name + "()", names: names.count, columns: spec.outputs.count), at)
        }
        for k in names.indices { spec.outputs[k].0 = names[k].0 }
    }

    /// An expression over aggregates gives one column: `(a) = count() * 2` names it, more names are an error.
    func singleTupleName(_ a: NamedExpr) throws -> NamedExpr {
        guard let names = a.tuple else { return a }
        guard names.count == 1 else {
            throw Diagnostic(Msg.tupleArity("an expression over aggregates", names: names.count, columns: 1), names.dropFirst().reduce(names[0].1) { $0 + $1.1 })
        }
        return NamedExpr(name: names[0].0, nameRange: names[0].1, expr: a.expr)
    }

    /// `column_ifexists(name, default)`: the column when the input has it, else the default,
    /// decided when the query is bound (the name must be a constant string).
    func bindColumnIfExists(_ args: [Expr], _ rel: Relation, _ r: SourceRange) throws -> BoundExpr {
        guard args.count == 2 else { throw Diagnostic(Msg.argumentCount("column_ifexists", "2", args.count), r) }
        if case .name = args[0].kind { throw Diagnostic(Msg.constantRequired("the column name of column_ifexists"), args[0].range) }
        let n = try bindExpr(args[0], Relation(names: [], types: []))
        guard case .string(let name)? = n.constant else { throw Diagnostic(Msg.constantRequired("the column name of column_ifexists"), args[0].range) }
        if let i = rel.index(name) { return ColumnRef(name: name, type: rel.types[i], range: r) }
        return try bindExpr(args[1], rel)
    }

    /// In `x in (T)`, a name that is no column or scalar but a table (a let-bound tabular
    /// expression, a table of the store) is that table's first column, as `x in (T | …)` is.
    func tableAsSubquery(_ item: Expr) -> Expr {
        guard case .name(let n) = item.kind, scalars[n] == nil, isTabularName(n) else { return item }
        return Expr(kind: .subquery(Pipeline(source: .table(n), sourceRange: item.range, operators: [], range: item.range)), range: item.range)
    }

    /// A user function's argument, converted to its declared parameter type as Kusto does: a
    /// number converts to the parameter's numeric type (`x:real` given 3 computes in reals,
    /// `x:long` given 2.7 is 2), a bare `null` becomes a null of that type, and a dynamic
    /// parameter takes anything; any other mismatch is the caller's error.
    func convertedArgument(_ fn: String, _ p: QueryParameter, _ e: BoundExpr) throws -> BoundExpr {
        if e.type == p.type || p.type == .dynamic { return e }
        if e.type == .dynamic, e.constant?.isNull == true { return Constant(.null, type: p.type, range: e.range) }
        if p.type.isNumeric && e.type.isNumeric {
            let conversion: String
            switch p.type {
            case .int: conversion = "toint"
            case .long: conversion = "tolong"
            case .decimal: conversion = "todecimal"
            default: conversion = "toreal"
            }
            if let def = ScalarFunctions.table[conversion] { return fold(try def.bind([e], e.range)) }
        }
        throw Diagnostic(Msg.argumentType(fn, "parameter '\(p.name)' takes a \(p.type.name), got \(e.type.name)"), e.range)
    }
}
