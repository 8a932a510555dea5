import Foundation

/// Held while a query reads segment files: compaction and retention delete the files they took out
/// of the catalog only when no lease is held, in this process or any other (a shared `flock` on
/// `readers.lock`), so a running query never loses a file it planned to read.
public final class ReadLease: @unchecked Sendable {
    let store: Store
    init(store: Store) { self.store = store }
    deinit { store.endRead() }
}

extension Store {
    public func beginRead() -> ReadLease {
        leaseLock.lock()
        if activeReads == 0, readersFD >= 0 { _ = flock(readersFD, LOCK_SH) }
        activeReads += 1
        leaseLock.unlock()
        return ReadLease(store: self)
    }

    func endRead() {
        leaseLock.lock()
        activeReads -= 1
        if activeReads == 0, readersFD >= 0 { _ = flock(readersFD, LOCK_UN) }
        leaseLock.unlock()
    }

    /// Deletes retired segment files when nobody reads: no lease in this process and an exclusive
    /// `readers.lock`. Otherwise they wait for a later write or open. Returns how many were deleted.
    @discardableResult
    func reclaimRetired() -> Int {
        leaseLock.lock(); defer { leaseLock.unlock() }
        guard activeReads == 0, readersFD >= 0, flock(readersFD, LOCK_EX | LOCK_NB) == 0 else { return 0 }
        defer { _ = flock(readersFD, LOCK_UN) }
        lock.lock(); defer { lock.unlock() }
        guard let retired = try? catalog.retiredFiles(), !retired.isEmpty else { return 0 }
        var deleted = 0
        for f in retired {
            let full = segmentsDirectory + "/" + f
            if (try? fs.unlink(full)) != nil { deleted += 1 }
            _ = try? catalog.forgetRetired(f)
        }
        return deleted
    }
}
