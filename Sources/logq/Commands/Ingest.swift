import ArgumentParser
import Foundation
import LogStore

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Ingest JSON telemetry files (NDJSON, arrays, {\"records\"}, query results; plain or gzip).",
        discussion: """
        Folders are walked; '-' reads stdin. Re-ingesting a file already ingested is a no-op unless --force.
        Exit status 3 when lines were rejected (they are kept in the ingest_rejects table); 1 when a file could not be
        read (missing, unreadable, or not a regular file: it is reported and skipped, and the other files are ingested).
        Example: logq ingest --store /tmp/store exports/*.json.gz
        """)
    @OptionGroup var store: StoreOption
    @Option(help: "Put every record into this table.") var table: String?
    @Flag(help: "Ingest files even if their content was ingested before.") var force = false
    @Option(help: "Longest accepted line, in bytes.") var maxLineBytes: Int = 1 << 20
    @Option(help: ArgumentHelp("Keep records with string values longer than N bytes, cut to N (a note per record), instead of rejecting long lines (up to 256 MiB).", valueName: "N"))
    var truncateStrings: Int?
    @Argument(help: "Files, folders, globs, or - for stdin.") var files: [String]

    func run() throws {
        let s = store.open(create: true)
        var o = IngestOptions(table: table, force: force)
        o.maxLineBytes = maxLineBytes
        if let n = truncateStrings {
            guard n >= 1 else { throw ValidationError("--truncate-strings must be at least 1") }
            o.maxStringBytes = n
        }
        if let t = table, let problem = Store.tableNameProblem(t) { throw ValidationError("--table: \(problem)") }
        guard maxLineBytes >= 1 else { throw ValidationError("--max-line-bytes must be at least 1") }
        let t0 = Date()
        let showProgress = stderrIsTerminal
        let reports: [FileIngestReport]
        do {
            reports = try s.ingest(paths: files, options: o) { p in
                guard showProgress else { return }
                let el = max(Date().timeIntervalSince(t0), 1e-3)
                stderr(String(format: "\r\u{1B}[K[%d/%d] %@  %.1f MB  %d rows (%.0f rows/s)  %d rejected", p.filesDone + 1, p.filesTotal,
                              (p.file as NSString).lastPathComponent, Double(p.bytes) / 1e6, p.rows, Double(p.rows) / el, p.rejected))
            }
        } catch {
            if showProgress { stderr("\n") }
            fail(error, code: ExitCodes.dataError)
        }
        if showProgress { stderr("\r\u{1B}[K") }
        var rows = 0, rejected = 0, bytes = 0, skipped = 0, failed = 0
        for r in reports {
            if let f = r.failure { failed += 1; stderr("\(r.path): not ingested: \(f)\n"); continue }
            rows += r.rows; rejected += r.rejected; bytes += r.bytes
            if r.skipped { skipped += 1; stderr("\(r.path): already ingested (use --force to ingest again)\n") }
            for j in r.firstRejects.prefix(20) { stderr("\(j.file):\(j.line): \(j.reason)\n") }
            if r.rejected > 20 { stderr("\(r.path): \(r.rejected - 20) more rejected lines (query ingest_rejects)\n") }
            for n in r.firstTruncations.prefix(10) { stderr("\(n.file):\(n.line): note: \(n.reason)\n") }
            if r.truncated > 10 { stderr("\(r.path): \(r.truncated - 10) more records kept with cut strings\n") }
        }
        let el = Date().timeIntervalSince(t0)
        stderr(String(format: "ingested %d rows from %d file(s) (%.1f MB) in %.2fs (%.0f MB/s)%@%@\n", rows, reports.count - skipped - failed, Double(bytes) / 1e6, el,
                      Double(bytes) / 1e6 / max(el, 1e-9), skipped > 0 ? ", \(skipped) skipped" : "", (rejected > 0 ? ", \(rejected) rejected" : "") + (failed > 0 ? ", \(failed) file(s) not ingested" : "")))
        if failed > 0 { throw ExitCode(ExitCodes.dataError) }
        if rejected > 0 { throw ExitCode(ExitCodes.rejected) }
    }
}
