import Foundation

/// One file's ingest: detect the shape, shred records into per-table builders, write segments,
/// commit them in one transaction.
final class IngestJob {
    let store: Store
    let file: String
    let options: IngestOptions
    let index: Int, total: Int
    let progress: ((IngestProgress) -> Void)?

    var builders: [String: TableBuilder] = [:]
    var pending: [PendingSegment] = []
    var rowsByTable: [String: Int] = [:]
    var rejects: [IngestReject] = []
    var truncated = 0
    var truncations: [IngestReject] = []
    var rejected = 0
    var bytesRead = 0
    var lastProgress = Date.distantPast
    let defaultTable: String
    /// Set for diagnostic-settings records, whose `time` and `resourceId` are the workspace's `TimeGenerated` and `_ResourceId`.
    var keyAliases: [String: String] = [:]
    /// The table the previous record went to (see `ingestRecord`).
    var lastTable: String? = nil

    init(store: Store, file: String, options: IngestOptions, index: Int, total: Int, progress: ((IngestProgress) -> Void)?,
         defaultTable: String? = nil) {
        self.store = store; self.file = file; self.options = options; self.index = index; self.total = total; self.progress = progress
        var base = file == "-" ? "stdin" : (file as NSString).lastPathComponent
        for ext in [".gz", ".jsonl", ".ndjson", ".json", ".records", ".txt"] where base.hasSuffix(ext) { base = String(base.dropLast(ext.count)) }
        self.defaultTable = options.table ?? defaultTable ?? base
    }

    /// Forgets a committed (or abandoned) batch; builders keep their learned schemas.
    func resetBatch() {
        pending = []; rowsByTable = [:]; rejects = []; rejected = 0; truncated = 0; truncations = []
    }

    var displayName: String { file == "-" ? "<stdin>" : file }

    func run() throws -> FileIngestReport {
        // Duplicate detection compares whole contents: hash the file first, so that content
        // ingested before is not shredded again. What is recorded is the hash of what the ingest
        // itself read (`InputReader.fingerprint`), which differs from this one only when the file
        // changed in between (then it is reported, and the bytes actually read are what counts).
        if !options.force && file != "-", let before = InputReader.fingerprint(ofFileAt: file) {
            if try priorIngest(before) || priorLegacyIngest() {
                return FileIngestReport(path: displayName, bytes: 0, rowsByTable: [:], rejected: 0, skipped: true, firstRejects: [])
            }
        }
        let reader = try InputReader(path: file)
        let fingerprint: String
        do {
            try readInput(reader)
            fingerprint = reader.fingerprint
            if let change = reader.changeSinceOpened() {
                reject(line: lastLine, offset: bytesRead, reason: "\(change); the \(reader.rawBytesRead) bytes read were ingested and recorded", text: [])
            }
            if !options.force && file != "-", try priorIngest(fingerprint) {
                // The file became content ingested before while it was read.
                store.discard(pending)
                for b in builders.values { _ = b.take() }
                return FileIngestReport(path: displayName, bytes: 0, rowsByTable: [:], rejected: 0, skipped: true, firstRejects: [])
            }
            for (t, b) in builders where b.rows > 0 { try flush(table: t, builder: b) }
            try store.publish(pending)
            _ = try store.commit(source: displayName, size: reader.rawBytesRead, fingerprint: file == "-" ? "stdin:\(UUID().uuidString):\(fingerprint)" : fingerprint,
                                 segments: pending, rejects: rejects, rejectedTotal: rejected)
        } catch {
            store.discard(pending)
            throw error
        }
        report(force: true)
        return FileIngestReport(path: displayName, bytes: bytesRead, rowsByTable: rowsByTable, rejected: rejected, skipped: false,
                                firstRejects: Array(rejects.prefix(100)), truncated: truncated, firstTruncations: truncations)
    }

    /// A file recorded by a store made before whole-content hashing (see `LegacyFingerprint`).
    private func priorLegacyIngest() throws -> Bool {
        guard let legacy = LegacyFingerprint.of(path: file) else { return false }
        return try priorIngest(legacy)
    }

    private func priorIngest(_ fingerprint: String) throws -> Bool {
        store.lock.lock(); defer { store.lock.unlock() }
        return try store.catalog.findIngest(fingerprint: fingerprint) != nil
    }

    // MARK: reading

    /// The line reading stopped at (for a report about the whole file).
    var lastLine = 1

