import Foundation

extension Store {
    /// Removes segment files no catalog row references (left by an ingest that was killed before
    /// its commit), and retired files nobody reads. Runs only while holding the writer lock, so another process's uncommitted
    /// batch is never touched.
    func removeOrphans() throws {
        guard let lockFD = try? WriterLock(path: path, wait: false) else { return }
        defer { lockFD.release() }
        var referenced: Set<String>
        lock.lock()
        referenced = (try? catalog.allSegmentFiles()) ?? []
        // Retired files are not referenced, but a reader may still hold them: reclaimRetired decides.
        referenced.formUnion((try? catalog.retiredFiles()) ?? [])
        lock.unlock()
        defer { reclaimRetired() }
        let fm = FileManager.default
        guard let tables = try? fm.contentsOfDirectory(atPath: segmentsDirectory) else { return }
        for t in tables {
            let dir = segmentsDirectory + "/" + t
            for f in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] where !referenced.contains(t + "/" + f) {
                try? fs.unlink(dir + "/" + f)
            }
        }
    }
}
