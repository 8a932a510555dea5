import Foundation

/// Every statement that changes the catalog. Callers hold the store's lock and group them in
/// `transaction`, so that a batch is seen whole or not at all.
extension Catalog {
    func transaction<T>(_ body: () throws -> T) throws -> T { try db.transaction(body) }

    /// Records one ingest (a file, or an appender's commit); returns its id.
    func insertIngest(source: String, size: Int, fingerprint: String, rows: Int, rejected: Int, at now: String) throws -> Int64 {
        try db.prepare("INSERT INTO ingests(source, size, fingerprint, rows, rejected, finished_at) VALUES (?,?,?,?,?,?)")
            .bind(.text(source), .int(Int64(size)), .text(fingerprint), .int(Int64(rows)), .int(Int64(rejected)), .text(now)).run()
        return db.lastInsertRowID
    }

    func insertRejects(_ rejects: [IngestReject], ingestID: Int64, at now: String) throws {
        let rj = try db.prepare("INSERT INTO rejects(ingest_id, file, line, byte_offset, reason, raw, at) VALUES (?,?,?,?,?,?,?)")
        for r in rejects {
            try rj.bind(.int(ingestID), .text(r.file), .int(Int64(r.line)), .int(Int64(r.offset)), .text(r.reason), .text(r.text), .text(now)).run()
        }
    }

    /// Lists one written segment in the catalog (inside the caller's transaction), adding the
    /// table and new columns and widening column types as needed.
    func insertSegment(_ seg: PendingSegment, ingestID: Int64?, at now: String) throws {
        let existing = try schema(of: seg.table)
        if existing == nil {
            try db.prepare("INSERT INTO tables(name, time_column, created_at) VALUES (?,?,?)")
                .bind(.text(seg.table), seg.timeColumn.map { .text($0) } ?? .null, .text(now)).run()
        }
        var cols = existing?.columns ?? []
        for c in seg.schema where DynamicPaths.split(c.name) == nil {
            if let i = cols.firstIndex(where: { $0.name == c.name }) {
                let w = TypeWidening.widened(cols[i].type, c.type)
                if w != cols[i].type {
                    try db.prepare("UPDATE columns SET type = ? WHERE table_name = ? AND name = ?")
                        .bind(.text(w.name), .text(seg.table), .text(c.name)).run()
                    try db.prepare("INSERT INTO schema_changes(table_name, column_name, old_type, new_type, ingest_id, changed_at) VALUES (?,?,?,?,?,?)")
                        .bind(.text(seg.table), .text(c.name), .text(cols[i].type.name), .text(w.name), ingestID.map { .int($0) } ?? .null, .text(now)).run()
                    cols[i].type = w
                }
            } else {
                try db.prepare("INSERT INTO columns(table_name, ordinal, name, type) VALUES (?,?,?,?)")
                    .bind(.text(seg.table), .int(Int64(cols.count)), .text(c.name), .text(c.type.name)).run()
                cols.append(c)
            }
        }
        try db.prepare("""
            INSERT INTO segments(table_name, file, row_count, min_time, max_time, byte_size, checksum, ingest_id, created_at)
            VALUES (?,?,?,?,?,?,?,?,?)
            """).bind(.text(seg.table), .text(seg.file), .int(Int64(seg.rows)), seg.minTime.map { .int($0) } ?? .null,
                      seg.maxTime.map { .int($0) } ?? .null, .int(Int64(seg.bytes)), .int(Int64(seg.checksum)),
                      ingestID.map { .int($0) } ?? .null, .text(now)).run()
        let segID = db.lastInsertRowID
        let st = try db.prepare("""
            INSERT INTO column_stats(segment_id, column_name, null_count, min_int, max_int, min_real, max_real, min_text, max_text, bloom, terms)
            VALUES (?,?,?,?,?,?,?,?,?,?,?)
            """)
        for (c, s) in zip(seg.schema, seg.stats) {
            try st.bind(.int(segID), .text(c.name), .int(Int64(s.nullCount)),
                        s.minInt.map { .int($0) } ?? .null, s.maxInt.map { .int($0) } ?? .null,
                        s.minReal.map { .real($0) } ?? .null, s.maxReal.map { .real($0) } ?? .null,
                        s.minString.map { .text($0) } ?? .null, s.maxString.map { .text($0) } ?? .null,
                        s.bloom.map { .blob($0) } ?? .null, s.terms.map { .blob($0) } ?? .null).run()
        }
        try sealSegment(segID)
    }

