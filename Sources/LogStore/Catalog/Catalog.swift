import Foundation

/// A segment as the catalog lists it.
public struct SegmentInfo: Sendable {
    public var id: Int64
    public var table: String
    public var file: String
    public var rows: Int
    public var minTime: Int64?
    public var maxTime: Int64?
    public var bytes: Int
    public var checksum: UInt32
    /// Per-column statistics for pruning, by column name.
    public var stats: [String: ColumnStats]
}

public struct IngestRecord: Sendable {
    public var id: Int64
    public var source: String
    public var size: Int
    public var rows: Int
    public var rejected: Int
    public var finishedAt: String
}

/// The SQLite catalog: tables, columns and types, segments with statistics, ingest history and
/// rejects. WAL mode lets readers in other processes see only committed batches.
final class Catalog {
    let db: Database
    static let schemaVersion = 3

    init(path: String, readOnly: Bool) throws {
        db = try Database(path: path, readOnly: readOnly)
        if !readOnly {
            try db.exec("PRAGMA journal_mode=WAL")
            try db.exec("PRAGMA synchronous=FULL")
            try migrate()
        } else if try db.userVersion() > Catalog.schemaVersion {
            throw StoreError.catalog(path: path, reason: "written by a newer logq (schema \(try db.userVersion()))", sql: nil)
        }
    }

    /// Migrations by `PRAGMA user_version`: each step runs once, in order, in one transaction.
    private func migrate() throws {
        let v = try db.userVersion()
        if v > Catalog.schemaVersion {
            throw StoreError.catalog(path: db.path, reason: "written by a newer logq (schema \(v), this one knows \(Catalog.schemaVersion))", sql: nil)
        }
        if v < 1 {
            try db.transaction {
                try db.exec("""
                CREATE TABLE tables(name TEXT PRIMARY KEY, time_column TEXT, created_at TEXT NOT NULL);
                CREATE TABLE columns(table_name TEXT NOT NULL, ordinal INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
                                     PRIMARY KEY(table_name, name));
                CREATE TABLE schema_changes(id INTEGER PRIMARY KEY, table_name TEXT NOT NULL, column_name TEXT NOT NULL,
                                            old_type TEXT NOT NULL, new_type TEXT NOT NULL, ingest_id INTEGER, changed_at TEXT NOT NULL);
                CREATE TABLE ingests(id INTEGER PRIMARY KEY, source TEXT NOT NULL, size INTEGER NOT NULL, fingerprint TEXT NOT NULL,
                                     rows INTEGER NOT NULL, rejected INTEGER NOT NULL, finished_at TEXT NOT NULL);
                CREATE INDEX ingests_fingerprint ON ingests(fingerprint);
                CREATE TABLE segments(id INTEGER PRIMARY KEY, table_name TEXT NOT NULL, file TEXT NOT NULL UNIQUE,
                                      row_count INTEGER NOT NULL, min_time INTEGER, max_time INTEGER, byte_size INTEGER NOT NULL,
                                      checksum INTEGER NOT NULL, ingest_id INTEGER, created_at TEXT NOT NULL);
                CREATE INDEX segments_table ON segments(table_name, min_time);
                CREATE TABLE column_stats(segment_id INTEGER NOT NULL, column_name TEXT NOT NULL, null_count INTEGER NOT NULL,
                                          min_int INTEGER, max_int INTEGER, min_real REAL, max_real REAL, min_text TEXT, max_text TEXT,
                                          PRIMARY KEY(segment_id, column_name));
                CREATE TABLE rejects(id INTEGER PRIMARY KEY, ingest_id INTEGER NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL,
                                     byte_offset INTEGER NOT NULL, reason TEXT NOT NULL, raw TEXT NOT NULL, at TEXT NOT NULL);
                PRAGMA user_version = 1;
                """)
            }
        }
        if v < 2 {
            try db.transaction {
                try db.exec("ALTER TABLE column_stats ADD COLUMN bloom BLOB; PRAGMA user_version = 2;")
            }
        }
        if v < 3 {
            // terms: a Bloom filter over the `has` terms of a string column (see `TermFilter`).
            // retired_files: segment files that compaction or retention took out of the catalog and
            // that are deleted once no reader can be using them (see `Store.reclaimRetired`).
            try db.transaction {
                try db.exec("""
                ALTER TABLE column_stats ADD COLUMN terms BLOB;
                CREATE TABLE retired_files(file TEXT PRIMARY KEY, retired_at TEXT NOT NULL);
                PRAGMA user_version = 3;
                """)
            }
        }
    }

    static func now() -> String { Ticks.formatDatetime(Ticks.fromUnixSeconds(Date().timeIntervalSince1970)) }

    func tableNames() throws -> [String] {
        try db.prepare("SELECT name FROM tables ORDER BY name").rows { $0.text(0) }
    }

