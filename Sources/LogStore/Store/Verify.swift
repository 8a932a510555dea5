import Foundation

/// One thing `Store.verify` found wrong.
public struct StoreProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The catalog entry (row count, time range, statistics, filters) fails its checksums; the
        /// file itself reads back whole. Repair rebuilds the entry from the file: nothing is lost.
        case entry
        /// The file is missing, unreadable, or fails its own checksums. Repair quarantines it.
        case file
        /// A file under `segments/` that no catalog entry lists.
        case orphan
    }
    public var kind: Kind
    public var table: String
    /// The catalog's segment id (nil for an orphan file).
    public var segment: Int64?
    /// Relative to the store: `segments/<table>/<name>.seg`.
    public var path: String
    public var what: String
    /// Rows the catalog lists for the segment (0 for an orphan).
    public var rows: Int

    /// `table<TAB>segment<TAB>path<TAB>what`, the line `logq verify` prints.
    public var description: String { "\(table)\t\(segment.map(String.init) ?? "-")\t\(path)\t\(what)" }
}

public struct VerifyReport: Sendable {
    public var tables = 0
    public var segments = 0
    public var problems: [StoreProblem] = []
    /// The catalog predates entry checksums (schema below 4, opened read-only): entries were not verified.
    public var entriesUnverified = false
}

/// What `Store.repair` did about one problem.
public struct RepairAction: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case quarantined, rebuilt, orphanMoved = "orphan-moved" }
    public var kind: Kind
    public var problem: StoreProblem
    /// Where the file went (relative to the store), when it was moved.
    public var movedTo: String?
    /// Rows taken out of the table (0 for a rebuilt entry or an orphan).
    public var rowsLost: Int

    public var description: String {
        switch kind {
        case .quarantined:
            return "quarantined\t\(problem.table)\t\(problem.segment.map(String.init) ?? "-")\t\(problem.path)\t\(rowsLost) rows lost from \(problem.table): \(problem.what)"
                + (movedTo.map { " (file moved to \($0))" } ?? " (file was missing)")
        case .rebuilt:
            return "rebuilt\t\(problem.table)\t\(problem.segment.map(String.init) ?? "-")\t\(problem.path)\tcatalog entry rebuilt from the file, no rows lost (was: \(problem.what))"
        case .orphanMoved:
            return "orphan\t\(problem.table)\t-\t\(problem.path)\tmoved to \(movedTo ?? "?"), no rows lost (no catalog entry listed it)"
        }
    }
}

extension Store {
    static let quarantineName = "quarantine"

    /// Checks the whole store: every catalog entry's checksums (entry, statistics, Bloom and term
    /// filters), every listed segment file (present, footer and every block checksum, every column
    /// decodes, row count, size and checksum as the catalog says), and files no entry lists.
    /// Reads one catalog snapshot, so a concurrent ingest is not mistaken for damage.
    public func verify() throws -> VerifyReport {
        var report = VerifyReport()
        // Under a lease, so that compaction cannot delete a file the snapshot still lists.
        let lease = beginRead()
        defer { withExtendedLifetime(lease) {} }
        // Files first, then the catalog: a file published in between is listed by both.
        let files = Set(listSegmentFiles())
        let snap = try snapshot()
        report.entriesUnverified = !snap.catalog.hasChecksums
        var listed = Set<String>()
        let tables = try snap.catalog.tableNames()
        report.tables = tables.count
        for table in tables {
            for seg in try snap.segments(of: table) {
                report.segments += 1
                listed.insert(seg.file)
                report.problems += try verify(seg, catalog: snap.catalog)
            }
        }
        listed.formUnion(try snap.catalog.retiredFiles())
        for f in files.sorted() where !listed.contains(f) {
            // Deleted since it was listed (a retired file reclaimed): not an orphan.
            guard FileManager.default.fileExists(atPath: segmentsDirectory + "/" + f) else { continue }
            let table = f.split(separator: "/").first.map(String.init) ?? ""
            report.problems.append(StoreProblem(kind: .orphan, table: table, segment: nil, path: "segments/" + f,
                                                what: "file is not listed in the catalog", rows: 0))
        }
        return report
    }

