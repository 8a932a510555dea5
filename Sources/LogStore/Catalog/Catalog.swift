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
    /// Why this entry's catalog checksums do not verify (nil: they do, or the catalog predates
    /// them). A damaged entry is never used for pruning: the segment is read whole, and its time
    /// range and statistics are cleared.
    public var damage: String? = nil
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
    static let schemaVersion = 4
    /// The schema this catalog is at after opening: below 4 (only when opened read-only) its rows
    /// carry no checksums and are used unverified.
    private(set) var version = 0
    var hasChecksums: Bool { version >= 4 }

    /// `immutable`: the store cannot be written (read-only folder or file), so SQLite is told the
    /// file never changes and needs no `-shm`/`-wal` files or locks beside it.
    init(path: String, readOnly: Bool, immutable: Bool = false, vfs: String? = nil) throws {
        db = try Database(path: path, readOnly: readOnly, immutable: immutable, vfs: vfs)
        if !readOnly {
            try db.exec("PRAGMA journal_mode=WAL")
            try db.exec("PRAGMA synchronous=FULL")
            try migrate()
        } else if try db.userVersion() > Catalog.schemaVersion {
            throw StoreError.catalog(path: path, reason: "written by a newer logq (schema \(try db.userVersion()))", sql: nil)
        }
        version = try db.userVersion()
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
        if v < 4 {
            // Checksums over each segment's catalog entry (see `EntryChecksum`), computed here for
            // the entries an older logq wrote; and the quarantine, where `logq repair` records the
            // segments it took out of their table.
            try db.transaction {
                try db.exec("""
                ALTER TABLE segments ADD COLUMN entry_crc INTEGER;
                ALTER TABLE column_stats ADD COLUMN stats_crc INTEGER;
                ALTER TABLE column_stats ADD COLUMN bloom_crc INTEGER;
                ALTER TABLE column_stats ADD COLUMN terms_crc INTEGER;
                CREATE TABLE quarantine(id INTEGER PRIMARY KEY, segment_id INTEGER NOT NULL, table_name TEXT NOT NULL, file TEXT NOT NULL,
                                        moved_to TEXT, row_count INTEGER NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL);
                """)
                for id in try db.prepare("SELECT id FROM segments").rows({ $0.int(0) }) { try sealSegment(id) }
                try db.exec("PRAGMA user_version = 4")
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

    /// The table's segments, each entry verified against its checksums (see `SegmentInfo.damage`).
    func segments(of table: String) throws -> [SegmentInfo] {
        let verify = hasChecksums
        var sums: [Bool] = []
        var segs = try db.prepare("""
            SELECT id, table_name, file, row_count, min_time, max_time, byte_size, checksum\(verify ? ", entry_crc" : "") FROM segments
            WHERE table_name = ? ORDER BY min_time, id
            """).bind(.text(table)).rows { r -> SegmentInfo in
            let id = r.int(0), rows = r.int(3), bytes = r.int(6), sum = r.int(7)
            if verify {
                let want = EntryChecksum.segment(id: id, table: r.text(1), file: r.text(2), rows: rows, minTime: r.optInt(4),
                                                 maxTime: r.optInt(5), bytes: bytes, checksum: sum)
                sums.append(!r.isNull(8) && r.int(8) == want)
            }
            // checked: a damaged row can hold any integer; a negative count or size reads as 0.
            return SegmentInfo(id: id, table: r.text(1), file: r.text(2), rows: Checked.int(max(rows, 0)) ?? 0, minTime: r.optInt(4),
                               maxTime: r.optInt(5), bytes: Checked.int(max(bytes, 0)) ?? 0, checksum: UInt32(truncatingIfNeeded: sum), stats: [:])
        }
        var byId: [Int64: Int] = [:]
        for (i, s) in segs.enumerated() {
            byId[s.id] = i
            if verify && !sums[i] { segs[i].damage = "catalog entry fails its checksum (row count, time range, size or file checksum)" }
        }
        let st = try db.prepare("""
            SELECT s.segment_id, s.column_name, s.null_count, s.min_int, s.max_int, s.min_real, s.max_real, s.min_text, s.max_text\(verify ? ", s.stats_crc" : "")
            FROM column_stats s JOIN segments g ON g.id = s.segment_id WHERE g.table_name = ?
            """).bind(.text(table))
        while try st.step() {
            guard let i = byId[st.int(0)] else { continue }
            let name = st.text(1)
            var c = ColumnStats(nullCount: Checked.int(max(st.int(2), 0)) ?? 0)
            c.minInt = st.optInt(3); c.maxInt = st.optInt(4)
            c.minReal = st.optReal(5); c.maxReal = st.optReal(6)
            c.minString = st.optText(7); c.maxString = st.optText(8)
            if verify && segs[i].damage == nil {
                let want = EntryChecksum.stats(segment: st.int(0), column: name, nullCount: st.int(2), minInt: c.minInt, maxInt: c.maxInt,
                                               minReal: c.minReal, maxReal: c.maxReal, minText: c.minString, maxText: c.maxString)
                if st.isNull(9) || st.int(9) != want { segs[i].damage = "statistics of column '\(name)' fail their checksum" }
            }
            segs[i].stats[name] = c
        }
        for i in segs.indices where segs[i].damage != nil {
            // Nothing a damaged entry says about its contents is used: no time range, no statistics.
            segs[i].minTime = nil; segs[i].maxTime = nil; segs[i].stats = [:]
        }
        return segs
    }

    /// Computes and stores the checksums of one segment's entry from the values as stored (so
    /// that whatever SQLite's round trip does to a value, it verifies the same way later).
    func sealSegment(_ id: Int64) throws {
        let s = try db.prepare("SELECT id, table_name, file, row_count, min_time, max_time, byte_size, checksum FROM segments WHERE id = ?").bind(.int(id))
        guard try s.step() else { return }
        let sum = EntryChecksum.segment(id: s.int(0), table: s.text(1), file: s.text(2), rows: s.int(3), minTime: s.optInt(4),
                                        maxTime: s.optInt(5), bytes: s.int(6), checksum: s.int(7))
        try db.prepare("UPDATE segments SET entry_crc = ? WHERE id = ?").bind(.int(sum), .int(id)).run()
        let st = try db.prepare("""
            SELECT rowid, column_name, null_count, min_int, max_int, min_real, max_real, min_text, max_text, bloom, terms
            FROM column_stats WHERE segment_id = ?
            """).bind(.int(id))
        var updates: [[Statement.Value]] = []
        while try st.step() {
            let col = st.text(1)
            let a = EntryChecksum.stats(segment: id, column: col, nullCount: st.int(2), minInt: st.optInt(3), maxInt: st.optInt(4),
                                        minReal: st.optReal(5), maxReal: st.optReal(6), minText: st.optText(7), maxText: st.optText(8))
            let b = EntryChecksum.filter(segment: id, column: col, kind: 0, bytes: st.blob(9))
            let t = EntryChecksum.filter(segment: id, column: col, kind: 1, bytes: st.blob(10))
            updates.append([.int(a), .int(b), .int(t), .int(st.int(0))])
        }
        let up = try db.prepare("UPDATE column_stats SET stats_crc = ?, bloom_crc = ?, terms_crc = ? WHERE rowid = ?")
        for u in updates { try up.bind(u).run() }
    }

    /// Whether the segment's value filter of `column` may hold `value` (true without a filter),
    /// probing the stored filter in place.
    func bloomMayContain(segment: Int64, column: String, value: String) throws -> Bool {
        if hasChecksums {
            // Verified before use, so read whole (a damaged bit would prune a segment that holds
            // the value); a damaged filter prunes nothing.
            let s = try db.prepare("SELECT bloom, bloom_crc FROM column_stats WHERE segment_id = ? AND column_name = ?").bind(.int(segment), .text(column))
            guard try s.step(), let f = s.blob(0), !f.isEmpty else { return true }
            guard !s.isNull(1), s.int(1) == EntryChecksum.filter(segment: segment, column: column, kind: 0, bytes: f) else { return true }
            return Bloom.mayContain(f, bytes: Array(value.utf8))
        }
        let s = try db.prepare("SELECT rowid, length(bloom) FROM column_stats WHERE segment_id = ? AND column_name = ?").bind(.int(segment), .text(column))
        guard try s.step(), !s.isNull(1) else { return true }
        let rowid = s.int(0), size = Int(s.int(1))
        guard size > 0 else { return true }
        let probes = Bloom.probeBytes(Array(value.utf8), filterBytes: size)
        let bytes = try db.blobBytes(table: "column_stats", column: "bloom", rowid: rowid, at: probes.map(\.byte))
        return zip(bytes, probes).allSatisfy { $0 & $1.mask != 0 }
    }

    /// The term filter; nil when there is none or it fails its checksum (then it prunes nothing).
    func termFilter(segment: Int64, column: String) throws -> [UInt8]? {
        let s = try db.prepare("SELECT terms\(hasChecksums ? ", terms_crc" : "") FROM column_stats WHERE segment_id = ? AND column_name = ?")
            .bind(.int(segment), .text(column))
        guard try s.step() else { return nil }
        let f = s.blob(0)
        if hasChecksums && (s.isNull(1) || s.int(1) != EntryChecksum.filter(segment: segment, column: column, kind: 1, bytes: f)) { return nil }
        return f
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
