import LogStore

/// Expands dynamic arrays/bags into rows; `items` replace same-named input columns or are appended.
struct MvExpandNode: UnaryPlan {
    var input: any LogicalPlan
    var items: [(name: String, expr: BoundExpr, type: KustoType)]
    var itemIndex: String?
    var bagAsArray: Bool
    var limit: Int
    var names: [String]
    var types: [KustoType]

    func mapExpressions(_ f: (BoundExpr, Int) -> BoundExpr) -> any LogicalPlan {
        var copy = self
        copy.items = items.map { ($0.name, f($0.expr, 0), $0.type) }
        return copy
    }
    func explainLine(_ store: Store) -> String { "MvExpand [\(items.map(\.name).joined(separator: ", "))]" }
}

/// `parse`: one regex match per row fills the new columns (null or "" when it does not match).
struct ParseNode: UnaryPlan {
    var input: any LogicalPlan
    var source: BoundExpr
    var regex: KQLRegex
    var columns: [(String, KustoType)]
    var names: [String]
    var types: [KustoType]

    func mapExpressions(_ f: (BoundExpr, Int) -> BoundExpr) -> any LogicalPlan {
        var copy = self
        copy.source = f(source, 0)
        return copy
    }
    func explainLine(_ store: Store) -> String { "Parse [\(columns.map(\.0).joined(separator: ", "))]" }
}
