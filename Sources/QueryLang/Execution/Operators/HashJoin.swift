import LogStore

/// Hash join: one input is built into a table, the other streams through it (the probe side).
/// Either input can be built (`JoinNode.build`): building the left one swaps the inputs, the
/// kind (left kinds become right kinds) and the output columns' sides, as DataFusion's
/// `swap_inputs` does, and runs the same code. Rows whose key has a null never match.
///
/// Output order: per probe batch, each probe row with its build matches in build order; then the
/// build rows that only the build side yields (unmatched rows of outer joins, semi, anti).
/// Memory: the build side, concatenated, and a flag per build row. Budgets are checked per
/// batch of either side.
struct HashJoin: PhysicalOperator {
    let ex: QueryExecutor
    let node: JoinNode
    let left: any PhysicalOperator
    let right: any PhysicalOperator

    /// One side of the join as the shared code sees it.
    struct Input {
        let op: any PhysicalOperator
        let plan: any LogicalPlan
        let keys: [BoundExpr]
    }

    func run(_ emit: (Batch) throws -> Void) throws {
        let l = Input(op: left, plan: node.left, keys: node.leftKeys), r = Input(op: right, plan: node.right, keys: node.rightKeys)
        let keyTypes = zip(node.leftKeys, node.rightKeys).map { TypeWidening.widened($0.type, $1.type) }
        // innerunique keeps each key's first LEFT row: that dedupes the probe side when the right
        // side is built, the build side once the inputs are swapped.
        let unique = node.kind == .innerunique
        if node.build?.side == .left {
            let flipped = node.output.map { o in JoinOutput(name: o.name, side: 1 - o.side, source: o.source, type: o.type) }
            try join(build: l, probe: r, kind: node.kind.swapped, uniqueBuild: unique, uniqueProbe: false, output: flipped, keyTypes: keyTypes, emit)
        } else {
            try join(build: r, probe: l, kind: node.kind, uniqueBuild: false, uniqueProbe: unique, output: node.output, keyTypes: keyTypes, emit)
        }
    }

