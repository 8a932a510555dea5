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
    /// Levels of the tree below and including this node (a name is 1). Kept as the tree is built,
    /// from the children's stored heights, so the parser bounds depth without walking (and every
    /// later pass, which recurses, stays within `DepthLimits.maxDepth`).
    let height: Int

    init(kind: ExprKind, range: SourceRange) {
        self.kind = kind; self.range = range
        height = 1 + kind.childHeight
    }
}

extension Expr {
    /// `and` and `or` are associative (also with nulls), so a chain of them is folded into a
    /// balanced tree: 20,000 terms are 15 levels deep for the binder, the planner and the kernels
    /// instead of 20,000. Built iteratively, pairing neighbours, so term order is kept.
    static func balanced(_ op: String, _ terms: [Expr]) -> Expr {
        var level = terms
        while level.count > 1 {
            var next: [Expr] = []
            next.reserveCapacity((level.count + 1) / 2)
            var k = 0
            while k + 1 < level.count {
                let (a, b) = (level[k], level[k + 1])
                next.append(Expr(kind: .binary(op: op, a, b), range: a.range + b.range))
                k += 2
            }
            if k < level.count { next.append(level[k]) }
            level = next
        }
        return level[0]
    }
}

extension ExprKind {
    var childHeight: Int {
        switch self {
        case .name, .literal, .star: return 0
        case .call(_, let args): return args.reduce(0) { max($0, $1.height) }
        case .binary(_, let a, let b): return max(a.height, b.height)
        case .unary(_, let e), .member(let e, _): return e.height
        case .index(let a, let b): return max(a.height, b.height)
        case .inList(_, let x, let items): return items.reduce(x.height) { max($0, $1.height) }
        case .between(_, let a, let b, let c): return max(a.height, b.height, c.height)
        case .subquery(let p): return p.height
        }
    }
}

struct NamedExpr: Sendable {
    var name: String?
    var nameRange: SourceRange?
    var expr: Expr
    /// `(a, b) = f(…)`: one name per output column of an aggregate (summarize only).
    var tuple: [(String, SourceRange)]? = nil
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
    /// Each operator wraps the plan of the ones before it, so a pipeline is as deep as its
    /// operators plus its deepest part (see `Expr.height`).
    var height: Int { operators.count + operators.reduce(source.height) { max($0, $1.kind.height) } }
}

extension Sequence where Element == Expr {
    var height: Int { reduce(0) { Swift.max($0, $1.height) } }
}

extension NamedExpr { var height: Int { expr.height } }

extension SourceKind {
    var height: Int {
        switch self {
        case .table: return 1
        case .datatable(_, let values): return 1 + values.height
        case .print(let items): return 1 + items.map(\.expr).height
        case .range(_, let a, let b, let c): return 1 + [a, b, c].height
        case .union(_, let ps): return 1 + ps.reduce(0) { max($0, $1.height) }
        case .subquery(let p): return 1 + p.height
        case .call(_, let args): return 1 + args.height
        }
    }
}

extension OperatorKind {
    /// The deepest expression or subquery inside one operator.
    var height: Int {
        switch self {
        case .whereOp(let e), .take(let e), .sample(let e), .search(let e): return e.height
        case .extend(let xs), .project(let xs), .distinct(let xs), .serialize(let xs): return xs.map(\.expr).height
        case .projectAway(let es), .projectKeep(let es), .projectReorder(let es): return es.height
        case .projectRename, .count, .getschema, .asOp: return 0
        case .summarize(let aggs, let by): return (aggs + by).map(\.expr).height
        case .sort(let keys): return keys.map(\.expr).height
        case .top(let n, let keys): return max(n.height, keys.map(\.expr).height)
        case .union(_, let ps): return ps.reduce(0) { max($0, $1.height) }
        case .join(_, let right, let on), .lookup(_, let right, let on):
            return on.reduce(right.height) { max($0, $1.0.height, $1.1.height) }
        case .mvExpand(let xs, _, _, _, let limit): return max(xs.map(\.expr).height, limit?.height ?? 0)
        case .parse(let source, _, _): return source.height
        case .makeSeries(let aggs, let defaults, let on, let from, let to, let step, let by):
            return max((aggs + by).map(\.expr).height, defaults.compactMap { $0 }.height, [on, step].height, [from, to].compactMap { $0 }.height)
        case .render(_, let props): return props.map(\.1).height
        }
    }
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
