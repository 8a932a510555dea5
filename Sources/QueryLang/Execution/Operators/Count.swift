import LogStore

/// One row: how many rows its input has. Holds only the count.
struct CountOperator: PhysicalOperator {
    let input: any PhysicalOperator

    func run(_ emit: (Batch) throws -> Void) throws {
        var n: Int64 = 0
        try input.run { n += Int64($0.count) }
        try emit(Batch(names: ["Count"], columns: [.ints(.long, [n])], count: 1))
    }
}
