import Foundation

// LogStore's public surface, by what a caller does with it:
// - Open a store: `Store(path:create:readOnly:housekeeping:)`, `StoreError` (every failure, with path/offset).
// - Ingest: `Store.ingest(paths:options:progress:)` with `IngestOptions` → `[FileIngestReport]`
//   (`IngestReject`, `IngestProgress`); history via `ingestHistory()` → `[IngestRecord]`.
// - Append from a running process: `RecordAppender` (`append`, `commit` → `AppendReport`, `AppendError`).
// - Schema: `tableNames()`, `schema(of:)` → `TableSchema` / `ColumnSchema` / `KustoType`, `rowCount(of:)`,
//   `Store.rejectsTable` (the built-in `ingest_rejects`).
// - Scan: `ScanRequest` (columns, time window, `ScanPredicate`s) → `plan` (pruned `SegmentInfo`s with
//   `ColumnStats`), `openSegment` → `OpenSegment.read` / `rows(where:…)` → `Batch` of `Column`s
//   (`ColumnStorage`, `ByteStrings`, dictionary codes), or `scan` for all of it; `ScanStats`;
//   `beginRead()` → `ReadLease` while segment files are read.
// - Maintenance: `compact(tables:options:)` (`CompactOptions` → `CompactReport`), `drop(before:…)` → `DropReport`.
// - Values the query engine shares with storage: `Ticks` (datetime/timespan text), `JSONValue` and
//   `JSONScanner` (dynamic values), `DynamicPaths` (dynamic sub-columns), `TypeWidening`, `TermFilter`, `Bloom`.
// Still public beyond this list, until it is cut down (issue 10): helpers such as `KnownSchemas`, `Manifest`,
// `ByteSliceTable` and `appendJSONString`. Ingest formats, the shredder and the SQLite catalog are internal.

/// A store: a folder holding `catalog.sqlite` and `segments/`. Open one per process; it is safe
/// for concurrent readers (threads or processes) while one writer ingests.
public final class Store: @unchecked Sendable {
    public let path: String
    let catalog: Catalog
    /// The writers' file operations (tests substitute a faulty one, see `StoreFileSystem`).
    let fs: StoreFileSystem
    let lock = NSLock()
    public let readOnly: Bool
    /// Opened read-only on a store this process cannot write (see `init`): nobody changes it.
    let immutable: Bool
    /// Read leases (see `ReadLease`): a count in this process, a shared flock across processes.
    let leaseLock = NSLock()
    var activeReads = 0
    let readersFD: Int32

    public var segmentsDirectory: String { path + "/segments" }
    static let catalogName = "catalog.sqlite"

    /// Opens the store at `path`; creates it when `create` is true and it does not exist.
    /// `housekeeping` (when not read-only): first delete segment files a crashed writer left
    /// unpublished, and retired files no query holds. Commands that only read skip it.
    /// `readOnly`: the catalog is opened read-only; when the store's folder or catalog is not
    /// writable (a read-only mount, `chmod a-w`), also immutable, since SQLite could create
    /// neither its `-shm` file nor take its locks there. A read-only open never migrates: an older
    /// catalog is read as it is (its entries unverified, see `Catalog.hasChecksums`).
    public convenience init(path: String, create: Bool = false, readOnly: Bool = false, housekeeping: Bool = true) throws {
        try self.init(path: path, create: create, readOnly: readOnly, housekeeping: housekeeping, unwritable: nil)
    }

    /// `unwritable`: tests running as root (for whom `access` says every file is writable) say
    /// that the store is unwritable to exercise the immutable open. `fileSystem` and `catalogVFS`
    /// (a registered SQLite VFS name): the fault-injection tests' seams.
    init(path: String, create: Bool = false, readOnly: Bool = false, housekeeping: Bool = true, unwritable: Bool?,
         fileSystem: StoreFileSystem = RealFileSystem.shared, catalogVFS: String? = nil) throws {
        self.path = path
        self.fs = fileSystem
        self.readOnly = readOnly
        let fm = FileManager.default
        let catalogPath = path + "/" + Store.catalogName
        let creating = !fm.fileExists(atPath: catalogPath)
        if creating {
            guard create else { throw StoreError.storeNotFound(path: path) }
            do { try fileSystem.makeDirectories(path + "/segments") }
            catch StoreError.io(_, let reason) { throw StoreError.io(path: path, reason: "cannot create the store: \(reason)") }
        }
        immutable = readOnly && (unwritable ?? !Store.isWritable(path))
        catalog = try Catalog(path: catalogPath, readOnly: readOnly, immutable: immutable, vfs: catalogVFS)
        // SQLite fsyncs the folder for its WAL, not for the database file it creates: without this a
        // power loss could take away the catalog of a new store after its first batch was acknowledged.
        if creating { try fileSystem.fsyncDirectory(path) }
        readersFD = open(path + "/readers.lock", (readOnly ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC, 0o644)
        if !readOnly && housekeeping { try? removeOrphans() }
    }

    deinit { if readersFD >= 0 { close(readersFD) } }

    /// Whether this process can write the store (its folder and its catalog): what SQLite needs
    /// for WAL. `access` answers for the real user, so root passes it even on a `chmod a-w` store.
    public static func isWritable(_ path: String) -> Bool {
        access(path, W_OK) == 0 && access(path + "/" + catalogName, W_OK) == 0
    }

    // MARK: schema

    public func tableNames() throws -> [String] {
        lock.lock(); defer { lock.unlock() }
        return try catalog.tableNames()
    }

    /// The schema of a stored table, or of the built-in `ingest_rejects`.
    public func schema(of table: String) throws -> TableSchema? {
        if table == Store.rejectsTable { return Store.rejectsSchema }
        lock.lock(); defer { lock.unlock() }
        return try catalog.schema(of: table)
    }

    public func segments(of table: String) throws -> [SegmentInfo] {
        lock.lock(); defer { lock.unlock() }
        return try catalog.segments(of: table)
    }

    public func rowCount(of table: String) throws -> Int {
        try segments(of: table).reduce(0) { $0 + $1.rows }
    }

    public func ingestHistory() throws -> [IngestRecord] {
        lock.lock(); defer { lock.unlock() }
        return try catalog.ingestHistory()
    }
}
