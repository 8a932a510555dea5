import Foundation
import LogStore

public struct ExecutionOptions: Sendable {
    /// Result rows kept before truncation (Kusto's default is 500,000).
    public var maxResultRows = 500_000
    public var truncate = true
    /// Upper bound on rows read from storage; nil: unlimited.
    public var maxRowsScanned: Int? = nil
    /// When the query must have ended (`--timeout`); checked per batch and inside long loops.
    public var deadline: Date? = nil
    /// summarize over a table aggregates per worker and merges (same result and order as sequential).
    public var parallelAggregation = true
    /// Upper bound on the process's resident memory while the query runs; nil: unlimited.
    /// Checked as batches flow (each decoded segment, each batch into a blocking operator), inside
    /// long loops, and before large allocations (see `Budget`).
    public var maxMemoryBytes: Int? = nil
    /// Result size kept before truncation (Kusto's default is 64 MB).
    public var maxResultBytes = 64 << 20
    /// Which side of a join is built into the hash table (the other streams).
    public var joinBuildSide = JoinBuildSide.smaller
    /// Predicates evaluated on encoded data: string lookups in the stored form, one-column string
    /// predicates once per dictionary value, comparisons on dictionary codes. Off only to check
    /// that they change no result.
    public var encodedPredicates = true
    public enum JoinBuildSide: Sendable { case smaller, left, right }
    public init() {}
}

public struct QueryStats: Sendable {
    public var scan = ScanStats()
    public var elapsed: Double = 0
}
