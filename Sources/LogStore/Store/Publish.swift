import Foundation

extension Store {
    /// Lists a batch of written segment files in the catalog, widening column types as needed.
    func commit(source: String, size: Int, fingerprint: String, segments: [PendingSegment], rejects: [IngestReject], rejectedTotal: Int) throws -> Int64 {
        lock.lock(); defer { lock.unlock() }
        let db = catalog.db
        return try db.transaction {
            let now = Catalog.now()
            let rows = segments.reduce(0) { $0 + $1.rows }
            try db.prepare("INSERT INTO ingests(source, size, fingerprint, rows, rejected, finished_at) VALUES (?,?,?,?,?,?)")
                .bind(.text(source), .int(Int64(size)), .text(fingerprint), .int(Int64(rows)), .int(Int64(rejectedTotal)), .text(now)).run()
            let ingestID = db.lastInsertRowID
            for seg in segments { try insertSegment(seg, ingestID: ingestID, now: now) }
            let rj = try db.prepare("INSERT INTO rejects(ingest_id, file, line, byte_offset, reason, raw, at) VALUES (?,?,?,?,?,?,?)")
            for r in rejects {
                try rj.bind(.int(ingestID), .text(r.file), .int(Int64(r.line)), .int(Int64(r.offset)), .text(r.reason), .text(r.text), .text(now)).run()
            }
            return ingestID
        }
    }

    /// Lists one written segment in the catalog (inside the caller's transaction), adding the
    /// table and new columns and widening column types as needed.
    func insertSegment(_ seg: PendingSegment, ingestID: Int64?, now: String) throws {
        let db = catalog.db
        let existing = try catalog.schema(of: seg.table)
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
    }

    /// Gives written segments their final names and fsyncs their folders; the catalog commit that
    /// lists them comes after, so a crash in between leaves only orphans (removed on the next open).
    func publish(_ pending: [PendingSegment]) throws {
        var dirs = Set<String>()
        for p in pending {
            let final = segmentsDirectory + "/" + p.file
            guard rename(p.tempPath, final) == 0 else { throw StoreError.io(path: final, reason: String(cString: strerror(errno))) }
            dirs.insert((final as NSString).deletingLastPathComponent)
        }
        for d in dirs { fsyncDirectory(d) }
    }

    func discard(_ pending: [PendingSegment]) {
        for p in pending {
            try? FileManager.default.removeItem(atPath: p.tempPath)
            try? FileManager.default.removeItem(atPath: segmentsDirectory + "/" + p.file)
        }
    }
}
