import Foundation
import CZlib

/// Reads a file or stdin, plain or gzip (zlib's gz* functions tell them apart by the magic bytes).
final class InputReader {
    let displayName: String
    private var gz: gzFile?

    init(path: String) throws {
        displayName = path == "-" ? "<stdin>" : path
        if path == "-" {
            gz = gzdopen(dup(0), "rb")
        } else {
            var st = stat()
            guard stat(path, &st) == 0 else { throw StoreError.input(path: path, reason: String(cString: strerror(errno))) }
            guard (st.st_mode & S_IFMT) == S_IFREG else { throw StoreError.input(path: path, reason: "not a regular file") }
            gz = gzopen(path, "rb")
        }
        guard gz != nil else { throw StoreError.input(path: displayName, reason: "cannot open: \(String(cString: strerror(errno)))") }
        gzbuffer(gz, 1 << 20)
    }

    private var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    deinit {
        if let g = gz { gzclose(g) }
        scratch.deallocate()
    }

    struct ReadError: Error { let message: String }

    /// Appends up to `max` bytes to `buf`; returns the count (0 at end of input).
    func read(into buf: inout [UInt8], max: Int) throws -> Int {
        // zlib reads into a scratch buffer that is copied once; growing `buf` by `max` zeros and
        // trimming it again costs a pass per element in debug builds (the tests).
        if scratch.count < max { scratch.deallocate(); scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max, alignment: 16) }
        var got = 0
        let n = gzread(gz, scratch.baseAddress!, UInt32(max))
        if n < 0 {
            var errnum: Int32 = 0
            let msg = gzerror(gz, &errnum).map { String(cString: $0) } ?? "read error"
            if errnum == Z_BUF_ERROR || msg.contains("unexpected end") { throw ReadError(message: "truncated gzip stream (\(msg))") }
            throw ReadError(message: errnum == Z_DATA_ERROR ? "corrupt gzip stream (\(msg))" : msg)
        }
        got = Int(n)
        buf.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<got]).bindMemory(to: UInt8.self))
        if got == 0 {
            // End of input: zlib reports a stream cut short only here.
            var errnum: Int32 = 0
            let msg = gzerror(gz, &errnum).map { String(cString: $0) } ?? ""
            if errnum == Z_BUF_ERROR { throw ReadError(message: "truncated gzip stream (\(msg))") }
            if errnum != Z_OK && errnum != Z_STREAM_END { throw ReadError(message: "corrupt gzip stream (\(msg))") }
        }
        return got
    }

    func readAll(limit: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        while true {
            let n = try read(into: &out, max: 8 << 20)
            if n == 0 { return out }
            if out.count > limit { throw ReadError(message: "a single JSON document larger than \(limit >> 20) MiB; export it as NDJSON (one record per line)") }
        }
    }
}

/// A cheap fingerprint of a file's content (size and FNV-1a of its first and last MiB), used to
/// recognise a file that was ingested before without reading all of it.
enum Fingerprint {
    static func of(path: String) -> String? {
        guard path != "-", let fh = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? fh.close() }
        guard let size = try? fh.seekToEnd() else { return nil }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ d: Data) { for b in d { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 } }
        try? fh.seek(toOffset: 0)
        mix((try? fh.read(upToCount: 1 << 20)) ?? Data())
        if size > 2 << 20 {
            try? fh.seek(toOffset: size - (1 << 20))
            mix((try? fh.read(upToCount: 1 << 20)) ?? Data())
        }
        return "\(size):\(String(h, radix: 16))"
    }
}
