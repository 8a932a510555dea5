import Foundation

/// The file operations the store's writers make (segment files, publish, orphan and retired-file
/// removal), behind one seam so that tests can fail any one of them (EIO, ENOSPC, a torn write) or
/// simulate a power loss (see Tests/LogStoreTests/FaultInjectionTests.swift). One call per file
/// operation, never per row. Errors carry the errno text, so `StoreError.io` reads as before.
protocol StoreFileSystem: AnyObject, Sendable {
    /// Creates (or truncates) `path` for writing; returns the descriptor.
    func create(_ path: String) throws -> Int32
    /// Writes all of `bytes` at the descriptor's position.
    func write(_ fd: Int32, path: String, _ bytes: UnsafeRawBufferPointer) throws
    func fsync(_ fd: Int32, path: String) throws
    func close(_ fd: Int32)
    func rename(_ from: String, _ to: String) throws
    /// Removes a file; a missing one is not an error.
    func unlink(_ path: String) throws
    func fsyncDirectory(_ path: String) throws
    /// Creates the folder when missing; returns true when it was created (its parent then needs an fsync).
    func makeDirectory(_ path: String) throws -> Bool
}

/// The operating system's calls.
final class RealFileSystem: StoreFileSystem {
    static let shared = RealFileSystem()

    private func fail(_ path: String, _ op: String? = nil) -> StoreError {
        let reason = String(cString: strerror(errno))
        return .io(path: path, reason: op.map { "\($0): \(reason)" } ?? reason)
    }

    func create(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail(path) }
        return fd
    }

    func write(_ fd: Int32, path: String, _ bytes: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw fail(path) }
            off += n
        }
    }

    func fsync(_ fd: Int32, path: String) throws {
        guard Foundation.fsync(fd) == 0 else { throw fail(path, "fsync") }
    }

    func close(_ fd: Int32) { _ = Foundation.close(fd) }

    func rename(_ from: String, _ to: String) throws {
        guard Foundation.rename(from, to) == 0 else { throw fail(to) }
    }

    func unlink(_ path: String) throws {
        guard Foundation.unlink(path) == 0 || errno == ENOENT else { throw fail(path) }
    }

    func fsyncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw fail(path) }
        defer { _ = Foundation.close(fd) }
        guard Foundation.fsync(fd) == 0 else { throw fail(path, "fsync") }
    }

    func makeDirectory(_ path: String) throws -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        guard errno == EEXIST else { throw fail(path) }
        return false
    }
}

extension StoreFileSystem {
    /// `mkdir -p`, each folder it creates fsynced into its parent (else a power loss can take the
    /// folder away with every file in it, fsynced or not).
    func makeDirectories(_ path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path && !FileManager.default.fileExists(atPath: parent) { try makeDirectories(parent) }
        if try makeDirectory(path) { try fsyncDirectory(parent.isEmpty ? "." : parent) }
    }
}
