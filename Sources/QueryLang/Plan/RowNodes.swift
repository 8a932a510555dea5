import LogStore

/// The first `count` rows of the input, in the input's order.
struct TakeNode: PassThroughPlan {
    var input: any LogicalPlan
    var count: Int
    func explainLine(_ store: Store) -> String { "Take \(count)" }
}

/// `sample N`: N rows drawn uniformly at random (reservoir sampling over the stream).
struct SampleNode: PassThroughPlan {
    var input: any LogicalPlan
    var count: Int
    func explainLine(_ store: Store) -> String { "Sample \(count)" }
}

/// One row, `Count`: the input's row count.
struct CountNode: UnaryPlan {
    var input: any LogicalPlan
    var names: [String] { ["Count"] }
    var types: [KustoType] { [.long] }
    func explainLine(_ store: Store) -> String { "Count" }
}

/// One batch in a fixed order, so row functions (row_number, prev, next, row_cumsum) see every row.
struct SerializeNode: PassThroughPlan {
    var input: any LogicalPlan
    func explainLine(_ store: Store) -> String { "Serialize" }
}

/// The input unchanged; the kind is the result's chart.
struct RenderNode: PassThroughPlan {
    var input: any LogicalPlan
    var kind: String
    func explainLine(_ store: Store) -> String { "Render \(kind)" }
}
