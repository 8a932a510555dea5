import Foundation

/// What a scan asks of a table: which columns, which time window, and simple predicates used to
/// skip segments whose statistics rule them out. Rows inside a kept segment are not filtered:
/// the caller applies its own predicate exactly.
public struct ScanRequest: Sendable {
    public var columns: [String]?
    /// Inclusive lower and exclusive upper bound on the table's time column, in ticks.
    public var timeFrom: Int64?
    public var timeTo: Int64?
    public var predicates: [ScanPredicate]

    public init(columns: [String]? = nil, timeFrom: Int64? = nil, timeTo: Int64? = nil, predicates: [ScanPredicate] = []) {
        self.columns = columns; self.timeFrom = timeFrom; self.timeTo = timeTo; self.predicates = predicates
    }
}

public enum ScanPredicate: Sendable, Equatable {
    /// column value within [min, max] (ticks or integers); either bound may be open.
    case intRange(column: String, min: Int64?, max: Int64?)
    case realRange(column: String, min: Double?, max: Double?)
    /// case-sensitive string equality.
    case stringEquals(column: String, value: String)
    /// `has`: every one of these lower-cased terms is a whole term of the value.
    case hasTerms(column: String, terms: [String])
}

public struct ScanStats: Sendable {
    public var segmentsTotal = 0
    public var segmentsRead = 0
    public var segmentsPruned = 0
    public var rowsRead = 0
    public var bytesRead = 0
    public init() {}
}

extension Store {
    /// The segments of `table` that `request` may match, and how many were pruned, as the catalog
    /// is now. A query reads every table through one `StoreSnapshot` instead, so that its scans agree.
    public func plan(_ table: String, _ request: ScanRequest) throws -> (kept: [SegmentInfo], pruned: Int) {
        guard let schema = try schema(of: table) else { throw StoreError.tableNotFound(table) }
        if table == Store.rejectsTable { return ([Store.rejectsSegment], 0) }
        return try Store.prune(try segments(of: table), schema: schema, request, catalog: catalog, lock: lock)
    }

    static let rejectsSegment = SegmentInfo(id: 0, table: Store.rejectsTable, file: "", rows: 0, minTime: nil, maxTime: nil, bytes: 0, checksum: 0, stats: [:])

    /// Drops the segments whose catalog entry rules `request` out. An entry that fails its
    /// checksums (`SegmentInfo.damage`) is kept: it is read whole rather than trusted.
    static func prune(_ all: [SegmentInfo], schema: TableSchema, _ request: ScanRequest, catalog: Catalog, lock: NSLock) throws -> (kept: [SegmentInfo], pruned: Int) {
        var kept: [SegmentInfo] = []
        for s in all {
            if s.damage != nil { kept.append(s); continue }
            if schema.timeColumn != nil {
                if let from = request.timeFrom, let mx = s.maxTime, mx < from { continue }
                if let to = request.timeTo, let mn = s.minTime, mn >= to { continue }
                if (request.timeFrom != nil || request.timeTo != nil) && s.minTime == nil { continue }
            }
            if request.predicates.contains(where: { !Store.mayMatch($0, s) }) { continue }
            if try request.predicates.contains(where: { p in
                switch p {
                case .stringEquals(let c, let v):
                    lock.lock(); defer { lock.unlock() }
                    return try !catalog.bloomMayContain(segment: s.id, column: c, value: v)
                case .hasTerms(let c, let terms):
                    lock.lock(); defer { lock.unlock() }
                    guard let f = try catalog.termFilter(segment: s.id, column: c) else { return false }
                    return terms.contains { !TermFilter.mayContain(f, term: $0) }
                default: return false
                }
            }) { continue }
            kept.append(s)
        }
        return (kept, all.count - kept.count)
    }

