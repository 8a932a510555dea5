import Foundation

public struct AppendReport: Sendable {
    public var rowsByTable: [String: Int]
    public var rejected: Int
    /// The first rejected records (line = the record's ordinal since the previous commit).
    public var rejects: [IngestReject]
    public var rows: Int { rowsByTable.values.reduce(0, +) }
}

public struct AppendError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Appends records from a running process (a monitoring daemon) and commits them in batches.
///
/// Records go through the same scanner, routing (`itemType`, `Type`, else `table`) and type
/// widening as file ingest. Nothing is visible to queries until `commit()`, which writes the
/// buffered rows as segments and lists them in one transaction: a batch is seen whole or not at
/// all. When a table's buffer reaches `IngestOptions.segmentRows` rows, the appender commits on its
/// own so memory stays bounded. Safe to call from several threads (calls are serialized); queries
/// may run on the same store meanwhile. Many small commits make many small segments: run
/// `Store.compact` now and then.
public final class RecordAppender: @unchecked Sendable {
    let store: Store
    let job: IngestJob
    let source: String
    let segmentRows: Int
    let mutex = NSLock()
    var ordinal = 0

    /// - Parameters:
    ///   - table: the table for records that carry no routing key (and, with `options.table`, for all).
    ///   - source: how the ingest history names these batches (`append:SOURCE`).
    public init(store: Store, table: String, source: String = "daemon", options: IngestOptions = IngestOptions()) {
        precondition(!store.readOnly, "append to a store opened read-only")
        var o = options
        segmentRows = min(max(o.segmentRows, 1), SegmentFormat.maxRows) // a segment holds at most maxRows
        o.segmentRows = Int.max          // the appender decides when to write (see `append`)
        o.segmentBytes = Int.max
        self.store = store
        self.source = "append:" + source
        job = IngestJob(store: store, file: self.source, options: o, index: 0, total: 1, progress: nil, defaultTable: table)
    }

    /// Rows buffered and not yet committed.
    public var pendingRows: Int {
        mutex.lock(); defer { mutex.unlock() }
        return job.builders.values.reduce(0) { $0 + $1.rows }
    }

    /// Appends one JSON object. A malformed record is not an error of the call: it is counted and
    /// kept in `ingest_rejects` at the next commit, as file ingest does.
    public func append(json: some Collection<UInt8>) throws {
        let bytes = Array(json)
        try locked {
            ordinal += 1
            try job.processLine(NDJSONLines(), bytes, 0..<bytes.count, line: ordinal, streamOffset: 0)
        }
    }

    public func append(json: String) throws { try append(json: Array(json.utf8)) }

    /// Appends a record given as a dictionary: values may be String, Bool, integers, Double,
    /// Date (stored as a datetime), arrays, dictionaries, or NSNull/nil.
    public func append(_ record: [String: Any?]) throws {
        let bytes = try JSONValue.object(record.sorted { $0.key < $1.key }.map { ($0.key, try Self.jsonValue($0.value, path: $0.key)) }).jsonBytes
        try append(json: bytes)
    }

    static func jsonValue(_ v: Any?, path: String) throws -> JSONValue {
        guard let v = v else { return .null }
        switch v {
        case is NSNull: return .null
        case let b as Bool where type(of: v) == Bool.self: return .bool(b)
        case let s as String: return .string(s)
        case let i as Int: return .int(Int64(i))
        case let i as Int64: return .int(i)
        case let i as Int32: return .int(Int64(i))
        case let d as Double: return d.isFinite ? .real(d) : .string(String(d))
        case let f as Float: return .real(Double(f))
        case let d as Date: return .string(Ticks.formatDatetime(Ticks.fromUnixSeconds(d.timeIntervalSince1970)))
        case let u as UUID: return .string(u.uuidString.lowercased())
        case let a as [Any?]: return .array(try a.enumerated().map { try jsonValue($0.element, path: "\(path)[\($0.offset)]") })
        case let o as [String: Any?]: return .object(try o.sorted { $0.key < $1.key }.map { ($0.key, try jsonValue($0.value, path: "\(path).\($0.key)")) })
        case let a as [Any]: return .array(try a.enumerated().map { try jsonValue($0.element, path: "\(path)[\($0.offset)]") })
        case let o as [String: Any]: return .object(try o.sorted { $0.key < $1.key }.map { ($0.key, try jsonValue($0.value, path: "\(path).\($0.key)")) })
        default: throw AppendError(description: "field '\(path)': a value of type \(type(of: v)) cannot be stored")
        }
    }

    /// Writes the buffered rows and makes them visible, in one transaction. Returns what was committed.
    @discardableResult
    public func commit() throws -> AppendReport {
        mutex.lock(); defer { mutex.unlock() }
        return try commitLocked()
    }

    private func locked(_ body: () throws -> Void) throws {
        mutex.lock(); defer { mutex.unlock() }
        try body()
        if job.builders.values.contains(where: { $0.rows >= segmentRows }) { _ = try commitLocked() }
    }

    private func commitLocked() throws -> AppendReport {
        let report = AppendReport(rowsByTable: job.rowsByTable, rejected: job.rejected, rejects: job.rejects)
        guard report.rows > 0 || report.rejected > 0 else { return report }
        // The writer lock keeps other processes' orphan sweeps off our temporary files.
        let writer = try WriterLock(path: store.path, wait: true)
        defer { writer.release() }
        do {
            for (t, b) in job.builders where b.rows > 0 { try job.flush(table: t, builder: b) }
            try store.publish(job.pending)
            _ = try store.commit(source: source, size: 0, fingerprint: source + ":" + UUID().uuidString, segments: job.pending,
                                 rejects: job.rejects, rejectedTotal: job.rejected)
        } catch {
            store.discard(job.pending)
            job.resetBatch()
            throw AppendError(description: "commit failed, the batch of \(report.rows) records was not stored: \(error)")
        }
        job.resetBatch()
        return report
    }
}
