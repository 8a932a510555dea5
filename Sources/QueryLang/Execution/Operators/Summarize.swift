import Foundation
import LogStore

/// Groups by the keys and aggregates. Over a table (or a filter over one) each worker aggregates
/// its own segments and the partials are merged in segment order; otherwise batches are
/// aggregated as they come. Groups come out in order of first appearance either way.
struct SummarizeOperator: PhysicalOperator {
    let ex: QueryExecutor
    let node: SummarizeNode
    let input: any PhysicalOperator

    func run(_ emit: (Batch) throws -> Void) throws {
        let (keys, aggs) = (node.keys, node.aggregates)
        var groups = GroupTable()
        var states = aggs.map { $0.make() }
        if let (g, st) = try ex.parallelSummarize(node.input, keys: keys, aggs: aggs) {
            groups = g; states = st
        } else {
            if keys.isEmpty { _ = try groups.assign([], count: 0) }
            try input.run { b in
                try ex.checkDeadline()
                let keyCols = try keys.map { try $0.1.eval(b) }
                let ids = try groups.assign(keyCols, count: b.count)
                for (k, a) in aggs.enumerated() {
                    let args = try a.args.map { try $0.eval(b) }
                    states[k].update(ids, groupCount: groups.count, args)
                }
            }
        }
        let n = groups.count
        var cols: [Column] = []
        for (k, key) in keys.enumerated() { cols.append(.from(groups.keyValues.map { $0[k] }, type: key.1.type)) }
        for s in states { cols.append(contentsOf: s.finish(groupCount: n)) }
        try emit(Batch(names: node.names, columns: cols, count: n))
    }
}

extension QueryExecutor {
    /// summarize over a table: each worker aggregates a contiguous run of segments into its own
    /// groups and states; the partials are merged in segment order, so groups keep the order of
    /// their first appearance, as in a sequential run. Nil when an aggregate cannot merge.
    func parallelSummarize(_ child: any LogicalPlan, keys: [(String, BoundExpr)], aggs: [AggregateSpec]) throws -> (GroupTable, [AggregateState])? {
        guard options.parallelAggregation, !keys.contains(where: { $0.1.type == .dynamic }) else { return nil }
        let probe = aggs.map { $0.make() }
        guard probe.allSatisfy({ $0 is MergeableState }) else { return nil }
        // Key columns used for nothing else are read as dictionary codes, never expanded per row.
        var usedElsewhere = Set<String>()
        for a in aggs { for e in a.args { e.collectNames(into: &usedElsewhere) } }
        for k in keys where !(k.1 is ColumnRef) { k.1.collectNames(into: &usedElsewhere) }
        let codesOnly = Set(keys.compactMap { ($0.1 as? ColumnRef).flatMap { $0.type == .string ? $0.name : nil } }).subtracting(usedElsewhere)
        guard let (segments, read) = try segmentWork(child, dictionaryOnly: codesOnly) else { return nil }
        let w = max(1, min(QueryExecutor.workers, segments.count))
        var partials = [(GroupTable, [AggregateState])?](repeating: nil, count: w)
        var failure: Error? = nil
        let lock = NSLock()
        let budget = self.budget
        DispatchQueue.concurrentPerform(iterations: w) { k in Budget.with(budget) {
            let groups = GroupTable()
            let states = aggs.map { $0.make() }
            do {
                if keys.isEmpty { _ = try groups.assign([], count: 0) }
                for seg in segments[(k * segments.count / w)..<((k + 1) * segments.count / w)] {
                    lock.lock(); let stop = failure != nil; lock.unlock()
                    if stop { return }
                    guard let b = try read(seg) else { continue }
                    let keyCols = try keys.map { try $0.1.eval(b) }
                    let ids = try groups.assign(keyCols, count: b.count)
                    for (j, a) in aggs.enumerated() { states[j].update(ids, groupCount: groups.count, try a.args.map { try $0.eval(b) }) }
                }
                lock.lock(); partials[k] = (groups, states); lock.unlock()
            } catch {
                lock.lock(); if failure == nil { failure = error }; lock.unlock()
            }
        } }
        if let f = failure { throw f }
        if w == 1, let only = partials[0] { return only }
        let groups = GroupTable()
        let states = aggs.map { $0.make() }
        if keys.isEmpty { _ = try groups.assign([], count: 0) }
        let keyTypes = keys.map { $0.1.type }
        for case let (g, st)? in partials {
            let mapping = try groups.absorb(g, keyTypes: keyTypes)
            for (j, s) in st.enumerated() { (states[j] as! MergeableState).merge(s, mapping: mapping, groupCount: groups.count) }
        }
        return (groups, states)
    }
}