    /// Takes segments out of the catalog; their files are listed as retired until `forgetRetired`.
    func retireSegments(_ old: [SegmentInfo], at now: String) throws {
        for s in old {
            try db.prepare("DELETE FROM column_stats WHERE segment_id = ?").bind(.int(s.id)).run()
            try db.prepare("DELETE FROM segments WHERE id = ?").bind(.int(s.id)).run()
            try db.prepare("INSERT OR REPLACE INTO retired_files(file, retired_at) VALUES (?,?)").bind(.text(s.file), .text(now)).run()
        }
    }

    /// A retired file was deleted.
    func forgetRetired(_ file: String) throws {
        try db.prepare("DELETE FROM retired_files WHERE file = ?").bind(.text(file)).run()
    }
}

/// `logq verify` and `logq repair`.
extension Catalog {
    /// The Bloom and term filters of a segment that fail their checksums, as problem texts.
    func damagedFilters(segment: Int64) throws -> [String] {
        guard hasChecksums else { return [] }
        let s = try db.prepare("SELECT column_name, bloom, bloom_crc, terms, terms_crc FROM column_stats WHERE segment_id = ? ORDER BY column_name")
            .bind(.int(segment))
        var out: [String] = []
        while try s.step() {
            let c = s.text(0)
            if s.isNull(2) || s.int(2) != EntryChecksum.filter(segment: segment, column: c, kind: 0, bytes: s.blob(1)) {
                out.append("Bloom filter of column '\(c)' fails its checksum")
            }
            if s.isNull(4) || s.int(4) != EntryChecksum.filter(segment: segment, column: c, kind: 1, bytes: s.blob(3)) {
                out.append("term filter of column '\(c)' fails its checksum")
            }
        }
        return out
    }

    /// Takes a segment out of its table and records it in `quarantine` (inside the caller's transaction).
    func quarantineSegment(_ id: Int64, movedTo: String?, reason: String, at now: String) throws {
        try db.prepare("""
            INSERT INTO quarantine(segment_id, table_name, file, moved_to, row_count, reason, at)
            SELECT id, table_name, file, ?, row_count, ?, ? FROM segments WHERE id = ?
            """).bind(movedTo.map { .text($0) } ?? .null, .text(reason), .text(now), .int(id)).run()
        try db.prepare("DELETE FROM column_stats WHERE segment_id = ?").bind(.int(id)).run()
        try db.prepare("DELETE FROM segments WHERE id = ?").bind(.int(id)).run()
    }

    /// Replaces what a segment's entry says about its file, and seals it again.
    func rewriteEntry(_ id: Int64, rows: Int, minTime: Int64?, maxTime: Int64?, bytes: Int, checksum: UInt32, stats: [(String, ColumnStats)]) throws {
        try db.prepare("UPDATE segments SET row_count = ?, min_time = ?, max_time = ?, byte_size = ?, checksum = ? WHERE id = ?")
            .bind(.int(Int64(rows)), minTime.map { .int($0) } ?? .null, maxTime.map { .int($0) } ?? .null, .int(Int64(bytes)),
                  .int(Int64(checksum)), .int(id)).run()
        try db.prepare("DELETE FROM column_stats WHERE segment_id = ?").bind(.int(id)).run()
        let st = try db.prepare("""
            INSERT INTO column_stats(segment_id, column_name, null_count, min_int, max_int, min_real, max_real, min_text, max_text, bloom, terms)
            VALUES (?,?,?,?,?,?,?,?,?,?,?)
            """)
        for (c, s) in stats {
            try st.bind(.int(id), .text(c), .int(Int64(s.nullCount)),
                        s.minInt.map { .int($0) } ?? .null, s.maxInt.map { .int($0) } ?? .null,
                        s.minReal.map { .real($0) } ?? .null, s.maxReal.map { .real($0) } ?? .null,
                        s.minString.map { .text($0) } ?? .null, s.maxString.map { .text($0) } ?? .null,
                        s.bloom.map { .blob($0) } ?? .null, s.terms.map { .blob($0) } ?? .null).run()
        }
        try sealSegment(id)
    }

    /// Segments `logq repair` took out of their tables.
    func quarantined() throws -> [(table: String, file: String, rows: Int, reason: String)] {
        guard hasChecksums else { return [] }
        return try db.prepare("SELECT table_name, file, row_count, reason FROM quarantine ORDER BY id").rows {
            ($0.text(0), $0.text(1), Checked.int($0.int(2)) ?? 0, $0.text(3))
        }
    }
}
