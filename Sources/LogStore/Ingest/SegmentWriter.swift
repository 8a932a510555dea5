import Foundation

struct PendingSegment {
    var table: String
    var file: String        // relative to segments/
    var tempPath: String
    var rows: Int
    var minTime: Int64?
    var maxTime: Int64?
    var bytes: Int
    var checksum: UInt32
    var schema: [ColumnSchema]
    var stats: [ColumnStats]
    var timeColumn: String?
}

extension IngestJob {
    func flush(table: String, builder b: TableBuilder) throws {
        var (schema, cols, rows) = b.take()
        guard rows > 0 else { return }
        // Time column: the catalog's for an existing table, else the first datetime candidate.
        store.lock.lock()
        let existing = try? store.catalog.schema(of: table)
        store.lock.unlock()
        var timeColumn = existing?.timeColumn
        if existing == nil {
            timeColumn = KnownSchemas.timeColumnCandidates.first { n in schema.contains { $0.name == n && $0.type == .datetime } }
        }
        pending.append(try store.writeSegment(table: table, schema: schema, columns: &cols, rows: rows, timeColumn: timeColumn))
    }
}

extension Store {
    /// Writes one segment under a temporary name (fsynced): rows sorted by the time column (nulls
    /// first, stable), frequent dynamic keys shredded into sub-columns. The caller renames it into
    /// place and lists it in the catalog (see `publish`).
    /// `cols` is emptied as it is encoded, so that the rows are not held twice.
    func writeSegment(table: String, schema inSchema: [ColumnSchema], columns cols: inout [Column], rows: Int, timeColumn: String?) throws -> PendingSegment {
        // A reader rejects a footer claiming more rows (docs/FORMAT.md): refuse to write one.
        guard rows <= SegmentFormat.maxRows else {
            throw StoreError.input(path: table, reason: "\(rows) rows exceed the maximum of \(SegmentFormat.maxRows) per segment")
        }
        var schema = inSchema
        var minTime: Int64? = nil, maxTime: Int64? = nil
        if let tc = timeColumn, let ti = schema.firstIndex(where: { $0.name == tc }), schema[ti].type == .datetime {
            let times = cols[ti].int64Values
            let valid = cols[ti].validity
            var sorted = true
            for i in 1..<max(rows, 1) where times[i] < times[i - 1] { sorted = false; break }
            if !sorted || valid != nil {
                let key: (Int) -> Int64 = { i in (valid?[i] ?? 1) == 0 ? Int64.min : times[i] }
                let perm = (0..<rows).sorted { let a = key($0), b = key($1); return a < b || (a == b && $0 < $1) }.map { Int32($0) }
                for c in 0..<cols.count { cols[c] = cols[c].gather(perm) }
            }
            let t2 = cols[ti].int64Values
            let v2 = cols[ti].validity
            for i in 0..<rows where (v2?[i] ?? 1) != 0 {
                minTime = min(minTime ?? t2[i], t2[i]); maxTime = max(maxTime ?? t2[i], t2[i])
            }
        }
        // Frequent keys of dynamic columns get sub-columns (see DynamicPaths).
        for (k, c) in zip(schema, cols) where c.type == .dynamic && DynamicPaths.split(k.name) == nil {
            let keys = DynamicPaths.frequentKeys(c)
            for (key, sub) in zip(keys, DynamicPaths.extract(c, keys: keys)) {
                schema.append(ColumnSchema(name: DynamicPaths.subcolumn(k.name, key), type: .dynamic))
                cols.append(sub)
            }
        }
        for (k, c) in zip(schema, cols) {   // readers reject more (docs/FORMAT.md, Limits)
            if case .bytes(let s) = c.storage, s.offsets.last! - s.offsets.first! > SegmentFormat.maxColumnBytes {
                throw StoreError.input(path: table, reason: "column '\(k.name)': \(SegmentFormat.expandsTooFar(s.offsets.last! - s.offsets.first!))")
            }
        }
        let enc = SegmentFormat.encode(schema: schema, columns: &cols, rows: rows)
        cols = []
        let dirName = Self.directoryName(for: table)
        let dir = segmentsDirectory + "/" + dirName
        // A new table's folder is an entry in segments/: fsynced there (see makeDirectories), or a
        // power loss could take the folder (and every segment the catalog then lists in it) away.
        try fs.makeDirectories(dir)
        let name = "\(UInt64(Date().timeIntervalSince1970 * 1e6))-\(getpid())-\(Store.nextSegmentNumber()).seg"
        let temp = dir + "/" + name + ".tmp"
        try writeDurably(enc.bytes, to: temp)
        return PendingSegment(table: table, file: dirName + "/" + name, tempPath: temp, rows: rows, minTime: minTime, maxTime: maxTime,
                              bytes: enc.bytes.count, checksum: enc.checksum, schema: schema, stats: enc.stats, timeColumn: timeColumn)
    }

    private static let counterLock = NSLock()
    nonisolated(unsafe) private static var segmentNumber = 0
    static func nextSegmentNumber() -> Int {
        counterLock.lock(); defer { counterLock.unlock() }
        segmentNumber += 1
        return segmentNumber
    }

    static func directoryName(for table: String) -> String {
        let safe = String(table.unicodeScalars.map { c -> Character in
            (c.isASCII && (CharacterSet.alphanumerics.contains(c) || c == "_" || c == "-")) ? Character(c) : "_"
        })
        // A file name holds 255 bytes: a long table name (Kusto allows 1,024 characters) keeps a prefix and its hash.
        if safe == table && !safe.isEmpty && safe.utf8.count <= 128 { return safe }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in table.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(safe.prefix(128)) + "-" + String(h, radix: 16)
    }

    func writeDurably(_ bytes: [UInt8], to path: String) throws {
        let fd = try fs.create(path)
        defer { fs.close(fd) }
        try bytes.withUnsafeBytes { try fs.write(fd, path: path, $0) }
        try fs.fsync(fd, path: path)
    }
}

/// Best effort, for callers that cannot act on a failure (repair's moves); the writers use
/// `StoreFileSystem.fsyncDirectory`, which throws.
func fsyncDirectory(_ path: String) {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 { fsync(fd); close(fd) }
}
