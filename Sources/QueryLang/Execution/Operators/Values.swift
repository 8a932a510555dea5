import LogStore

/// Rows known at bind time.
struct ValuesOperator: PhysicalOperator {
    let batch: Batch
    func run(_ emit: (Batch) throws -> Void) throws { try emit(batch) }
}
