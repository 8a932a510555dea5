import LogStore

/// Its input as one batch, in order, for row functions (row_number, prev, next, row_cumsum).
struct SerializeOperator: PhysicalOperator {
    let node: SerializeNode
    let input: any PhysicalOperator

    func run(_ emit: (Batch) throws -> Void) throws {
        var parts: [Batch] = []
        try input.run { parts.append($0) }
        try emit(QueryExecutor.concat(parts, names: node.names, types: node.types))
    }
}
