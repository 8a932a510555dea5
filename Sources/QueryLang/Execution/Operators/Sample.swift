import LogStore

/// `sample N`: reservoir sampling, so every row of the stream ends up in the sample with
/// probability N / rows. Holds the batches that still have a picked row: whenever the held rows
/// pass a few times N, the picked rows are gathered into one batch and the rest let go, so a
/// sample of a long stream holds O(N) rows, not the stream.
struct SampleOperator: PhysicalOperator {
    let node: SampleNode
    let input: any PhysicalOperator

    func run(_ emit: (Batch) throws -> Void) throws {
        let n = node.count
        var parts: [Batch] = []
        var picks: [(part: Int, row: Int)] = []
        var seen = 0, held = 0
        // Seeded once from the system: SystemRandomNumberGenerator is a system call per row.
        var system = SystemRandomNumberGenerator()
        var rng = SplitMix64(seed: system.next())
        let compactAt = max(4 &* max(n, 0), 1 << 16)  // checked: n is a row count; 4n wraps only past 2^61 rows
        func gatherPicks() -> Batch {
            var byPart = [[Int]](repeating: [], count: parts.count)
            for (j, p) in picks.enumerated() { byPart[p.part].append(j) }
            var cols = node.types.map { Column.nulls($0, count: 0) }
            var out = 0
            for (p, b) in parts.enumerated() where !byPart[p].isEmpty {
                let rows = byPart[p].map { Int32(picks[$0].row) }
                for k in 0..<cols.count { cols[k].append(b.columns[k].gather(rows)) }
                for j in byPart[p] { picks[j] = (0, out); out += 1 }
            }
            return Batch(names: node.names, columns: cols, count: out)
        }
        try input.run { b in
            parts.append(b)
            held += b.count
            for i in 0..<b.count {
                seen += 1
                if picks.count < n { picks.append((parts.count - 1, i)) }
                else { let j = Int.random(in: 0..<seen, using: &rng); if j < n { picks[j] = (parts.count - 1, i) } }
            }
            if held > compactAt && parts.count > 1 {
                let kept = gatherPicks()
                parts = [kept]
                held = kept.count
            }
        }
        // The sample in pick order, as before compaction existed: gathered part by part.
        var cols = node.types.map { Column.nulls($0, count: 0) }
        for (p, b) in parts.enumerated() {
            let rows = picks.filter { $0.part == p }.map { Int32($0.row) }
            if rows.isEmpty { continue }
            for k in 0..<cols.count { cols[k].append(b.columns[k].gather(rows)) }
        }
        try emit(Batch(names: node.names, columns: cols, count: picks.count))
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a fast, well-mixed generator for sampling decisions.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15  // checked: the generator's arithmetic is modulo 2^64
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