    func schema(of table: String) throws -> TableSchema? {
        let t = try db.prepare("SELECT time_column FROM tables WHERE name = ?").bind(.text(table))
        guard try t.step() else { return nil }
        let timeColumn = t.optText(0)
        let cols = try db.prepare("SELECT name, type FROM columns WHERE table_name = ? ORDER BY ordinal").bind(.text(table))
            .rows { ColumnSchema(name: $0.text(0), type: KustoType(name: $0.text(1)) ?? .string) }
        return TableSchema(name: table, columns: cols, timeColumn: timeColumn)
    }

    func segments(of table: String) throws -> [SegmentInfo] {
        var segs = try db.prepare("""
            SELECT id, table_name, file, row_count, min_time, max_time, byte_size, checksum FROM segments
            WHERE table_name = ? ORDER BY min_time, id
            """).bind(.text(table)).rows {
            SegmentInfo(id: $0.int(0), table: $0.text(1), file: $0.text(2), rows: Int($0.int(3)), minTime: $0.optInt(4),
                        maxTime: $0.optInt(5), bytes: Int($0.int(6)), checksum: UInt32(truncatingIfNeeded: $0.int(7)), stats: [:])
        }
        let st = try db.prepare("""
            SELECT s.segment_id, s.column_name, s.null_count, s.min_int, s.max_int, s.min_real, s.max_real, s.min_text, s.max_text
            FROM column_stats s JOIN segments g ON g.id = s.segment_id WHERE g.table_name = ?
            """).bind(.text(table))
        var byId: [Int64: Int] = [:]
        for (i, s) in segs.enumerated() { byId[s.id] = i }
        while try st.step() {
            guard let i = byId[st.int(0)] else { continue }
            var c = ColumnStats(nullCount: Int(st.int(2)))
            c.minInt = st.optInt(3); c.maxInt = st.optInt(4)
            c.minReal = st.optReal(5); c.maxReal = st.optReal(6)
            c.minString = st.optText(7); c.maxString = st.optText(8)
            segs[i].stats[st.text(1)] = c
        }
        return segs
    }

    /// Whether the segment's value filter of `column` may hold `value` (true without a filter),
    /// probing the stored filter in place.
    func bloomMayContain(segment: Int64, column: String, value: String) throws -> Bool {
        let s = try db.prepare("SELECT rowid, length(bloom) FROM column_stats WHERE segment_id = ? AND column_name = ?").bind(.int(segment), .text(column))
        guard try s.step(), !s.isNull(1) else { return true }
        let rowid = s.int(0), size = Int(s.int(1))
        guard size > 0 else { return true }
        let probes = Bloom.probeBytes(Array(value.utf8), filterBytes: size)
        let bytes = try db.blobBytes(table: "column_stats", column: "bloom", rowid: rowid, at: probes.map(\.byte))
        return zip(bytes, probes).allSatisfy { $0 & $1.mask != 0 }
    }

    func termFilter(segment: Int64, column: String) throws -> [UInt8]? {
        let s = try db.prepare("SELECT terms FROM column_stats WHERE segment_id = ? AND column_name = ?").bind(.int(segment), .text(column))
        guard try s.step() else { return nil }
        return s.blob(0)
    }

    func retiredFiles() throws -> Set<String> {
        Set(try db.prepare("SELECT file FROM retired_files").rows { $0.text(0) })
    }

    func allSegmentFiles() throws -> Set<String> {
        Set(try db.prepare("SELECT file FROM segments").rows { $0.text(0) })
    }

    func ingestHistory() throws -> [IngestRecord] {
        try db.prepare("SELECT id, source, size, rows, rejected, finished_at FROM ingests ORDER BY id").rows {
            IngestRecord(id: $0.int(0), source: $0.text(1), size: Int($0.int(2)), rows: Int($0.int(3)), rejected: Int($0.int(4)), finishedAt: $0.text(5))
        }
    }

    /// Every stored reject, oldest first.
    func forEachReject(_ body: (_ r: (at: String, file: String, line: Int64, offset: Int64, reason: String, raw: String)) -> Void) throws {
        let s = try db.prepare("SELECT at, file, line, byte_offset, reason, raw FROM rejects ORDER BY id")
        while try s.step() { body((s.text(0), s.text(1), s.int(2), s.int(3), s.text(4), s.text(5))) }
    }

    func findIngest(fingerprint: String) throws -> IngestRecord? {
        let s = try db.prepare("SELECT id, source, size, rows, rejected, finished_at FROM ingests WHERE fingerprint = ? ORDER BY id DESC LIMIT 1")
            .bind(.text(fingerprint))
        guard try s.step() else { return nil }
        return IngestRecord(id: s.int(0), source: s.text(1), size: Int(s.int(2)), rows: Int(s.int(3)), rejected: Int(s.int(4)), finishedAt: s.text(5))
    }
}
