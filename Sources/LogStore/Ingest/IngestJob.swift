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
    /// Continuous Export lines: each is mapped to classic-schema records first.
    var ceMode = false

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
        let fingerprint = Fingerprint.of(path: file) ?? "stdin:\(UUID().uuidString)"
        if !options.force {
            store.lock.lock()
            let prior = try? store.catalog.findIngest(fingerprint: fingerprint)
            store.lock.unlock()
            if prior != nil {
                return FileIngestReport(path: displayName, bytes: 0, rowsByTable: [:], rejected: 0, skipped: true, firstRejects: [])
            }
        }
        do {
            let reader = try InputReader(path: file)
            try readInput(reader)
            for (t, b) in builders where b.rows > 0 { try flush(table: t, builder: b) }
            try store.publish(pending)
            _ = try store.commit(source: displayName, size: bytesRead, fingerprint: fingerprint, segments: pending,
                                 rejects: rejects, rejectedTotal: rejected)
        } catch {
            store.discard(pending)
            throw error
        }
        report(force: true)
        return FileIngestReport(path: displayName, bytes: bytesRead, rowsByTable: rowsByTable, rejected: rejected, skipped: false,
                                firstRejects: Array(rejects.prefix(100)), truncated: truncated, firstTruncations: truncations)
    }

    // MARK: reading

    func readInput(_ reader: InputReader) throws {
        var buf: [UInt8] = []
        var eof = false
        var readError: String? = nil
        func fill() {
            do { if try reader.read(into: &buf, max: 4 << 20) == 0 { eof = true } }
            catch let e as InputReader.ReadError { readError = e.message; eof = true }
            catch { readError = "\(error)"; eof = true }
        }
        fill()
        // Skip a UTF-8 byte-order mark and leading white space to see the first character.
        var start = 0
        if buf.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < buf.count, [0x20, 0x0A, 0x0D, 0x09].contains(buf[start]) { start += 1 }
        if start >= buf.count && eof {
            bytesRead = buf.count
            if let e = readError { reject(line: 1, offset: 0, reason: e, text: []) }
            return
        }
        let first = start < buf.count ? buf[start] : 0
        var wholeDocument = first == 0x5B
        if first == 0x7B {
            // One big object ({"records":…}, {"tables":…}) or the first of many lines?
            let shape = buf.withUnsafeBufferPointer { p -> (complete: Bool, wrapper: Bool) in
                var s = JSONScanner(p.baseAddress!, start: start, end: p.count)
                guard (try? s.skipValue()) != nil else { return (false, false) }
                var k = JSONScanner(p.baseAddress!, start: start, end: s.pos)
                let keys = Self.topLevelKeys(&k)
                let multiLine = buf[start..<s.pos].contains(0x0A)
                if ExportMappings.isContinuousExport(keys) { ceMode = true }
                return (true, keys.contains("records") || keys.contains("tables") || keys.contains("Tables") || ExportMappings.isOTLP(keys) || multiLine)
            }
            wholeDocument = shape.wrapper || (!shape.complete && !eof && !buf[start...].contains(0x0A))
        }
        if wholeDocument {
            while !eof { fill() }
            bytesRead = buf.count
            try ingestDocument(buf, from: start)
            if let e = readError { reject(line: lineNumber(buf, upTo: buf.count), offset: buf.count, reason: e, text: []) }
            return
        }
        // NDJSON: stream lines.
        var lineNo = 1
        var consumed = 0            // bytes of the stream before buf[0]
        var pos = 0
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
                    processLine(buf, pos..<nl, line: lineNo, streamOffset: consumed + pos)
                }
                lineNo += 1
                pos = nl + 1
                continue
            }
            if eof {
                if pos < buf.count && !skippingOversize { processLine(buf, pos..<buf.count, line: lineNo, streamOffset: consumed + pos) }
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
            fill()
        }
    }

    func lineNumber(_ buf: [UInt8], upTo: Int) -> Int {
        var n = 1
        for i in 0..<min(upTo, buf.count) where buf[i] == 0x0A { n += 1 }
        return n
    }

    static func topLevelKeys(_ s: inout JSONScanner) -> [String] {
        var keys: [String] = []
        guard (try? s.expect(0x7B, "{")) != nil else { return keys }
        s.skipWhitespace()
        if s.peek() == 0x7D { return keys }
        while true {
            s.skipWhitespace()
            var k: [UInt8] = []
            guard (try? s.readString(into: &k)) != nil, (try? s.expect(0x3A, ":")) != nil, (try? s.skipValue()) != nil else { return keys }
            keys.append(String(decoding: k, as: UTF8.self))
            s.skipWhitespace()
            if s.peek() == 0x2C { s.pos += 1; continue }
            return keys
        }
    }

    func processLine(_ buf: [UInt8], _ r: Range<Int>, line: Int, streamOffset: Int) {
        buf.withUnsafeBufferPointer { p in
            let base = p.baseAddress!
            var lo = r.lowerBound, hi = r.upperBound
            while lo < hi, [0x20, 0x09, 0x0D].contains(base[lo]) { lo += 1 }
            while hi > lo, [0x20, 0x09, 0x0D].contains(base[hi - 1]) { hi -= 1 }
            if lo == hi { return }
            if ceMode { ingestMapped(base, lo..<hi, line: line, offset: streamOffset + (lo - r.lowerBound), ExportMappings.continuousExport); return }
            ingestRecord(base, lo..<hi, line: line, offset: streamOffset + (lo - r.lowerBound))
        }
    }

    /// Shreds one record into its table; a bad record becomes a reject. The table is `--table`,
    /// else the record's routing key (`itemType`, `Type`, `category`), else the file's name. The
    /// routing value is read during the one shred pass: the record goes first into the table the
    /// previous record went to, and is moved only when its routing value says otherwise.
    func ingestRecord(_ base: UnsafePointer<UInt8>, _ r: Range<Int>, line: Int, offset: Int, routingKeys: [String] = ["itemType", "Type"]) {
        let guess = options.table ?? lastTable ?? defaultTable
        do {
            var b = builder(for: guess)
            try b.shred(base, r)
            var table = guess
            if options.table == nil && !routingKeys.isEmpty {
                table = route(b, keys: routingKeys)
                if table != guess {
                    b.removeLastRow()
                    b = builder(for: table)
                    try b.shred(base, r)
                }
                lastTable = table
            }
            rowsByTable[table, default: 0] += 1
            if !b.truncatedInLastRow.isEmpty {
                truncated += 1
                if truncations.count < 100 {
                    let what = b.truncatedInLastRow.map { "'\($0.column)' from \($0.from) bytes" }.joined(separator: ", ")
                    truncations.append(IngestReject(file: displayName, line: line, offset: offset,
                                                    reason: "kept with strings cut to \(options.maxStringBytes ?? 0) bytes: \(what)", text: ""))
                }
            }
            if b.rows & 1023 == 0 && (b.rows >= options.segmentRows || b.approximateBytes >= options.segmentBytes) {
                try flush(table: table, builder: b)
            }
        } catch let e as StoreError {
            reject(line: line, offset: offset, reason: e.description, text: [])
        } catch {
            reject(line: line, offset: offset, reason: describe(error, base: r.lowerBound),
                   text: Array(UnsafeBufferPointer(start: base + r.lowerBound, count: min(r.count, 1024))))
        }
    }

    var lastTable: String? = nil

    /// Parses a record, maps it to flat records of their own tables, and shreds those.
    func ingestMapped(_ base: UnsafePointer<UInt8>, _ r: Range<Int>, line: Int, offset: Int, _ map: (JSONValue) -> [(table: String, record: JSONValue)]) {
        let doc: JSONValue
        do { doc = try JSONValue.parse(base, r) }
        catch { reject(line: line, offset: offset, reason: describe(error, base: r.lowerBound), text: Array(UnsafeBufferPointer(start: base + r.lowerBound, count: min(r.count, 1024)))); return }
        let records = map(doc)
        if records.isEmpty { reject(line: line, offset: offset, reason: "no telemetry item in this export record", text: Array(UnsafeBufferPointer(start: base + r.lowerBound, count: min(r.count, 1024)))) }
        for (table, rec) in records {
            let bytes = rec.jsonBytes
            bytes.withUnsafeBufferPointer { p in
                let saved = lastTable
                lastTable = options.table ?? table
                ingestRecord(p.baseAddress!, 0..<p.count, line: line, offset: offset, routingKeys: [])
                lastTable = saved
            }
        }
    }

    func describe(_ error: Error, base: Int) -> String {
        if let f = error as? JSONScanner.Failure { return "\(f.message) (column \(f.offset - base + 1))" }
        return "\(error)"
    }

    func route(_ b: TableBuilder, keys: [String]) -> String {
        for key in keys {
            guard let v = b.lastString(key) else { continue }
            if key == "itemType" { if let t = KnownSchemas.tableForItemType(v) { return t } else { continue } }
            return v
        }
        return defaultTable
    }

    func builder(for table: String) -> TableBuilder {
        if let b = builders[table] { return b }
        let b = TableBuilder(table: table, declared: KnownSchemas.declared(table), aliases: keyAliases)
        b.maxStringBytes = options.maxStringBytes
        builders[table] = b
        return b
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

    // MARK: whole documents

    func ingestDocument(_ buf: [UInt8], from start: Int) throws {
        try buf.withUnsafeBufferPointer { p in
            let base = p.baseAddress!
            var s = JSONScanner(base, start: start, end: p.count)
            if base[start] == 0x5B {
                // A JSON array: of records, or of Kusto v2 frames.
                var probe = s
                probe.pos += 1; probe.skipWhitespace()
                if probe.peek() == 0x7B, let r = try? probe.skipValue(),
                   let v = try? JSONValue.parse(base, r), v["FrameType"] != nil {
                    let doc = try parseWhole(base, start..<p.count)
                    try ingestKustoV2(doc)
                    return
                }
                try forEachArrayElement(&s, buf: buf) { r, line in self.ingestRecord(base, r, line: line, offset: r.lowerBound) }
            } else {
                // An object: {"records": […]} or a query-API / Kusto v1 result.
                var k = s
                let keys = Self.topLevelKeys(&k)
                if keys.contains("records") {
                    keyAliases = ["time": "TimeGenerated", "resourceId": "_ResourceId"]
                    try s.expect(0x7B, "{")
                    while true {
                        s.skipWhitespace()
                        var key: [UInt8] = []
                        try s.readString(into: &key)
                        try s.expect(0x3A, "':'")
                        s.skipWhitespace()
                        if String(decoding: key, as: UTF8.self) == "records" && s.peek() == 0x5B {
                            try forEachArrayElement(&s, buf: buf) { r, line in
                                self.ingestRecord(base, r, line: line, offset: r.lowerBound, routingKeys: ["Type", "category", "itemType"])
                            }
                        } else {
                            try s.skipValue()
                        }
                        s.skipWhitespace()
                        if s.peek() == 0x2C { s.pos += 1; continue }
                        break
                    }
                } else if keys.contains("tables") || keys.contains("Tables") {
                    let doc = try parseWhole(base, start..<p.count)
                    try ingestResultTables(doc)
                } else {
                    // Pretty-printed records (OTLP documents among them), one after another.
                    var line = lineNumber(buf, upTo: start)
                    var last = start
                    while true {
                        s.skipWhitespace()
                        if s.atEnd { break }
                        for i in last..<s.pos where buf[i] == 0x0A { line += 1 }
                        last = s.pos
                        let begin = s.pos
                        guard let r = try? s.skipValue() else {
                            reject(line: line, offset: begin, reason: "malformed JSON document", text: Array(buf[begin..<min(buf.count, begin + 200)]))
                            break
                        }
                        var k = JSONScanner(base, start: r.lowerBound, end: r.upperBound)
                        let ks = Self.topLevelKeys(&k)
                        if ExportMappings.isOTLP(ks) { ingestMapped(base, r, line: line, offset: begin, ExportMappings.otlp) }
                        else if ExportMappings.isContinuousExport(ks) { ingestMapped(base, r, line: line, offset: begin, ExportMappings.continuousExport) }
                        else { ingestRecord(base, r, line: line, offset: begin) }
                    }
                }
            }
        }
    }

    func parseWhole(_ base: UnsafePointer<UInt8>, _ r: Range<Int>) throws -> JSONValue {
        do { return try JSONValue.parse(base, r) }
        catch let f as JSONScanner.Failure {
            let line = lineNumber(Array(UnsafeBufferPointer(start: base, count: f.offset)), upTo: f.offset)
            throw StoreError.input(path: displayName + ":\(line)", reason: "malformed JSON: \(f.message)")
        }
    }

    /// Calls `body` with each element's byte range and line; a malformed element is rejected and
    /// scanning resumes at the next element when the array's structure allows.
    func forEachArrayElement(_ s: inout JSONScanner, buf: [UInt8], _ body: (Range<Int>, Int) -> Void) throws {
        try s.expect(0x5B, "'['")
        var line = lineNumber(buf, upTo: s.pos)
        var lastPos = s.pos
        func advanceLines(to p: Int) { for i in lastPos..<p where buf[i] == 0x0A { line += 1 }; lastPos = p }
        s.skipWhitespace()
        if s.peek() == 0x5D { s.pos += 1; return }
        while true {
            s.skipWhitespace()
            advanceLines(to: s.pos)
            let elementStart = s.pos
            do {
                let r = try s.skipValue()
                body(r, line)
            } catch let f as JSONScanner.Failure {
                reject(line: line, offset: elementStart, reason: "malformed JSON: \(f.message)",
                       text: Array(buf[elementStart..<min(buf.count, elementStart + 200)]))
                throw StoreError.input(path: displayName + ":\(line)", reason: "malformed JSON array element; the rest of the document cannot be read")
            }
            s.skipWhitespace()
            if s.peek() == 0x2C { s.pos += 1; continue }
            if s.peek() == 0x5D { s.pos += 1; return }
            advanceLines(to: s.pos)
            throw StoreError.input(path: displayName + ":\(line)", reason: "expected ',' or ']' in the JSON array")
        }
    }

    /// `{"tables":[{"name","columns":[{"name","type"}],"rows"}]}` (App Insights / Log Analytics
    /// query API) and Kusto v1 `{"Tables":[{"TableName","Columns":[{"ColumnName","DataType"|"ColumnType"}],"Rows"}]}`.
    func ingestResultTables(_ doc: JSONValue) throws {
        guard let tables = (doc["tables"] ?? doc["Tables"])?.arrayValue, !tables.isEmpty else {
            throw StoreError.input(path: displayName, reason: "a JSON object that is neither a record list nor a query result")
        }
        let primary = tables.first { ($0["name"] ?? $0["TableName"])?.stringValue == "PrimaryResult" } ?? tables[0]
        try ingestTable(columns: (primary["columns"] ?? primary["Columns"])?.arrayValue ?? [],
                        rows: (primary["rows"] ?? primary["Rows"])?.arrayValue ?? [])
    }

    /// Kusto REST v2: an array of frames; the PrimaryResult table comes whole (`DataTable`) or as
    /// `TableHeader` + `TableFragment`s. Error rows and `OneApiErrors` become rejects.
    func ingestKustoV2(_ doc: JSONValue) throws {
        guard let frames = doc.arrayValue else { return }
        var columns: [JSONValue]? = nil
        var rows: [JSONValue] = []
        var inPrimary = false
        for f in frames {
            switch f["FrameType"]?.stringValue ?? "" {
            case "DataTable" where f["TableKind"]?.stringValue == "PrimaryResult":
                columns = f["Columns"]?.arrayValue; rows += f["Rows"]?.arrayValue ?? []
            case "TableHeader":
                inPrimary = f["TableKind"]?.stringValue == "PrimaryResult"
                if inPrimary { columns = f["Columns"]?.arrayValue }
            case "TableFragment" where inPrimary: rows += f["Rows"]?.arrayValue ?? []
            case "TableCompletion" where inPrimary:
                inPrimary = false
                if let errs = f["OneApiErrors"], errs != .null { reject(line: 0, offset: 0, reason: "query result reports an error", text: errs.jsonBytes) }
            default: break
            }
        }
        guard let cols = columns else { throw StoreError.input(path: displayName, reason: "Kusto v2 result without a PrimaryResult table") }
        try ingestTable(columns: cols, rows: rows)
    }

    func ingestTable(columns: [JSONValue], rows: [JSONValue]) throws {
        let schema: [ColumnSchema] = columns.map { c in
            let name = (c["name"] ?? c["ColumnName"])?.stringValue ?? "Column"
            let typeName = (c["type"] ?? c["ColumnType"] ?? c["DataType"])?.stringValue ?? "string"
            return ColumnSchema(name: name, type: KustoType(name: typeName) ?? .string)
        }
        let table = defaultTable
        let b = builder(for: table)
        b.declare(schema)
        for (i, row) in rows.enumerated() {
            guard let cells = row.arrayValue else {
                reject(line: i + 1, offset: 0, reason: "result row \(i + 1) is not an array (a partial-failure error?)", text: row.jsonBytes)
                continue
            }
            guard cells.count == schema.count else {
                reject(line: i + 1, offset: 0, reason: "result row \(i + 1) has \(cells.count) cells for \(schema.count) columns", text: row.jsonBytes)
                continue
            }
            let obj = JSONValue.object(Array(zip(schema.map(\.name), cells)))
            let bytes = obj.jsonBytes
            bytes.withUnsafeBufferPointer { p in
                ingestRecord(p.baseAddress!, 0..<p.count, line: i + 1, offset: 0, routingKeys: [])
            }
        }
    }

}
