import Foundation

public struct CompactOptions: Sendable {
    /// Rows per merged segment (the same bound ingest uses).
    public var targetRows = 131_072
    /// Segments with fewer rows than this are merged with their neighbours in time.
    public var smallRows = 65_536
    public init() {}
}

public struct CompactReport: Sendable, Equatable {
    public var table: String
    public var segmentsBefore: Int
    public var segmentsAfter: Int
    public var rowsRewritten: Int
    public var bytesBefore: Int
    public var bytesAfter: Int
}

public struct DropReport: Sendable, Equatable {
    public var table: String
    public var segmentsDropped: Int
    public var rowsDropped: Int
    public var bytesDropped: Int
    /// Segments that hold rows on both sides of the cut: kept whole.
    public var segmentsStraddling: Int
}

extension Store {
    /// Takes segments out of the catalog and lists new ones, in one transaction; the old files are
    /// retired, not deleted, until no reader can be using them.
    func replaceSegments(removing old: [SegmentInfo], adding new: [PendingSegment]) throws {
        lock.lock(); defer { lock.unlock() }
        try catalog.transaction {
            let now = Catalog.now()
            try catalog.retireSegments(old, at: now)
            for seg in new { try catalog.insertSegment(seg, ingestID: nil, at: now) }
        }
    }

    // MARK: retention

    /// Removes every segment whose rows all lie before `cutoff` (ticks), from `tables` or all tables.
    /// Segments that straddle the cut stay whole; tables without a time column are not touched.
    public func drop(before cutoff: Int64, tables: [String]? = nil, dryRun: Bool = false) throws -> [DropReport] {
        precondition(!readOnly, "drop on a store opened read-only")
        let writer = try WriterLock(path: path, wait: true)
        defer { writer.release() }
        var reports: [DropReport] = []
        for table in try tables ?? tableNames() {
            guard let schema = try schema(of: table) else { throw StoreError.tableNotFound(table) }
            guard schema.timeColumn != nil else { continue }
            let segs = try segments(of: table)
            let gone = segs.filter { s in s.maxTime.map { $0 < cutoff } ?? false }
            let straddling = segs.filter { s in (s.minTime.map { $0 < cutoff } ?? false) && !(s.maxTime.map { $0 < cutoff } ?? false) }
            if !dryRun && !gone.isEmpty { try replaceSegments(removing: gone, adding: []) }
            reports.append(DropReport(table: table, segmentsDropped: gone.count, rowsDropped: gone.reduce(0) { $0 + $1.rows },
                                      bytesDropped: gone.reduce(0) { $0 + $1.bytes }, segmentsStraddling: straddling.count))
        }
        if !dryRun { reclaimRetired() }
        return reports
    }

    // MARK: compaction

    /// Merges small segments (many small ingests, or appends from a daemon) with their neighbours in
    /// time into segments of about `targetRows`. Each merged group is one transaction: readers see
    /// the old segments or the new ones, never both or neither.
    public func compact(tables: [String]? = nil, options: CompactOptions = CompactOptions()) throws -> [CompactReport] {
        precondition(!readOnly, "compact on a store opened read-only")
        let writer = try WriterLock(path: path, wait: true)
        defer { writer.release() }
        var reports: [CompactReport] = []
        for table in try tables ?? tableNames() {
            guard let schema = try schema(of: table) else { throw StoreError.tableNotFound(table) }
            let segs = try segments(of: table)
            var report = CompactReport(table: table, segmentsBefore: segs.count, segmentsAfter: segs.count, rowsRewritten: 0,
                                       bytesBefore: segs.reduce(0) { $0 + $1.bytes }, bytesAfter: 0)
            for group in Store.compactionGroups(segs, options) {
                let written = try merge(group, schema: schema, targetRows: options.targetRows)
                report.segmentsAfter += written - group.count
                report.rowsRewritten += group.reduce(0) { $0 + $1.rows }
            }
            report.bytesAfter = try segments(of: table).reduce(0) { $0 + $1.bytes }
            reports.append(report)
        }
        reclaimRetired()
        return reports
    }

    /// Runs of small segments, adjacent in time order, each holding about `targetRows` rows
    /// (a run of one is left alone).
    static func compactionGroups(_ segs: [SegmentInfo], _ options: CompactOptions) -> [[SegmentInfo]] {
        var groups: [[SegmentInfo]] = [], current: [SegmentInfo] = [], rows = 0
        func close() { if current.count > 1 { groups.append(current) }; current = []; rows = 0 }
        for s in segs {
            guard s.rows < options.smallRows else { close(); continue }
            if rows + s.rows > options.targetRows { close() }
            current.append(s); rows += s.rows
        }
        close()
        return groups
    }

    /// Reads a group whole (as the table's current types), sorts it by time, writes it back in
    /// segments of at most `targetRows`, and swaps them in. Returns the number of segments written.
    func merge(_ group: [SegmentInfo], schema: TableSchema, targetRows: Int) throws -> Int {
        let names = schema.columns.map(\.name)
        var merged: [Column]? = nil
        var rows = 0
        for s in group {
            let b = try read(s, columns: names, schema: schema)
            if merged == nil { merged = b.columns } else { for i in 0..<names.count { merged![i].append(b.columns[i]) } }
            rows += b.count
        }
        guard var cols = merged else { return 0 }
        if let tc = schema.timeColumn, let ti = names.firstIndex(of: tc), cols[ti].type == .datetime {
            let times = cols[ti].int64Values, valid = cols[ti].validity
            let key: (Int) -> Int64 = { i in (valid?[i] ?? 1) == 0 ? Int64.min : times[i] }
            let perm = (0..<rows).sorted { let a = key($0), b = key($1); return a < b || (a == b && $0 < $1) }.map { Int32($0) }
            cols = cols.map { $0.gather(perm) }
        }
        var pending: [PendingSegment] = []
        do {
            var start = 0
            while start < rows {
                let end = min(rows, start + min(targetRows, SegmentFormat.maxRows))  // readers reject more
                var part = cols.map { $0.slice(start..<end) }
                pending.append(try writeSegment(table: schema.name, schema: schema.columns, columns: &part, rows: end - start,
                                                timeColumn: schema.timeColumn))
                start = end
            }
            try publish(pending)
            try replaceSegments(removing: group, adding: pending)
        } catch {
            discard(pending)
            throw error
        }
        return pending.count
    }
}
