import LogStore

/// `parse`: one regex match per row fills the new columns, batch by batch.
struct ParseOperator: PhysicalOperator {
    let node: ParseNode
    let input: any PhysicalOperator

    func run(_ emit: (Batch) throws -> Void) throws {
        let (source, regex, columns, names, types) = (node.source, node.regex, node.columns, node.names, node.types)
        try input.run { b in
            let text = try source.eval(b)
            var parsed: [[Value]] = Array(repeating: [], count: columns.count)
            let s = text.byteStrings
            s.bytes.withUnsafeBufferPointer { bytes in
                for i in 0..<b.count {
                    let rg = s.range(text.row(i))
                    let m = regex.firstMatch(bytes.baseAddress.map { $0 + rg.lowerBound }, count: rg.count)
                    for (k, (_, t)) in columns.enumerated() {
                        let captured: String? = m.flatMap { k + 1 < $0.count ? $0[k + 1] : nil }.map { span in
                            String(decoding: bytes[(rg.lowerBound + span.lowerBound)..<(rg.lowerBound + span.upperBound)], as: UTF8.self)
                        }
                        parsed[k].append(captured.map { Convert.parse($0, as: t) } ?? (t == .string ? .string("") : .null))
                    }
                }
            }
            var cols: [Column] = []
            for (name, t) in zip(names, types) {
                if let k = columns.firstIndex(where: { $0.0 == name }) { cols.append(.from(parsed[k], type: t)) }
                else { cols.append(b.column(named: name)!) }
            }
            try emit(Batch(names: names, columns: cols, count: b.count))
        }
    }
}
