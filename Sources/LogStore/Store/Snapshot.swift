import Foundation

/// One catalog state for a whole query: every scan of a query (union inputs, join sides,
/// subqueries, `materialize`, `toscalar`) lists its segments through the same snapshot, so a batch
/// that wrote two tables in one transaction is seen in both or in neither.
///
/// It is a read transaction on a connection of its own (WAL keeps a reader on the state it
/// started from while writers commit), opened when the snapshot is taken and ended when it is
/// released. A connection of its own, not the store's: a transaction held open on the store's
/// connection would block that process's own writer. Take it while holding a `ReadLease`, so that
/// the files it lists outlive it.
public final class StoreSnapshot: @unchecked Sendable {
    let store: Store
    let catalog: Catalog
    let lock = NSLock()
    private var cache: [String: [SegmentInfo]] = [:]

    init(store: Store) throws {
        self.store = store
        catalog = try Catalog(path: store.path + "/" + Store.catalogName, readOnly: true, immutable: store.immutable)
        try catalog.db.exec("BEGIN")
        // A deferred transaction takes its snapshot at its first read: read now, not at the first scan.
        _ = try catalog.db.prepare("SELECT count(*) FROM segments").rows { $0.int(0) }
    }

    deinit { try? catalog.db.exec("ROLLBACK") }

    /// The table's segments in this snapshot (empty for a table it does not hold).
    public func segments(of table: String) throws -> [SegmentInfo] {
        lock.lock(); defer { lock.unlock() }
        if let c = cache[table] { return c }
        let segs = try catalog.segments(of: table)
        cache[table] = segs
        return segs
    }

    /// The segments listed so far whose catalog entry failed its checksums (they were read whole).
    public var damagedSegments: [SegmentInfo] {
        lock.lock(); defer { lock.unlock() }
        return cache.keys.sorted().flatMap { cache[$0]!.filter { $0.damage != nil } }
    }

    /// `Store.plan` in this snapshot.
    public func plan(_ table: String, _ request: ScanRequest) throws -> (kept: [SegmentInfo], pruned: Int) {
        guard let schema = try store.schema(of: table) else { throw StoreError.tableNotFound(table) }
        if table == Store.rejectsTable { return ([Store.rejectsSegment], 0) }
        return try Store.prune(try segments(of: table), schema: schema, request, catalog: catalog, lock: lock)
    }
}

extension Store {
    /// The catalog as it is now, for every scan of one query (see `StoreSnapshot`).
    public func snapshot() throws -> StoreSnapshot { try StoreSnapshot(store: self) }
}