    static func mayMatch(_ p: ScanPredicate, _ s: SegmentInfo) -> Bool {
        switch p {
        case .intRange(let c, let lo, let hi):
            guard let st = s.stats[c], let mn = st.minInt, let mx = st.maxInt else { return s.stats[c].map { $0.nullCount < s.rows && $0.minReal != nil } ?? true }
            if let lo = lo, mx < lo { return false }
            if let hi = hi, mn > hi { return false }
            return true
        case .realRange(let c, let lo, let hi):
            guard let st = s.stats[c] else { return true }
            let mn = st.minReal ?? st.minInt.map(Double.init), mx = st.maxReal ?? st.maxInt.map(Double.init)
            guard let mn = mn, let mx = mx else { return st.nullCount < s.rows ? true : false }
            if let lo = lo, mx < lo { return false }
            if let hi = hi, mn > hi { return false }
            return true
        case .hasTerms: return true
        case .stringEquals(let c, let v):
            guard let st = s.stats[c], let mn = st.minString, let mx = st.maxString else { return true }
            let b = Array(v.utf8)
            if b.lexicographicallyPrecedes(Array(mn.utf8)) { return false }
            if Array(mx.utf8).lexicographicallyPrecedes(b) { return false }
            return true
        }
    }

    /// Reads `columns` of one segment as the table's current types (optionally only `rows`, in
    /// that order). Missing columns (added to the table after the segment was written) read as nulls.
    ///
    /// String columns named in `dictionaryOnly` come back as distinct values plus per-row codes
    /// when their segment stores them dictionary-encoded (see `Column.dictionaryOnly`): for
    /// group-by keys, which never need the strings per row.
    public func read(_ segment: SegmentInfo, columns: [String], schema: TableSchema, rows: [Int32]? = nil,
                     dictionaryOnly: Set<String> = []) throws -> Batch {
        try openSegment(segment, schema: schema).read(columns, rows: rows, dictionaryOnly: dictionaryOnly)
    }

    /// Opens one segment for several reads: the file is opened and its footer read and checked once.
    public func openSegment(_ segment: SegmentInfo, schema: TableSchema) throws -> OpenSegment {
        if segment.table == Store.rejectsTable { return OpenSegment(rejects: try rejectsBatch(columns: schema.columns.map(\.name)), segment: segment, schema: schema) }
        let reader = try SegmentReader(path: segmentsDirectory + "/" + segment.file)
        // A damaged entry's checksum is not evidence either way; the footer checks itself.
        guard segment.damage != nil || reader.footer.checksum == segment.checksum else {
            throw StoreError.corruptSegment(path: reader.path, offset: 0, reason: "checksum differs from the catalog's")
        }
        return OpenSegment(reader: reader, segment: segment, schema: schema)
    }

    /// Convenience: every kept segment's batch, in time order.
    public func scan(_ table: String, _ request: ScanRequest, stats: inout ScanStats, _ body: (Batch) throws -> Void) throws {
        guard let schema = try schema(of: table) else { throw StoreError.tableNotFound(table) }
        let (kept, pruned) = try plan(table, request)
        stats.segmentsTotal += kept.count + pruned
        stats.segmentsPruned += pruned
        let cols = request.columns ?? schema.columns.map(\.name)
        for s in kept {
            let b = try read(s, columns: cols, schema: schema)
            stats.segmentsRead += 1; stats.rowsRead += b.count; stats.bytesRead += s.bytes
            try body(b)
        }
    }

    /// Stored (compressed) and raw bytes per column over all of a table's segments.
    public func columnSizes(of table: String) throws -> [String: (stored: Int, raw: Int)] {
        var out: [String: (stored: Int, raw: Int)] = [:]
        for seg in try segments(of: table) {
            let r = try SegmentReader(path: segmentsDirectory + "/" + seg.file)
            for c in r.footer.columns {
                let prev = out[c.name] ?? (0, 0)
                out[c.name] = (prev.stored + c.length, prev.raw + c.rawLength)
            }
        }
        return out
    }
}

