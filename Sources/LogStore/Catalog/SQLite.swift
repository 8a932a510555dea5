import CSQLite
import Foundation

// SQLITE_TRANSIENT tells SQLite to copy bound text; the C macro does not import into Swift.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A small wrapper over the system SQLite: statements are finalized in `deinit`,
/// errors carry the database path and the SQL.
final class Database {
    let path: String
    fileprivate var handle: OpaquePointer?

    /// `immutable` (read-only only): opened as a URI with `immutable=1`, for a store nobody can
    /// write; SQLite then takes no locks and needs no `-shm` file, which it could not create there.
    /// `vfs`: a registered SQLite VFS by name (nil: the default); the fault-injection tests' seam.
    init(path: String, readOnly: Bool = false, immutable: Bool = false, vfs: String? = nil) throws {
        self.path = path
        var flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var name = path
        if readOnly && immutable {
            flags |= SQLITE_OPEN_URI
            let abs = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            let escaped = abs.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#%"))) ?? abs
            name = "file:" + escaped + "?immutable=1"
        }
        let rc = sqlite3_open_v2(name, &handle, flags | SQLITE_OPEN_NOMUTEX, vfs)
        guard rc == SQLITE_OK else {
            let msg = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw StoreError.catalog(path: path, reason: msg, sql: nil)
        }
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Single bytes of a stored blob, read in place (incremental blob I/O): a Bloom probe reads
    /// three bytes, not the whole filter.
    func blobBytes(table: String, column: String, rowid: Int64, at offsets: [Int]) throws -> [UInt8] {
        var blob: OpaquePointer?
        guard sqlite3_blob_open(handle, "main", table, column, rowid, 0, &blob) == SQLITE_OK else {
            sqlite3_blob_close(blob)
            throw error("blob \(table).\(column) of row \(rowid)")
        }
        defer { sqlite3_blob_close(blob) }
        var out = [UInt8](repeating: 0, count: offsets.count)
        for (k, off) in offsets.enumerated() {
            guard withUnsafeMutableBytes(of: &out[k], { sqlite3_blob_read(blob, $0.baseAddress, 1, Int32(off)) }) == SQLITE_OK else {
                throw error("blob \(table).\(column) of row \(rowid) at \(off)")
            }
        }
        return out
    }

    func error(_ sql: String?) -> StoreError {
        .catalog(path: path, reason: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    func exec(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &err) != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? "error"
            sqlite3_free(err)
            throw StoreError.catalog(path: path, reason: msg, sql: sql)
        }
    }

    func prepare(_ sql: String) throws -> Statement { try Statement(db: self, sql: sql) }

    /// Runs `body` in one transaction: all of it is committed, or none.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try exec("BEGIN IMMEDIATE")
        do {
            let r = try body()
            try exec("COMMIT")
            return r
        } catch {
            try? exec("ROLLBACK")
            throw error
        }
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    func userVersion() throws -> Int {
        let s = try prepare("PRAGMA user_version")
        _ = try s.step()
        return Int(s.int(0))
    }
}

final class Statement {
    let db: Database
    let sql: String
    private var stmt: OpaquePointer?

    init(db: Database, sql: String) throws {
        self.db = db; self.sql = sql
        guard sqlite3_prepare_v2(db.handle, sql, -1, &stmt, nil) == SQLITE_OK else { throw db.error(sql) }
    }

    deinit { sqlite3_finalize(stmt) }

    enum Value { case null, int(Int64), real(Double), text(String), blob([UInt8]) }

    @discardableResult
    func bind(_ values: Value...) throws -> Statement { try bind(values) }

    @discardableResult
    func bind(_ values: [Value]) throws -> Statement {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        for (i, v) in values.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(stmt, idx)
            case .int(let x): rc = sqlite3_bind_int64(stmt, idx, x)
            case .real(let x): rc = sqlite3_bind_double(stmt, idx, x)
            case .text(let s): rc = sqlite3_bind_text(stmt, idx, s, -1, transient)
            case .blob(let b): rc = b.withUnsafeBytes { sqlite3_bind_blob(stmt, idx, $0.baseAddress, Int32($0.count), transient) }
            }
            guard rc == SQLITE_OK else { throw db.error(sql) }
        }
        return self
    }

    /// True while there is a row.
    func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw db.error(sql)
    }

    func run() throws { while try step() {} ; sqlite3_reset(stmt) }

    func int(_ i: Int32) -> Int64 { sqlite3_column_int64(stmt, i) }
    func real(_ i: Int32) -> Double { sqlite3_column_double(stmt, i) }
    var columnCount: Int32 { sqlite3_column_count(stmt) }
    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(stmt, i) == SQLITE_NULL }
    func text(_ i: Int32) -> String { sqlite3_column_text(stmt, i).map { String(cString: $0) } ?? "" }
    func optInt(_ i: Int32) -> Int64? { isNull(i) ? nil : int(i) }
    func optReal(_ i: Int32) -> Double? { isNull(i) ? nil : real(i) }
    func optText(_ i: Int32) -> String? { isNull(i) ? nil : text(i) }
    func blob(_ i: Int32) -> [UInt8]? {
        guard !isNull(i), let p = sqlite3_column_blob(stmt, i) else { return nil }
        return Array(UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, i))))
    }

    func rows<T>(_ map: (Statement) throws -> T) throws -> [T] {
        var out: [T] = []
        while try step() { out.append(try map(self)) }
        sqlite3_reset(stmt)
        return out
    }
}
