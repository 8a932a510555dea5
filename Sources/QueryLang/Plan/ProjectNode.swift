import LogStore

/// Computes these output columns (in order) from the input; covers project, extend, rename,
/// away, reorder.
struct ProjectNode: UnaryPlan {
    var input: any LogicalPlan
    var columns: [(String, BoundExpr)]

    var names: [String] { columns.map(\.0) }
    var types: [KustoType] { columns.map(\.1.type) }
    func mapExpressions(_ f: (BoundExpr, Int) -> BoundExpr) -> any LogicalPlan {
        ProjectNode(input: input, columns: columns.map { ($0.0, f($0.1, 0)) })
    }
    func explainLine(_ store: Store) -> String { "Project [\(names.joined(separator: ", "))]" }
}
