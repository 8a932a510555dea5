import LogStore

/// Each input in turn, its batches widened to the union's columns (absent ones null).
struct UnionOperator: PhysicalOperator {
    let node: UnionNode
    let inputs: [any PhysicalOperator]

    func run(_ emit: (Batch) throws -> Void) throws {
        let (ws, names, types, srcNames) = (node.withSource, node.names, node.types, node.sourceNames)
        for (k, c) in inputs.enumerated() {
            try c.run { b in
                var cols: [Column] = []
                for (name, t) in zip(names, types) {
                    if let ws = ws, name == ws && !b.names.contains(ws) {
                        cols.append(.constant(.string(srcNames[k]), type: .string, count: b.count)); continue
                    }
                    if let col = b.column(named: name) { cols.append(col.type == t ? col : col.converted(to: t)) }
                    else { cols.append(.nulls(t, count: b.count)) }
                }
                try emit(Batch(names: names, columns: cols, count: b.count))
            }
        }
    }
}