    /// The join with the probe side in the left role: `kind` and the output's sides (0 probe,
    /// 1 build) are as seen from the probe side.
    func join(build: Input, probe: Input, kind: JoinKind, uniqueBuild: Bool, uniqueProbe: Bool, output: [JoinOutput],
              keyTypes: [KustoType], _ emit: (Batch) throws -> Void) throws {
        var parts: [Batch] = []
        try build.op.run { try ex.checkDeadline(); parts.append($0) }
        // The build table: the side concatenated, its keys, group ids, row lists and flags.
        let buildRows = parts.reduce(0) { $0 &+ $1.count }, held = parts.reduce(0) { $0 &+ $1.approximateBytes }
        try ex.reserve(Budget.bytes(buildRows, 32).map { $0 &+ held &* 2 }, "the join's build side of \(buildRows) rows")  // checked: sizes of batches in memory
        let B = QueryExecutor.concat(parts, names: build.plan.names, types: build.plan.types)
        parts = []
        func keys(_ exprs: [BoundExpr], _ b: Batch) throws -> ([Column], [Bool]) { try HashJoin.joinKeys(exprs, keyTypes, b) }
        let table = GroupTable()
        let (bcols, bnull) = try keys(build.keys, B)
        let bids = try table.assign(bcols, count: B.count)
        let groups = table.count
        // Build rows per key, as offsets into one array, in build order; with `uniqueBuild` only
        // each key's first build row.
        var start = [Int](repeating: 0, count: groups + 1)
        var kept = bnull.map { !$0 }
        if uniqueBuild {
            var seen = [Bool](repeating: false, count: groups)
            for (i, g) in bids.enumerated() where kept[i] { if seen[Int(g)] { kept[i] = false } else { seen[Int(g)] = true } }
        }
        for (i, g) in bids.enumerated() where kept[i] { start[Int(g) + 1] += 1 }
        for g in 0..<groups { start[g + 1] += start[g] }
        var fill = start
        var rows = [Int32](repeating: 0, count: start[groups])
        for (i, g) in bids.enumerated() where kept[i] { rows[fill[Int(g)]] = Int32(i); fill[Int(g)] += 1 }
        var buildMatched = [Bool](repeating: false, count: B.count)
        var probeSeen = [Bool](repeating: false, count: uniqueProbe ? groups : 0)

        func gather(_ P: Batch, _ pi: [Int32], _ bi: [Int32]) -> Batch {
            let cols = output.map { o -> Column in
                if o.side == 0 { return P.column(named: o.source)!.gatherOrNull(pi) }
                return B.column(named: o.source)!.gatherOrNull(bi)
            }
            return Batch(names: output.map(\.name), columns: cols, count: pi.count)
        }

        try probe.op.run { b in
            try ex.checkDeadline()
            let (pcols, pnull) = try keys(probe.keys, b)
            let pids = try table.assign(pcols, count: b.count)
            var pi: [Int32] = [], bi: [Int32] = []
            // Matches go out in chunks: a key with many matches on both sides (a cartesian join)
            // then never builds one huge batch, and the budgets are checked between chunks.
            func flush() throws {
                if kind == .leftsemi || kind == .leftanti { bi = pi }
                if !pi.isEmpty && kind != .rightsemi && kind != .rightanti { try emit(gather(b, pi, bi)) }
                pi.removeAll(keepingCapacity: true); bi.removeAll(keepingCapacity: true)
            }
            for i in 0..<b.count {
                if pi.count >= HashJoin.chunkRows { try flush(); try ex.checkDeadline() }
                let g = Int(pids[i])
                let matched = !pnull[i] && g < groups && start[g + 1] > start[g]
                switch kind {
                case .innerunique, .inner, .leftouter, .rightouter, .fullouter:
                    if matched {
                        if uniqueProbe { if probeSeen[g] { continue }; probeSeen[g] = true }
                        for k in start[g]..<start[g + 1] {
                            // One probe row meeting a million build rows flushes mid-key too.
                            if pi.count >= HashJoin.chunkRows { try flush(); try ex.checkDeadline() }
                            let r = rows[k]
                            buildMatched[Int(r)] = true
                            pi.append(Int32(i)); bi.append(r)
                        }
                    } else if kind == .leftouter || kind == .fullouter {
                        pi.append(Int32(i)); bi.append(-1)
                    }
                case .leftsemi: if matched { pi.append(Int32(i)) }
                case .leftanti: if !matched { pi.append(Int32(i)) }
                case .rightsemi, .rightanti:
                    if matched { for k in start[g]..<start[g + 1] { buildMatched[Int(rows[k])] = true } }
                }
            }
            try flush()
        }
        if kind == .rightouter || kind == .fullouter || kind == .rightsemi || kind == .rightanti {
            var bi: [Int32] = []
            for r in 0..<B.count where kind == .rightsemi ? buildMatched[r] : !buildMatched[r] { bi.append(Int32(r)) }
            let pi = [Int32](repeating: -1, count: bi.count)
            let empty = Batch(names: probe.plan.names, columns: probe.plan.types.map { .nulls($0, count: 0) }, count: 0)
            if !bi.isEmpty { try emit(gather(empty, pi, bi)) }
        }
    }

    /// A join side's key columns (as the widened key types) and which rows have a null key.
    /// Output rows gathered before they are emitted (and the budgets checked again).
    static let chunkRows = 1 << 16

    static func joinKeys(_ exprs: [BoundExpr], _ keyTypes: [KustoType], _ b: Batch) throws -> ([Column], [Bool]) {
        let cols = try zip(exprs, keyTypes).map { e, t -> Column in let c = try e.eval(b); return c.type == t ? c : c.converted(to: t) }
        var hasNull = [Bool](repeating: false, count: b.count)
        for c in cols where c.validity != nil || c.type == .dynamic { for i in 0..<b.count where c.isNull(i) { hasNull[i] = true } }
        return (cols, hasNull)
    }
}

extension Column {
    /// Rows picked by index; -1 gives a null (an empty string for strings).
    func gatherOrNull(_ rows: [Int32]) -> Column {
        if !rows.contains(-1) { return gather(rows) }
        let base = count > 0 ? gather(rows.map { max($0, 0) }) : Column.nulls(type, count: rows.count)
        if count == 0 { return base }
        switch base.storage {
        case .bytes(let s):
            var out = ByteStrings()
            for (k, r) in rows.enumerated() { if r < 0 { out.appendEmpty() } else { out.append(s[k]) } }
            return Column(type: type, storage: .bytes(out), validity: nil)
        default:
            var valid = base.validity ?? [UInt8](repeating: 1, count: rows.count)
            for (k, r) in rows.enumerated() where r < 0 { valid[k] = 0 }
            var c = base
            c.validity = valid
            return c
        }
    }
}
