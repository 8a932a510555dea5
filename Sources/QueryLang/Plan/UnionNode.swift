import LogStore

/// The inputs one after the other, each widened to the union's columns (missing ones are null);
/// `withSource` names a column holding each row's input name.
struct UnionNode: LogicalPlan {
    var inputs: [any LogicalPlan]
    var withSource: String?
    var names: [String]
    var types: [KustoType]
    var sourceNames: [String]

    var children: [any LogicalPlan] { inputs }
    func withChildren(_ children: [any LogicalPlan]) -> any LogicalPlan {
        var copy = self
        copy.inputs = children
        return copy
    }
    func explainLine(_ store: Store) -> String { "Union" }
}