    /// Segment files under `segments/`, as `table-dir/name` (in-flight `.tmp` files excluded).
    func listSegmentFiles() -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for t in ((try? fm.contentsOfDirectory(atPath: segmentsDirectory)) ?? []).sorted() {
            for f in ((try? fm.contentsOfDirectory(atPath: segmentsDirectory + "/" + t)) ?? []).sorted() where !f.hasSuffix(".tmp") {
                out.append(t + "/" + f)
            }
        }
        return out
    }

    func verify(_ seg: SegmentInfo, catalog: Catalog) throws -> [StoreProblem] {
        var out: [StoreProblem] = []
        func problem(_ k: StoreProblem.Kind, _ what: String) {
            out.append(StoreProblem(kind: k, table: seg.table, segment: seg.id, path: "segments/" + seg.file, what: what, rows: seg.rows))
        }
        if let d = seg.damage { problem(.entry, d) }
        for bad in try catalog.damagedFilters(segment: seg.id) { problem(.entry, bad) }
        let path = segmentsDirectory + "/" + seg.file
        let reader: SegmentReader
        do { reader = try SegmentReader(path: path) } catch let e as StoreError {
            problem(.file, Store.fileProblem(e)); return out
        }
        if seg.damage == nil {
            if reader.footer.checksum != seg.checksum { problem(.file, "footer checksum \(reader.footer.checksum) differs from the catalog's \(seg.checksum)") }
            if reader.footer.rows != seg.rows { problem(.file, "file holds \(reader.footer.rows) rows, the catalog lists \(seg.rows)") }
            if reader.fileSize != seg.bytes { problem(.file, "file is \(reader.fileSize) bytes, the catalog lists \(seg.bytes)") }
        }
        for info in reader.footer.columns {
            do { _ = try reader.read(info) } catch let e as StoreError { problem(.file, Store.fileProblem(e)); break }
        }
        return out
    }

    static func fileProblem(_ e: StoreError) -> String {
        switch e {
        case .segmentMissing(_, let r): return "file is missing or unreadable: \(r)"
        case .corruptSegment(_, let o, let r): return "corrupt at offset \(o): \(r)"
        case .io(_, let r): return "read error: \(r)"
        default: return "\(e)"
        }
    }

    /// Verifies the store and repairs what it can: a damaged catalog entry whose file reads back
    /// whole is rebuilt from the file (nothing lost); a segment whose file is missing or damaged
    /// is quarantined (its file moved to `quarantine/`, its entry moved to the catalog's
    /// `quarantine` table) so that the rest of its table stays queryable, and its rows are the
    /// stated loss; orphan files are moved to `quarantine/` too. Holds the writer lock.
    public func repair() throws -> (before: VerifyReport, actions: [RepairAction]) {
        precondition(!readOnly, "repair on a store opened read-only")
        let writer = try WriterLock(path: path, wait: true)
        defer { writer.release() }
        let report = try verify()
        var actions: [RepairAction] = []
        var bySegment: [Int64: [StoreProblem]] = [:]
        var order: [Int64] = []
        for p in report.problems {
            guard let id = p.segment else { continue }
            if bySegment[id] == nil { order.append(id) }
            bySegment[id, default: []].append(p)
        }
        for id in order {
            let ps = bySegment[id]!
            if let fileProblem = ps.first(where: { $0.kind == .file }) {
                actions.append(try quarantine(fileProblem))
            } else {
                try rebuildEntry(ps[0])
                actions.append(RepairAction(kind: .rebuilt, problem: ps[0], movedTo: nil, rowsLost: 0))
            }
        }
        for p in report.problems where p.kind == .orphan {
            let moved = try moveToQuarantine(p.path)
            actions.append(RepairAction(kind: .orphanMoved, problem: p, movedTo: moved, rowsLost: 0))
        }
        return (report, actions)
    }

    /// Moves `segments/...` to `quarantine/...` (same relative layout); nil when the file is gone.
    private func moveToQuarantine(_ relative: String) throws -> String? {
        let from = path + "/" + relative
        guard FileManager.default.fileExists(atPath: from) else { return nil }
        let rest = relative.hasPrefix("segments/") ? String(relative.dropFirst("segments/".count)) : relative
        var to = Store.quarantineName + "/" + rest
        if FileManager.default.fileExists(atPath: path + "/" + to) { to += ".\(Checked.int64(truncating: Date().timeIntervalSince1970) ?? 0)" }
        let dir = ((path + "/" + to) as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        guard rename(from, path + "/" + to) == 0 else { throw StoreError.io(path: from, reason: "cannot move to \(to): \(String(cString: strerror(errno)))") }
        fsyncDirectory(dir)
        fsyncDirectory((from as NSString).deletingLastPathComponent)
        return to
    }

    private func quarantine(_ p: StoreProblem) throws -> RepairAction {
        // The file moves first: a crash before the catalog commit leaves the entry pointing at a
        // missing file, which the next verify/repair reports and finishes.
        let moved = try moveToQuarantine(p.path)
        lock.lock(); defer { lock.unlock() }
        try catalog.transaction {
            try catalog.quarantineSegment(p.segment!, movedTo: moved, reason: p.what, at: Catalog.now())
        }
        return RepairAction(kind: .quarantined, problem: p, movedTo: moved, rowsLost: p.rows)
    }

    /// Rewrites a damaged entry from its file: row count, size, checksum, time range and every
    /// column's statistics and filters, computed from the decoded columns.
    private func rebuildEntry(_ p: StoreProblem) throws {
        let id = p.segment!
        let file = String(p.path.dropFirst("segments/".count))
        let reader = try SegmentReader(path: segmentsDirectory + "/" + file)
        let timeColumn = try schema(of: p.table)?.timeColumn
        var stats: [(String, ColumnStats)] = []
        var minTime: Int64? = nil, maxTime: Int64? = nil
        for info in reader.footer.columns {
            let st = SegmentFormat.stats(of: try reader.read(info))
            stats.append((info.name, st))
            if info.name == timeColumn && info.type == .datetime { minTime = st.minInt; maxTime = st.maxInt }
        }
        lock.lock(); defer { lock.unlock() }
        try catalog.transaction {
            try catalog.rewriteEntry(id, rows: reader.footer.rows, minTime: minTime, maxTime: maxTime, bytes: reader.fileSize,
                                     checksum: reader.footer.checksum, stats: stats)
        }
    }
}
