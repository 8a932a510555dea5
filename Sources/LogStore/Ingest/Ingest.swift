import Foundation

extension Store {
    /// Ingests files (folders are walked; `-` is stdin). Each file is one batch: its segments and
    /// catalog rows become visible together, after fsync, in one SQLite transaction. A file that
    /// cannot be read (missing, unreadable, not a regular file) gets a report with its `failure`
    /// and the run goes on; only store errors stop it.
    public func ingest(paths: [String], options: IngestOptions = IngestOptions(),
                       progress: ((IngestProgress) -> Void)? = nil) throws -> [FileIngestReport] {
        precondition(!readOnly, "ingest into a store opened read-only")
        let files = try Store.expand(paths)
        let writer = try WriterLock(path: path, wait: true)
        defer { writer.release() }
        // Files are independent batches: shred them on all cores; commits serialize on the catalog lock.
        var reports = [FileIngestReport?](repeating: nil, count: files.count)
        var failure: Error? = nil
        let state = NSLock()
        var next = 0
        var totals = [Int: IngestProgress]()
        let report: ((IngestProgress) -> Void)? = progress.map { callback in
            { (p: IngestProgress) in
                state.lock()
                totals[p.filesDone] = p
                let all = totals.values
                let sum = IngestProgress(file: p.file, filesDone: reports.compactMap { $0 }.count, filesTotal: files.count,
                                         bytes: all.reduce(0) { $0 + $1.bytes }, rows: all.reduce(0) { $0 + $1.rows },
                                         rejected: all.reduce(0) { $0 + $1.rejected })
                state.unlock()
                callback(sum)
            }
        }
        let workers = max(1, min(options.parallelism, files.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                state.lock()
                let i = next
                next += 1
                let stop = failure != nil
                state.unlock()
                if i >= files.count || stop { return }
                let job = IngestJob(store: self, file: files[i], options: options, index: i, total: files.count, progress: report)
                do {
                    let r = try job.run()
                    state.lock(); reports[i] = r; state.unlock()
                } catch StoreError.input(let path, let reason) {
                    let r = FileIngestReport(path: job.displayName, bytes: 0, rowsByTable: [:], rejected: 0, skipped: false, firstRejects: [],
                                             failure: path == files[i] ? reason : "\(path): \(reason)")
                    state.lock(); reports[i] = r; state.unlock()
                } catch {
                    state.lock(); if failure == nil { failure = error }; state.unlock()
                }
            }
        }
        if let f = failure { throw f }
        return reports.compactMap { $0 }
    }

    static func expand(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for p in paths {
            if p == "-" { out.append(p); continue }
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: p, isDirectory: &isDir) {
                if isDir.boolValue {
                    let items = (fm.enumerator(atPath: p)?.allObjects as? [String] ?? []).sorted()
                    for it in items {
                        let full = p + "/" + it
                        var d: ObjCBool = false
                        if fm.fileExists(atPath: full, isDirectory: &d), !d.boolValue,
                           it.hasSuffix(".json") || it.hasSuffix(".jsonl") || it.hasSuffix(".ndjson") || it.hasSuffix(".gz") {
                            if it.hasSuffix("manifest.json") { continue }
                            out.append(full)
                        }
                    }
                } else {
                    out.append(p)
                }
                continue
            }
            // A glob the shell did not expand (quoted, or from a saved command).
            var g = glob_t()
            defer { globfree(&g) }
            if p.contains(where: { "*?[".contains($0) }), glob(p, 0, nil, &g) == 0 {
                for k in 0..<Int(g.gl_pathc) { if let s = g.gl_pathv[k] { out.append(String(cString: s)) } }
                continue
            }
            // Reported by the file's own ingest (no such file), which does not stop the others.
            out.append(p)
        }
        return out
    }
}
