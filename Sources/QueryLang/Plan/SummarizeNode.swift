import LogStore

/// An aggregate call in a summarize: its state factory, its arguments, and its output columns.
struct AggregateSpec {
    var name: String
    var args: [BoundExpr]
    var outputs: [(String, KustoType)]
    var make: () -> AggregateState
}

/// Groups by the keys (in order of first appearance) and computes the aggregates per group.
struct SummarizeNode: UnaryPlan {
    var input: any LogicalPlan
    var keys: [(String, BoundExpr)]
    var aggregates: [AggregateSpec]

    var names: [String] { keys.map(\.0) + aggregates.flatMap { $0.outputs.map(\.0) } }
    var types: [KustoType] { keys.map(\.1.type) + aggregates.flatMap { $0.outputs.map(\.1) } }
    func mapExpressions(_ f: (BoundExpr, Int) -> BoundExpr) -> any LogicalPlan {
        let aggs = aggregates.map { a -> AggregateSpec in var b = a; b.args = a.args.map { f($0, 0) }; return b }
        return SummarizeNode(input: input, keys: keys.map { ($0.0, f($0.1, 0)) }, aggregates: aggs)
    }
    func explainLine(_ store: Store) -> String {
        "Summarize by=[\(keys.map(\.0).joined(separator: ", "))] aggregates=[\(aggregates.map { $0.outputs.map(\.0).joined(separator: ", ") }.joined(separator: ", "))]"
    }
}

/// `make-series`: the input summarizes by the keys and the axis bin; this turns each key's rows
/// into arrays over the bins from `start` to `end` (absent bins get the aggregate's default).
struct MakeSeriesSpec {
    var keyCount: Int
    var aggregateCount: Int
    var start: Value?
    var end: Value?
    /// The bin width in the axis's units (ticks for datetime and timespan).
    var step: Double
    var axisType: KustoType
    var defaults: [Value]
    var names: [String]
    var types: [KustoType]
}

struct MakeSeriesNode: UnaryPlan {
    var input: any LogicalPlan
    var spec: MakeSeriesSpec

    var names: [String] { spec.names }
    var types: [KustoType] { spec.types }
    func explainLine(_ store: Store) -> String { "MakeSeries [\(spec.names.joined(separator: ", "))]" }
}
