import LogStore

/// Computes the output columns from each batch (project, extend, rename, …); keeps row order.
struct ProjectOperator: PhysicalOperator {
    let input: any PhysicalOperator
    let columns: [(String, BoundExpr)]

    func run(_ emit: (Batch) throws -> Void) throws {
        let names = columns.map(\.0)
        try input.run { b in
            let out = try columns.map { try $0.1.eval(b) }
            try emit(Batch(names: names, columns: out, count: b.count))
        }
    }
}
