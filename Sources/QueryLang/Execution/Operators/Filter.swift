import Foundation
import LogStore

/// Keeps the rows where the predicate is exactly true; a batch that passes whole is emitted as is.
struct FilterOperator: PhysicalOperator {
    let ex: QueryExecutor
    let input: any PhysicalOperator
    let predicate: BoundExpr

    func run(_ emit: (Batch) throws -> Void) throws {
        try input.run { b in
            let sel = try ex.select(predicate, b)
            if sel.isEmpty { return }
            if sel.count == b.count { try emit(b); return }
            try emit(Batch(names: b.names, columns: b.columns.map { $0.gather(sel) }, count: sel.count))
        }
    }
}

extension QueryExecutor {
    /// Rows where the predicate is exactly true.
    func select(_ pred: BoundExpr, _ b: Batch) throws -> [Int32] {
        if options.encodedPredicates, let sel = try selectByDictionary(pred, b) { return sel }
        let p = try pred.eval(b)
        let v = p.int64Values, valid = p.validity
        var sel: [Int32] = []
        sel.reserveCapacity(b.count)
        if let valid = valid {
            for i in 0..<b.count where v[i] != 0 && valid[i] != 0 { sel.append(Int32(i)) }
        } else {
            for i in 0..<b.count where v[i] != 0 { sel.append(Int32(i)) }
        }
        return sel
    }

    /// A predicate over one dictionary-coded string column is evaluated once per distinct value,
    /// then rows are selected by their code: `where name == "A" or name startswith "B"` costs a
    /// table lookup per row, whatever the predicate.
    func selectByDictionary(_ pred: BoundExpr, _ b: Batch) throws -> [Int32]? {
        var names = Set<String>()
        pred.collectNames(into: &names)
        guard names.count == 1, pred.isRowwise, let name = names.first, let col = b.column(named: name), col.dictionaryOnly,
              let codes = col.dictionaryCodes, col.dictionarySize < b.count else { return nil }
        var entries = col
        entries.dictionaryOnly = false; entries.dictionaryCodes = nil; entries.dictionarySize = 0
        let m = entries.count
        let verdict = try pred.eval(Batch(names: [name], columns: [entries], count: m))
        let v = verdict.int64Values, valid = verdict.validity
        let pass = (0..<m).map { v[$0] != 0 && (valid?[$0] ?? 1) != 0 }
        var sel: [Int32] = []
        sel.reserveCapacity(b.count / 4)
        pass.withUnsafeBufferPointer { pass in codes.withUnsafeBufferPointer { c in
            for i in 0..<c.count where pass[Int(c[i])] { sel.append(Int32(i)) }
        } }
        return sel
    }
}
