import LogStore

/// Syntax tree, internal to QueryLang: callers see diagnostics and compiled queries, never the tree.
/// Every node keeps its source range for diagnostics.
indirect enum ExprKind: Sendable {
    case name(String)
    case literal(Literal)
    case call(name: String, args: [Expr])
    case binary(op: String, Expr, Expr)
    case unary(op: String, Expr)
    case member(Expr, String)
    case index(Expr, Expr)
    case inList(op: String, Expr, [Expr])
    case between(negated: Bool, Expr, Expr, Expr)
    case star
    case subquery(Pipeline)
}

enum Literal: Sendable {
    case null
    case typedNull(KustoType)
    case bool(Bool)
    case long(Int64)
    case int(Int64)
    case real(Double)
    case string(String)
    case datetime(Int64)
    case timespan(Int64)
    case guid(String)
    case dynamic(JSONValue)
}

struct Expr: Sendable {
    var kind: ExprKind
    var range: SourceRange
}

struct NamedExpr: Sendable {
    var name: String?
    var nameRange: SourceRange?
    var expr: Expr
}

struct SortKey: Sendable {
    var expr: Expr
    var ascending: Bool
    var nullsFirst: Bool
}

enum OperatorKind: Sendable {
    case whereOp(Expr)
    case extend([NamedExpr])
    case project([NamedExpr])
    case projectAway([Expr])
    case projectKeep([Expr])
    case projectRename([(String, String, SourceRange)])
    case projectReorder([Expr])
    case summarize(aggregates: [NamedExpr], by: [NamedExpr])
    case sort([SortKey])
    case top(Expr, [SortKey])
    case take(Expr)
    case count
    case distinct([NamedExpr])
    case union(withSource: String?, [Pipeline])
    case join(kind: JoinKind, right: Pipeline, on: [(Expr, Expr)])
    case lookup(kind: JoinKind, right: Pipeline, on: [(Expr, Expr)])
    case mvExpand([NamedExpr], types: [KustoType?], itemIndex: String?, bagAsArray: Bool, limit: Expr?)
    case parse(source: Expr, pattern: [ParsePart], regex: Bool)
    case makeSeries(aggregates: [NamedExpr], defaults: [Expr?], on: Expr, from: Expr?, to: Expr?, step: Expr, by: [NamedExpr])
    case getschema
    case asOp(String)
    case serialize([NamedExpr])
    case sample(Expr)
    case search(Expr)
    case render(String, [(String, Expr)])
}

enum ParsePart: Sendable {
    case text(String)
    case column(String, KustoType)
    case wildcard
}

struct TabularOperator: Sendable {
    var kind: OperatorKind
    var range: SourceRange
    var name: String
}

indirect enum SourceKind: Sendable {
    case table(String)
    case datatable([ColumnSchema], [Expr])
    case print([NamedExpr])
    case range(String, Expr, Expr, Expr)
    case union(withSource: String?, [Pipeline])
    case subquery(Pipeline)
    case call(String, [Expr])
}

struct Pipeline: Sendable {
    var source: SourceKind
    var sourceRange: SourceRange
    var operators: [TabularOperator]
    var range: SourceRange
}

struct QueryParameter: Sendable {
    var name: String
    var type: KustoType
    var defaultValue: Expr?
    var range: SourceRange
    /// A tabular parameter of a function, `t:(a:long, b:string)` or `t:(*)`: the columns the
    /// argument must have (any others pass through). nil for a scalar parameter.
    var tabularColumns: [ColumnSchema]? = nil
}

enum Statement: Sendable {
    case letScalar(String, Expr, SourceRange)
    case letTabular(String, Pipeline, SourceRange)
    case letFunction(String, [QueryParameter], body: [Statement], SourceRange)
    case declareParameters([QueryParameter])
    case query(Pipeline)
}

struct Script: Sendable {
    var statements: [Statement]
}
