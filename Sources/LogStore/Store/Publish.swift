import Foundation

extension Store {
    /// Lists a batch of written segment files in the catalog, widening column types as needed.
    func commit(source: String, size: Int, fingerprint: String, segments: [PendingSegment], rejects: [IngestReject], rejectedTotal: Int) throws -> Int64 {
        lock.lock(); defer { lock.unlock() }
        return try catalog.transaction {
            let now = Catalog.now()
            let ingestID = try catalog.insertIngest(source: source, size: size, fingerprint: fingerprint,
                                                    rows: segments.reduce(0) { $0 + $1.rows }, rejected: rejectedTotal, at: now)
            for seg in segments { try catalog.insertSegment(seg, ingestID: ingestID, at: now) }
            try catalog.insertRejects(rejects, ingestID: ingestID, at: now)
            return ingestID
        }
    }

    /// Gives written segments their final names and fsyncs their folders; the catalog commit that
    /// lists them comes after, so a crash in between leaves only orphans (removed on the next open).
    func publish(_ pending: [PendingSegment]) throws {
        var dirs = Set<String>()
        for p in pending {
            let final = segmentsDirectory + "/" + p.file
            try fs.rename(p.tempPath, final)
            dirs.insert((final as NSString).deletingLastPathComponent)
        }
        // Throws: a rename that may not survive a power loss must not be followed by the commit.
        for d in dirs { try fs.fsyncDirectory(d) }
    }

    func discard(_ pending: [PendingSegment]) {
        for p in pending {
            try? fs.unlink(p.tempPath)
            try? fs.unlink(segmentsDirectory + "/" + p.file)
        }
    }
}
