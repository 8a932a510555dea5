import Foundation
import CZlib

/// Reads a file or stdin, plain or gzip (told apart by the magic bytes), hashing the bytes as they
/// are read.
///
/// Why not zlib's gz* functions: `gzread` drops what it decompressed in a call that meets damage,
/// so one flipped byte in a small file lost every line before it; here `inflate` hands out what it
/// produced before the error, and the error comes on the next read. Files are opened with
/// O_NONBLOCK and checked with fstat before any read, so a FIFO, socket or directory named
/// `*.jsonl` is refused at once instead of blocking the run while it holds the writer lock.
final class InputReader {
    let displayName: String
    private let fd: Int32
    /// Size and modification time when opened (nil for stdin), to tell whether the file changed while read.
    private let opened: (size: Int64, mtime: timespec)?
    private let path: String

    private var gzip: UnsafeMutablePointer<z_stream>? = nil
    private var sniffed = false
    private var gzipDone = false
    private var pendingError: ReadError? = nil
    private var atEOF = false

    private let rawCapacity = 1 << 20
    private let raw: UnsafeMutablePointer<UInt8>
    private var rawStart = 0, rawEnd = 0
    private var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// Hash and count of the file's bytes read so far (compressed bytes for gzip): what the catalog records.
    private(set) var hash = ContentHash()
    private(set) var rawBytesRead = 0

    struct ReadError: Error { let message: String }

