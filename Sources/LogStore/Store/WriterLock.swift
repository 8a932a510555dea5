import Foundation

/// An exclusive advisory lock on `<store>/writer.lock`: one writer per store across processes.
/// The kernel drops it when the process dies, so a killed ingest never leaves the store locked.
final class WriterLock {
    let fd: Int32
    init(path: String, wait: Bool) throws {
        fd = open(path + "/writer.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io(path: path + "/writer.lock", reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            close(fd)
            throw StoreError.locked(path: path)
        }
    }
    func release() { flock(fd, LOCK_UN); close(fd) }
}