/// One segment opened for reading, as the table's current schema sees it. Not thread-safe: the
/// reader reuses its buffers between columns.
public final class OpenSegment {
    public let segment: SegmentInfo
    public let schema: TableSchema
    /// The segment's row count.
    public let rows: Int
    private let reader: SegmentReader?
    private let rejects: Batch?

    init(reader: SegmentReader, segment: SegmentInfo, schema: TableSchema) {
        self.reader = reader; self.rejects = nil; self.segment = segment; self.schema = schema; rows = reader.footer.rows
    }

    init(rejects: Batch, segment: SegmentInfo, schema: TableSchema) {
        self.reader = nil; self.rejects = rejects; self.segment = segment; self.schema = schema; rows = rejects.count
    }

    /// The rows whose `column` (a datetime) lies in `from ..< to`, ascending; nulls never match.
    /// The column's values are streamed, never materialized.
    public func rows(where column: String, from: Int64?, to: Int64?) throws -> [Int32] {
        let lo = from ?? .min, hi = to ?? .max
        if let reader = reader, let info = reader.column(named: column), info.type == schema.column(named: column)?.type,
           info.type.physical == .int64 {
            return try reader.selectRange(info, lo: lo, hi: hi)
        }
        let c = try read([column]).columns[0]
        guard case .int64(let t) = c.storage else { return [] }
        var out: [Int32] = []
        for i in 0..<c.count where !c.isNull(i) && t[i] >= lo && t[i] < hi { out.append(Int32(i)) }
        return out
    }

    /// The rows whose string `column` equals `value` (bytewise), from the encoded column; nil
    /// when the segment stores the column under another type (the caller then evaluates rows).
    public func rows(where column: String, equals value: String) throws -> [Int32]? {
        guard let reader = reader, let info = reader.column(named: column), info.type == .string,
              schema.column(named: column)?.type == .string else { return nil }
        return try reader.rowsEqual(info, Array(value.utf8))
    }

    /// `columns` as the table's current types (optionally only `rows`, in that order). Missing
    /// columns (added to the table after the segment was written) read as nulls.
    ///
    /// String columns named in `dictionaryOnly` come back as distinct values plus per-row codes
    /// when the segment stores them dictionary-encoded (see `Column.dictionaryOnly`): for
    /// group-by keys, which never need the strings per row.
    public func read(_ columns: [String], rows: [Int32]? = nil, dictionaryOnly: Set<String> = []) throws -> Batch {
        guard let reader = reader else {
            let b = rejects!
            let cols = columns.map { b.column(named: $0)! }
            guard let rows = rows else { return Batch(names: columns, columns: cols, count: b.count) }
            return Batch(names: columns, columns: cols.map { $0.gather(rows) }, count: rows.count)
        }
        let n = rows?.count ?? reader.footer.rows
        var cols: [Column] = []
        for name in columns {
            if let (parent, key) = DynamicPaths.split(name) {
                // A dynamic key's sub-column; segments written without it derive it from the parent.
                if let info = reader.column(named: name) { cols.append(try reader.read(info, rows: rows)); continue }
                guard let p = reader.column(named: parent), p.type == .dynamic || schema.column(named: parent)?.type == .dynamic else {
                    cols.append(.nulls(.dynamic, count: n)); continue
                }
                cols.append(DynamicPaths.extract(try reader.read(p, rows: rows).converted(to: .dynamic), key: key))
                continue
            }
            guard let want = schema.column(named: name) else { throw StoreError.tableNotFound("\(schema.name).\(name)") }
            if let info = reader.column(named: name) {
                if rows == nil, dictionaryOnly.contains(name), info.type == .string, want.type == .string {
                    cols.append(try reader.read(info, dictionaryOnly: true)); continue
                }
                cols.append(try reader.read(info, rows: rows).converted(to: want.type))
            } else {
                cols.append(.nulls(want.type, count: n))
            }
        }
        return Batch(names: columns, columns: cols, count: n)
    }
}