    init(path: String) throws {
        self.path = path
        displayName = path == "-" ? "<stdin>" : path
        raw = .allocate(capacity: rawCapacity)
        if path == "-" {
            fd = dup(0)
            opened = nil
        } else {
            let f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            guard f >= 0 else {
                let e = errno
                raw.deallocate()
                throw StoreError.input(path: path, reason: e == ENXIO ? "not a regular file (a socket)" : "cannot open: \(String(cString: strerror(e)))")
            }
            var st = stat()
            guard fstat(f, &st) == 0 else {
                let e = errno; close(f); raw.deallocate()
                throw StoreError.input(path: path, reason: "cannot stat: \(String(cString: strerror(e)))")
            }
            let kind = st.st_mode & S_IFMT
            guard kind == S_IFREG else {
                close(f); raw.deallocate()
                let what = kind == S_IFDIR ? "a directory" : kind == S_IFIFO ? "a FIFO" : kind == S_IFSOCK ? "a socket" : kind == S_IFCHR ? "a character device" : "a special file"
                throw StoreError.input(path: path, reason: "not a regular file (\(what))")
            }
            // A regular file never blocks; reads go back to blocking so that short reads mean end of file.
            _ = fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK)
            fd = f
            opened = (Int64(st.st_size), st.st_mtim)
        }
        guard fd >= 0 else { raw.deallocate(); throw StoreError.input(path: displayName, reason: "cannot open: \(String(cString: strerror(errno)))") }
    }

    deinit {
        if let z = gzip { inflateEnd(z); z.deallocate() }
        close(fd)
        raw.deallocate()
        scratch.deallocate()
    }

    /// Reads more raw bytes into `raw[rawEnd...]` (after moving what is unread to the front); false at end of file.
    private func readRaw() throws -> Bool {
        if rawStart > 0 {
            if rawEnd > rawStart { memmove(raw, raw + rawStart, rawEnd - rawStart) }
            rawEnd -= rawStart; rawStart = 0
        }
        while true {
            let n = Foundation.read(fd, raw + rawEnd, rawCapacity - rawEnd)
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(message: "read error: \(String(cString: strerror(errno)))")
            }
            if n == 0 { return false }
            hash.update(UnsafeRawBufferPointer(start: raw + rawEnd, count: n))
            rawBytesRead += n
            rawEnd += n
            return true
        }
    }

    /// Appends up to `max` bytes to `buf`; returns the count (0 at end of input). Bytes decoded
    /// before damage in a gzip stream are returned first; the damage is the next call's error.
    func read(into buf: inout [UInt8], max: Int) throws -> Int {
        if let e = pendingError { pendingError = nil; atEOF = true; throw e }
        if atEOF { return 0 }
        if !sniffed {
            sniffed = true
            while rawEnd < 2, try readRaw() {}
            if rawEnd >= 2 && raw[0] == 0x1F && raw[1] == 0x8B {
                let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
                z.initialize(to: z_stream())
                guard inflateInit2_(z, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                    z.deallocate(); throw ReadError(message: "cannot start gzip decoding")
                }
                gzip = z
            }
        }
        guard let z = gzip else { return try readPlain(into: &buf, max: max) }
        if scratch.count < max { scratch.deallocate(); scratch = .allocate(byteCount: max, alignment: 16) }
        let out = scratch.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var produced = 0
        while produced < max && !gzipDone {
            if rawStart == rawEnd {
                if try !readRaw() {
                    pendingError = ReadError(message: "truncated gzip stream (unexpected end of file after \(rawBytesRead) compressed bytes)")
                    gzipDone = true
                    break
                }
            }
            z.pointee.next_in = raw + rawStart
            z.pointee.avail_in = UInt32(rawEnd - rawStart)
            z.pointee.next_out = out + produced
            z.pointee.avail_out = UInt32(max - produced)
            let rc = inflate(z, Z_NO_FLUSH)
            let used = (rawEnd - rawStart) - Int(z.pointee.avail_in)
            rawStart += used
            produced = max - Int(z.pointee.avail_out)
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                // Another member may follow (concatenated gzip files); anything else after the last one is ignored, as gzip does.
                if rawStart == rawEnd { _ = try readRaw() }
                if rawEnd - rawStart >= 2 && raw[rawStart] == 0x1F && raw[rawStart + 1] == 0x8B { inflateReset(z) } else { gzipDone = true }
            default:
                let msg = z.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                pendingError = ReadError(message: "corrupt gzip stream (\(msg)) after \(Int(z.pointee.total_in)) compressed bytes")
                gzipDone = true
            }
        }
        buf.append(contentsOf: UnsafeBufferPointer(start: out, count: produced))
        if gzipDone {
            // Read the rest, so that the recorded hash and size cover the whole file, damaged or not.
            rawStart = rawEnd
            while try readRaw() { rawStart = rawEnd }
        }
        if produced == 0 {
            atEOF = true
            if let e = pendingError { pendingError = nil; throw e }
        }
        return produced
    }

    private func readPlain(into buf: inout [UInt8], max: Int) throws -> Int {
        var produced = 0
        while produced < max {
            if rawStart == rawEnd, try !readRaw() { break }
            let n = min(max - produced, rawEnd - rawStart)
            buf.append(contentsOf: UnsafeBufferPointer(start: raw + rawStart, count: n))
            rawStart += n; produced += n
        }
        if produced == 0 { atEOF = true }
        return produced
    }

    /// What changed in the file since it was opened (size or modification time), if anything.
    func changeSinceOpened() -> String? {
        guard let o = opened else { return nil }
        var st = stat()
        guard stat(path, &st) == 0 else { return "the file was removed while it was read" }
        if Int64(st.st_size) != o.size { return "the file changed while it was read (size \(o.size) → \(st.st_size) bytes)" }
        if st.st_mtim.tv_sec != o.mtime.tv_sec || st.st_mtim.tv_nsec != o.mtime.tv_nsec { return "the file changed while it was read (modification time)" }
        return nil
    }

    /// The fingerprint of what was read: the catalog's `ingests.fingerprint`.
    var fingerprint: String { ContentHash.fingerprint(hash: hash.finish(), bytes: rawBytesRead) }

    /// The fingerprint of a whole file's current content, computed before ingesting it to find a
    /// prior ingest of the same content without shredding it again (nil when it cannot be read).
    static func fingerprint(ofFileAt path: String) -> String? {
        let f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard f >= 0 else { return nil }
        defer { close(f) }
        var st = stat()
        guard fstat(f, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        _ = fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK)
        var h = ContentHash()
        var total = 0
        let cap = 1 << 20
        let b = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 16)
        defer { b.deallocate() }
        while true {
            let n = Foundation.read(f, b, cap)
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            h.update(UnsafeRawBufferPointer(start: b, count: n)); total += n
        }
        return ContentHash.fingerprint(hash: h.finish(), bytes: total)
    }
}