    func readInput(_ reader: InputReader) throws {
        var buf: [UInt8] = []
        var eof = false
        var readError: String? = nil
        let chunk = 4 << 20
        func fill(_ into: inout [UInt8]) -> Bool {
            if eof { return false }
            do { if try reader.read(into: &into, max: chunk) == 0 { eof = true } }
            catch let e as InputReader.ReadError { readError = e.message; eof = true }
            catch { readError = "\(error)"; eof = true }
            return !eof
        }
        _ = fill(&buf)
        options.afterFirstRead?(file)
        // Skip a UTF-8 byte-order mark and leading white space to see the first character.
        var start = 0
        if buf.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        let afterBOM = start
        while start < buf.count, [0x20, 0x0A, 0x0D, 0x09].contains(buf[start]) { start += 1 }
        if start >= buf.count && eof {
            bytesRead = buf.count
            if let e = readError { reject(line: lineNumber(buf, upTo: buf.count), offset: buf.count, reason: e, text: []) }
            return
        }
        guard let format = InputSniffer.lineFormat(buf, from: start, eof: eof) else {
            // A document: it streams through a window bounded by the line limit.
            let documentFormat = buf.withUnsafeBufferPointer { InputSniffer.documentFormat($0, from: start) }
            var streamed = 0
            let stream = RecordStream(bytes: buf, pos: start, eof: eof, limit: options.lineLimit) { into in
                let before = into.count
                let more = fill(&into)
                streamed += into.count - before
                self.bytesRead = buf.count + streamed
                self.report(force: false)
                return more
            }
            buf = []
            try documentFormat.read(stream, into: self)
            bytesRead = stream.offset(stream.bytes.count)
            lastLine = stream.lineAt(stream.bytes.count)
            if let e = readError { reject(line: lastLine, offset: bytesRead, reason: e, text: []) }
            return
        }
        // A line format: stream the lines; one longer than the limit is rejected without being held.
        var lineNo = 1
        var consumed = 0            // bytes of the stream before buf[0]
        var pos = afterBOM          // a byte-order mark is not part of the first line
        var skippingOversize = false
        var oversizeStart = (line: 0, offset: 0)
        while true {
            let found: Int? = buf.withUnsafeBufferPointer { p in
                guard pos < p.count, let q = memchr(p.baseAddress! + pos, 0x0A, p.count - pos) else { return nil }
                return p.baseAddress!.distance(to: q.assumingMemoryBound(to: UInt8.self))
            }
            if let nl = found {
                if skippingOversize {
                    reject(line: oversizeStart.line, offset: oversizeStart.offset,
                           reason: "line longer than \(options.lineLimit) bytes", text: Array(buf[pos..<min(nl, pos + 200)]))
                    skippingOversize = false
                } else if nl - pos > options.lineLimit {
                    reject(line: lineNo, offset: consumed + pos, reason: "line longer than \(options.lineLimit) bytes",
                           text: Array(buf[pos..<pos + 200]))
                } else {
                    try processLine(format, buf, pos..<nl, line: lineNo, streamOffset: consumed + pos)
                }
                lineNo += 1
                pos = nl + 1
                continue
            }
            if eof {
                if skippingOversize {
                    reject(line: oversizeStart.line, offset: oversizeStart.offset, reason: "line longer than \(options.lineLimit) bytes", text: [])
                } else if pos < buf.count {
                    if buf.count - pos > options.lineLimit {
                        reject(line: lineNo, offset: consumed + pos, reason: "line longer than \(options.lineLimit) bytes", text: Array(buf[pos..<pos + 200]))
                    } else {
                        try processLine(format, buf, pos..<buf.count, line: lineNo, streamOffset: consumed + pos)
                    }
                }
                lastLine = lineNo
                if let e = readError { reject(line: lineNo, offset: consumed + buf.count, reason: e, text: []) }
                bytesRead = consumed + buf.count
                return
            }
            // Keep the partial line; drop what is done.
            if buf.count - pos > options.lineLimit && !skippingOversize {
                skippingOversize = true
                oversizeStart = (lineNo, consumed + pos)
            }
            if skippingOversize { consumed += buf.count; buf.removeAll(keepingCapacity: true); pos = 0 }
            else { consumed += pos; buf.removeFirst(pos); pos = 0 }
            bytesRead = consumed
            report(force: false)
            _ = fill(&buf)
        }
    }

    func lineNumber<C: RandomAccessCollection<UInt8>>(_ buf: C, upTo: Int) -> Int where C.Index == Int {
        var n = 1
        for i in 0..<min(upTo, buf.count) where buf[i] == 0x0A { n += 1 }
        return n
    }

    /// Hands one line, without surrounding white space, to `format` (blank lines are skipped).
    func processLine(_ format: some InputFormat, _ buf: [UInt8], _ r: Range<Int>, line: Int, streamOffset: Int) throws {
        try buf.withUnsafeBufferPointer { p in
            let base = p.baseAddress!
            var lo = r.lowerBound, hi = r.upperBound
            while lo < hi, [0x20, 0x09, 0x0D].contains(base[lo]) { lo += 1 }
            while hi > lo, [0x20, 0x09, 0x0D].contains(base[hi - 1]) { hi -= 1 }
            if lo == hi { return }
            try format.read(p, lo..<hi, line: line, offset: streamOffset + (lo - r.lowerBound), into: self)
        }
    }

    func reject(line: Int, offset: Int, reason: String, text: [UInt8]) {
        rejected += 1
        if rejects.count < options.keptRejectsPerFile {
            let t = String(decoding: text.prefix(1024), as: UTF8.self)
            rejects.append(IngestReject(file: displayName, line: line, offset: offset, reason: reason, text: t))
        }
    }

    func report(force: Bool) {
        guard let progress = progress else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastProgress) >= 0.1 else { return }
        lastProgress = now
        progress(IngestProgress(file: displayName, filesDone: index, filesTotal: total, bytes: bytesRead,
                                rows: rowsByTable.values.reduce(0, +), rejected: rejected))
    }
}
