import LogStore

/// Reads a stored table: the request says which columns, which time window and which predicates
/// the storage may use to skip segments.
struct ScanNode: LogicalPlan {
    var table: String
    var schema: TableSchema
    var request: ScanRequest

    var columns: [String] { request.columns ?? schema.columns.map(\.name) }
    var names: [String] { columns }
    var types: [KustoType] { columns.map { n in schema.column(named: n)?.type ?? .string } }
    var children: [any LogicalPlan] { [] }
    func withChildren(_ children: [any LogicalPlan]) -> any LogicalPlan { self }

    func explainLine(_ store: Store) -> String {
        let r = request
        var out = "Scan \(table) columns=[\(columns.map { $0.replacingOccurrences(of: "\u{1F}", with: ".") }.joined(separator: ", "))]"
        if r.timeFrom != nil || r.timeTo != nil {
            out += " time=[\(r.timeFrom.map(Ticks.formatDatetime) ?? "-inf") .. \(r.timeTo.map(Ticks.formatDatetime) ?? "+inf"))"
        }
        if !r.predicates.isEmpty { out += " predicates=\(r.predicates.map { "\($0)" }.joined(separator: "; "))" }
        if let p = try? store.plan(table, r) { out += " segments: \(p.kept.count) kept, \(p.pruned) pruned" }
        return out
    }
}

/// Rows known when the query is bound: datatable, print, range, a materialized table.
struct ValuesNode: LogicalPlan {
    var batch: Batch

    var names: [String] { batch.names }
    var types: [KustoType] { batch.columns.map(\.type) }
    var children: [any LogicalPlan] { [] }
    func withChildren(_ children: [any LogicalPlan]) -> any LogicalPlan { self }
    func explainLine(_ store: Store) -> String { "Values rows=\(batch.count) columns=[\(batch.names.joined(separator: ", "))]" }
}
