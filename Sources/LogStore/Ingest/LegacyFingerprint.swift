import Foundation

/// The fingerprint stores made before whole-content hashing recorded: `size:FNV-1a of the first and
/// last MiB`. It is only ever compared with entries of that old form (new entries start `xxh64:`),
/// so that a folder ingested again and again after an upgrade is not ingested a second time; two
/// different files can share it, which is why new entries no longer use it.
enum LegacyFingerprint {
    static func of(path: String) -> String? {
        guard path != "-", let fh = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? fh.close() }
        guard let size = try? fh.seekToEnd() else { return nil }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        // &*: FNV-1a is defined modulo 2^64.
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
