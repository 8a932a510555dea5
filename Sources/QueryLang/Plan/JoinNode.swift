import LogStore

public enum JoinKind: String, Sendable {
    case innerunique, inner, leftouter, rightouter, fullouter, leftanti, rightanti, leftsemi, rightsemi

    /// The same join seen with its inputs exchanged (left kinds become right kinds).
    /// `innerunique` has no mirror: it always deduplicates the original left side.
    var swapped: JoinKind {
        switch self {
        case .leftouter: return .rightouter
        case .rightouter: return .leftouter
        case .leftsemi: return .rightsemi
        case .rightsemi: return .leftsemi
        case .leftanti: return .rightanti
        case .rightanti: return .leftanti
        case .innerunique, .inner, .fullouter: return self
        }
    }
}

/// One output column of a join: which side (0 left, 1 right) and which of its columns.
struct JoinOutput {
    var name: String
    var side: Int
    var source: String
    var type: KustoType
}

/// Which input of a join is built into the hash table (the other streams), and the row
/// estimates the choice was made from.
struct JoinBuild {
    enum Side { case left, right }
    var side: Side
    var leftRows: Int?
    var rightRows: Int?
}

/// Hash join on equal keys; rows whose key has a null never match.
struct JoinNode: LogicalPlan {
    var left: any LogicalPlan
    var right: any LogicalPlan
    var kind: JoinKind
    var leftKeys: [BoundExpr]
    var rightKeys: [BoundExpr]
    var output: [JoinOutput]
    /// Set by the join-side planning step when the query runs (nil: build the right side).
    var build: JoinBuild? = nil

    var names: [String] { output.map(\.name) }
    var types: [KustoType] { output.map(\.type) }
    var children: [any LogicalPlan] { [left, right] }
    func withChildren(_ children: [any LogicalPlan]) -> any LogicalPlan {
        var copy = self
        copy.left = children[0]; copy.right = children[1]
        return copy
    }
    func mapExpressions(_ f: (BoundExpr, Int) -> BoundExpr) -> any LogicalPlan {
        var copy = self
        copy.leftKeys = leftKeys.map { f($0, 0) }
        copy.rightKeys = rightKeys.map { f($0, 1) }
        return copy
    }
    func explainLine(_ store: Store) -> String {
        func rows(_ e: Int?) -> String { e.map { "≤\($0)" } ?? "?" }
        let side = build?.side == .left ? "left" : "right"
        return "Join \(kind.rawValue) (hash on the \(side) side; rows \(rows(build?.leftRows)) left, \(rows(build?.rightRows)) right)"
    }
}
