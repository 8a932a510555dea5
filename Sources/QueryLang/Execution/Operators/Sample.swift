import LogStore

/// `sample N`: reservoir sampling, so every row of the stream ends up in the sample with
/// probability N / rows. Holds its input's batches until the end.
struct SampleOperator: PhysicalOperator {
    let node: SampleNode
    let input: any PhysicalOperator

    func run(_ emit: (Batch) throws -> Void) throws {
        let n = node.count
        var parts: [Batch] = []
        var picks: [(part: Int, row: Int)] = []
        var seen = 0
        var rng = SystemRandomNumberGenerator()
        try input.run { b in
            parts.append(b)
            for i in 0..<b.count {
                seen += 1
                if picks.count < n { picks.append((parts.count - 1, i)) }
                else { let j = Int.random(in: 0..<seen, using: &rng); if j < n { picks[j] = (parts.count - 1, i) } }
            }
        }
        var cols = node.types.map { Column.nulls($0, count: 0) }
        for (p, b) in parts.enumerated() {
            let rows = picks.filter { $0.part == p }.map { Int32($0.row) }
            if rows.isEmpty { continue }
            for k in 0..<cols.count { cols[k].append(b.columns[k].gather(rows)) }
        }
        try emit(Batch(names: node.names, columns: cols, count: picks.count))
    }
}
