import LogStore

/// Expands dynamic arrays and bags into rows, batch by batch, keeping the input's order.
struct MvExpandOperator: PhysicalOperator {
    let ex: QueryExecutor
    let node: MvExpandNode
    let input: any PhysicalOperator

    /// Output rows per emitted batch: one row whose array has 10M elements comes out in chunks,
    /// with the budgets checked between them, instead of as one batch built whole.
    static let chunkRows = 1 << 16

    func run(_ emit: (Batch) throws -> Void) throws {
        let (items, itemIndex, bagAsArray, limit, names, types) = (node.items, node.itemIndex, node.bagAsArray, node.limit, node.names, node.types)
        let chunk = MvExpandOperator.chunkRows
        try input.run { b in
            let values = try items.map { try $0.expr.eval(b) }
            var rowOf: [Int32] = [], index: [Int64] = []
            var expanded: [[Value]] = Array(repeating: [], count: items.count)
            func flush() throws {
                if rowOf.isEmpty { return }
                var cols: [Column] = []
                for (name, t) in zip(names, types) {
                    if let m = items.firstIndex(where: { $0.name == name }) { cols.append(.from(expanded[m], type: t)) }
                    else if name == itemIndex { cols.append(.ints(.long, index)) }
                    else { cols.append(b.column(named: name)!.gather(rowOf)) }
                }
                let out = Batch(names: names, columns: cols, count: rowOf.count)
                rowOf.removeAll(keepingCapacity: true); index.removeAll(keepingCapacity: true)
                for m in expanded.indices { expanded[m].removeAll(keepingCapacity: true) }
                try emit(out)
                try ex.checkDeadline()
            }
            for i in 0..<b.count {
                let lists: [[JSONValue]?] = values.map { c in
                    let v = c.value(i)
                    guard case .dynamic(let j) = v else { return [.null] }
                    switch j {
                    case .null: return [.null]
                    case .array(let a): return a
                    case .object(let kv): return kv.map { bagAsArray ? .array([.string($0.0), $0.1]) : .object([($0.0, $0.1)]) }
                    default: return [j]
                    }
                }
                let n = min(lists.map { $0?.count ?? 0 }.max() ?? 0, limit)
                for k in 0..<n {
                    if rowOf.count >= chunk { try flush() }
                    rowOf.append(Int32(i)); index.append(Int64(k))
                    for (m, l) in lists.enumerated() {
                        let j = l.flatMap { k < $0.count ? $0[k] : nil } ?? .null
                        expanded[m].append(MvExpand.cast(j, to: items[m].type))
                    }
                }
            }
            try flush()
        }
    }
}

enum MvExpand {
    /// `to typeof(T)` only casts: an element that is not already a T becomes null.
    static func cast(_ j: JSONValue, to t: KustoType) -> Value {
        switch (t, j) {
        case (.dynamic, .null): return .dynamic(.null)
        case (.dynamic, _): return .dynamic(j)
        case (_, .null): return .null
        case (.long, .int(let v)), (.int, .int(let v)): return .long(v)
        case (.real, .real(let v)), (.decimal, .real(let v)): return .real(v)
        case (.real, .int(let v)), (.decimal, .int(let v)): return .real(Double(v))
        case (.bool, .bool(let v)): return .bool(v)
        case (.string, .string(let s)), (.guid, .string(let s)): return .string(s)
        case (.datetime, .string(let s)): return Ticks.parseDatetime(s).map { .datetime($0) } ?? .null
        case (.timespan, .string(let s)): return Ticks.parseTimespan(s).map { .timespan($0) } ?? .null
        case (.string, _): return .string("")
        default: return .null
        }
    }
}
