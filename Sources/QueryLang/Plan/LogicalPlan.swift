import LogStore

/// A node of the logical plan: what to compute, not how. Nodes are values; a rewrite builds new
/// nodes only where it changes something and rebuilds the path above them (`withChildren`).
///
/// Plan nodes exist once per query, so they are boxed existentials (`any LogicalPlan`); nothing
/// here runs per row.
protocol LogicalPlan {
    /// The output schema, in column order.
    var names: [String] { get }
    var types: [KustoType] { get }
    /// The inputs, left to right (a join's left side first).
    var children: [any LogicalPlan] { get }
    /// This node over other inputs (same count and order as `children`).
    func withChildren(_ children: [any LogicalPlan]) -> any LogicalPlan
    /// This node with every expression it evaluates replaced by `f(expression, input)`, where
    /// `input` is the index of the child the expression reads (a join's right keys read input 1).
    func mapExpressions(_ f: (BoundExpr, Int) -> BoundExpr) -> any LogicalPlan
    /// The node's line in `explain` (without indentation or newline).
    func explainLine(_ store: Store) -> String
}

extension LogicalPlan {
    func mapChildren(_ f: (any LogicalPlan) -> any LogicalPlan) -> any LogicalPlan {
        let cs = children
        return cs.isEmpty ? self : withChildren(cs.map(f))
    }

    func mapExpressions(_ f: (BoundExpr, Int) -> BoundExpr) -> any LogicalPlan { self }

    /// The `render` kind when this node is a render.
    var renderKind: String? { (self as? RenderNode)?.kind }

    /// The plan as `explain` shows it: one line per node, children indented under their parent.
    func explain(_ store: Store) -> String {
        var out = ""
        func walk(_ n: any LogicalPlan, _ depth: Int) {
            out += String(repeating: "  ", count: depth) + n.explainLine(store) + "\n"
            for c in n.children { walk(c, depth + 1) }
        }
        walk(self, 0)
        return out
    }
}

/// A node with one input whose output schema is its input's (filter, sort, take, …).
protocol PassThroughPlan: LogicalPlan {
    var input: any LogicalPlan { get set }
}

extension PassThroughPlan {
    var names: [String] { input.names }
    var types: [KustoType] { input.types }
    var children: [any LogicalPlan] { [input] }
    func withChildren(_ children: [any LogicalPlan]) -> any LogicalPlan {
        var copy = self
        copy.input = children[0]
        return copy
    }
}

/// A node with one input and a schema of its own.
protocol UnaryPlan: LogicalPlan {
    var input: any LogicalPlan { get set }
}

extension UnaryPlan {
    var children: [any LogicalPlan] { [input] }
    func withChildren(_ children: [any LogicalPlan]) -> any LogicalPlan {
        var copy = self
        copy.input = children[0]
        return copy
    }
}
