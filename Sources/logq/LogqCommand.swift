import ArgumentParser
import Foundation
import LogStore
import QueryLang
import LogqReport
import TelemetryGenerator

/// Exit codes (documented in the README and in `logq --help`).
enum ExitCodes {
    static let dataError: Int32 = 1       // data, I/O or store error
    static let usageError: Int32 = 2      // query or usage error
    static let rejected: Int32 = 3        // ingest finished but rejected lines
}

@main
struct Logq: ParsableCommand {
    static let version = "0.1.0"
    // Every command names itself: otherwise ArgumentParser derives names with String(describing:),
    // a scan of the binary's protocol conformances that cost about 1 ms of each process start.
    static let configuration = CommandConfiguration(
        commandName: "logq",
        abstract: "Ingest exported Application Insights / Azure Monitor telemetry and answer KQL over it, offline.",
        discussion: """
        Exit codes:
          0  success
          1  data, I/O or store error
          2  query or usage error
          3  ingest finished but rejected lines
        Store: --store DIR, else $LOGQ_STORE, else ./.logq

        Examples:
          logq generate --out /tmp/telemetry --rows 100000
          logq ingest --store /tmp/store /tmp/telemetry
          logq query --store /tmp/store 'requests | summarize count() by resultCode'
          logq run --store /tmp/store queries/01-request-histogram.kql
          logq report --store /tmp/store --incident -o incident.html
          logq compact --store /tmp/store; logq drop --store /tmp/store --before 30d
        """,
        version: version,
        subcommands: [Init.self, Generate.self, Ingest.self, Query.self, Run.self, Tables.self, Schema.self, Explain.self, Rejects.self,
                      Compact.self, Drop.self, Report.self, Functions.self]
    )

    /// Usage errors exit with 2 (ArgumentParser's default is 64), as the README documents.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write((fullMessage(for: error) + "\n").data(using: .utf8)!)
                Foundation.exit(ExitCodes.usageError)
            }
            exit(withError: error)
        }
    }
}

struct StoreOption: ParsableArguments {
    @Option(name: .long, help: "The store folder (default: $LOGQ_STORE, else ./.logq).")
    var store: String?

    var path: String { store ?? ProcessInfo.processInfo.environment["LOGQ_STORE"] ?? "./.logq" }

    /// `forQuery`: a command that only reads leaves housekeeping to the next writer (a query's
    /// start-up is part of its latency).
    func open(create: Bool = false, readOnly: Bool = false, forQuery: Bool = false) -> Store {
        do { return try Store(path: path, create: create, readOnly: readOnly, housekeeping: !forQuery) }
        catch { fail(error, code: ExitCodes.dataError) }
    }
}

func fail(_ error: Error, code: Int32) -> Never {
    FileHandle.standardError.write(("logq: error: \(error)\n").data(using: .utf8)!)
    Foundation.exit(code)
}

func stderr(_ s: String) { FileHandle.standardError.write(s.data(using: .utf8)!) }

var stdoutIsTerminal: Bool { isatty(1) != 0 }
var stderrIsTerminal: Bool { isatty(2) != 0 }

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Write deterministic synthetic telemetry (a week with a 20-minute incident).",
        discussion: "Example: logq generate --out /tmp/telemetry --rows 100000 --seed 7 --gzip")
    @Option(help: "Output folder.") var out: String
    @Option(help: "Random seed: the same seed gives the same bytes.") var seed: UInt64 = 42
    @Option(help: "Request rows; other tables scale from it.") var rows: Int = 100_000
    @Option(help: "First day (UTC), ISO 8601.") var start: String = "2025-03-03"
    @Option(help: "Days of telemetry.") var days: Int = 7
    @Flag(help: "Write .jsonl.gz files.") var gzip = false

    func run() throws {
        var o = TelemetryGenerator.Options()
        o.seed = seed; o.rows = rows; o.days = days; o.gzip = gzip
        guard let s = Ticks.parseDatetime(start) else { throw ValidationError("--start '\(start)' is not a datetime") }
        guard days >= 1, rows >= 1 else { throw ValidationError("--days and --rows must be at least 1") }
        o.start = s
        let m = try TelemetryGenerator(options: o).write(to: out)
        let bytes = m.bytes.values.reduce(0, +)
        stderr(String(format: "wrote %@: %d rows, %.1f MB in %.2fs (%.0f MB/s); incident %@ .. %@\n", out, m.rows.values.reduce(0, +),
                      Double(bytes) / 1e6, m.seconds, Double(bytes) / 1e6 / max(m.seconds, 1e-9),
                      Ticks.formatDatetime(m.incidentStart), Ticks.formatDatetime(m.incidentEnd)))
    }
}

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Ingest JSON telemetry files (NDJSON, arrays, {\"records\"}, query results; plain or gzip).",
        discussion: """
        Folders are walked; '-' reads stdin. Re-ingesting a file already ingested is a no-op unless --force.
        Exit status 3 when lines were rejected (they are kept in the ingest_rejects table).
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
        var rows = 0, rejected = 0, bytes = 0, skipped = 0
        for r in reports {
            rows += r.rows; rejected += r.rejected; bytes += r.bytes
            if r.skipped { skipped += 1; stderr("\(r.path): already ingested (use --force to ingest again)\n") }
            for j in r.firstRejects.prefix(20) { stderr("\(j.file):\(j.line): \(j.reason)\n") }
            if r.rejected > 20 { stderr("\(r.path): \(r.rejected - 20) more rejected lines (query ingest_rejects)\n") }
            for n in r.firstTruncations.prefix(10) { stderr("\(n.file):\(n.line): note: \(n.reason)\n") }
            if r.truncated > 10 { stderr("\(r.path): \(r.truncated - 10) more records kept with cut strings\n") }
        }
        let el = Date().timeIntervalSince(t0)
        stderr(String(format: "ingested %d rows from %d file(s) (%.1f MB) in %.2fs (%.0f MB/s)%@%@\n", rows, reports.count - skipped, Double(bytes) / 1e6, el,
                      Double(bytes) / 1e6 / max(el, 1e-9), skipped > 0 ? ", \(skipped) skipped" : "", rejected > 0 ? ", \(rejected) rejected" : ""))
        if rejected > 0 { throw ExitCode(ExitCodes.rejected) }
    }
}

struct QueryOutputOptions: ParsableArguments {
    @Option(help: "table, csv, tsv, json, ndjson or markdown (default: table on a terminal, tsv when piped).")
    var format: String?
    @Option(help: "Only rows at or after this time (ISO 8601, or relative like 2h).") var from: String?
    @Option(help: "Only rows before this time (ISO 8601, or relative like 30m).") var to: String?
    @Option(help: "Only the last span of time, e.g. 2h (same as --from 2h).") var since: String?
    @Flag(help: "Print rows scanned, segments read/pruned and time on stderr.") var stats = false
    @Flag(help: "Return all rows (no 500,000-row truncation).") var noTruncation = false
    @Option(help: "Fail the query when it reads more rows than this.") var maxRowsScanned: Int?
    @Option(help: "Fail the query when it runs longer than this many seconds.") var timeout: Double?
    @Option(help: "Fail the query when the process holds more than this many MB (default: 3/4 of physical memory).") var maxMemory: Int?
    @Option(name: .customLong("param"), help: "A query parameter, name=value (repeatable).") var params: [String] = []
    @Option(help: "Write the result's chart (its render kind, else a time chart or columns) as a standalone SVG file.") var chart: String?
    @Flag(help: "Never page long output through $PAGER.") var noPager = false

    func outputFormat() throws -> OutputFormat {
        if let f = format {
            guard let o = OutputFormat(rawValue: f) else { throw ValidationError("unknown --format '\(f)' (table, csv, tsv, json, ndjson, markdown)") }
            return o
        }
        return stdoutIsTerminal ? .table : .tsv
    }

    /// A span like 2h, 30m, 1.5d, 500ms, or Kusto's [d.]hh:mm[:ss].
    static func span(_ s: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", Ticks.perMillisecond), ("d", Ticks.perDay), ("h", Ticks.perHour), ("m", Ticks.perMinute), ("s", Ticks.perSecond)]
        for (u, per) in units where s.hasSuffix(u) {
            if let v = Double(s.dropLast(u.count)), v.isFinite { return Int64(v * Double(per)) }
        }
        return s.contains(":") ? Ticks.parseTimespan(s) : nil
    }

    static func time(_ s: String, _ flag: String) throws -> Int64 {
        if let t = Ticks.parseDatetime(s) { return t }
        var lx = s
        if lx.hasPrefix("-") { lx.removeFirst() }
        if let d = span(lx) { return Ticks.fromUnixSeconds(Date().timeIntervalSince1970) - d }
        throw ValidationError("\(flag) '\(s)' is neither an ISO 8601 datetime nor a relative span like 2h")
    }

    func compileOptions() throws -> CompileOptions {
        var o = CompileOptions()
        if let s = since { o.timeFrom = try QueryOutputOptions.time(s, "--since") }
        if let f = from { o.timeFrom = try QueryOutputOptions.time(f, "--from") }
        if let t = to { o.timeTo = try QueryOutputOptions.time(t, "--to") }
        for p in params {
            guard let eq = p.firstIndex(of: "=") else { throw ValidationError("--param '\(p)' must be name=value") }
            o.parameters[String(p[..<eq])] = .string(String(p[p.index(after: eq)...]))
        }
        if let f = o.timeFrom { o.parameters["_from"] = o.parameters["_from"] ?? .datetime(f) }
        if let t = o.timeTo { o.parameters["_to"] = o.parameters["_to"] ?? .datetime(t) }
        return o
    }
}

/// Compiles, runs and prints; maps failures to exit codes.
func runQuery(_ text: String, name: String, store: Store, output: QueryOutputOptions, title: String? = nil) throws {
    tuneAllocatorForQueries()
    let format = try output.outputFormat()
    let compiled: CompiledQuery
    do {
        compiled = try QueryEngine.compile(text, store: store, options: try output.compileOptions())
    } catch let f as CompileFailure {
        stderr(f.render(name: name)); throw ExitCode(ExitCodes.usageError)
    }
    var opts = ExecutionOptions()
    opts.truncate = !output.noTruncation
    opts.maxRowsScanned = output.maxRowsScanned
    if let t = output.timeout { opts.deadline = Date().addingTimeInterval(t) }
    opts.maxMemoryBytes = output.maxMemory.map { $0 << 20 } ?? Int(ProcessInfo.processInfo.physicalMemory / 4 * 3)
    let result: ResultTable
    do { result = try compiled.run(options: opts) }
    catch let d as Diagnostic {
        stderr(compiled.source.render(d, name: name)); throw ExitCode(d.code.hasPrefix("LQ3003") ? ExitCodes.dataError : ExitCodes.usageError)
    }
    var text = (title.map { $0 + "\n" } ?? "") + (format == .table ? ResultFormatter.table(result, width: stdoutIsTerminal ? Terminal.size.columns : nil, color: Terminal.color)
                                                                : ResultFormatter.render(result, as: format))
    if stdoutIsTerminal, format == .table, let chart = ChartData.from(result) {
        text += "\n" + ChartText.render(chart, width: Terminal.size.columns, color: Terminal.color)
    }
    Terminal.show(text, page: !output.noPager)
    if let path = output.chart {
        guard let chart = ChartData.from(result) ?? ChartData.from(result, kind: "auto") else {
            stderr("logq: error: --chart: the result has no numeric column to draw\n"); throw ExitCode(ExitCodes.usageError)
        }
        var o = ChartSVG.Options()
        o.title = title ?? (name == "<query>" ? nil : name)
        do { try ChartSVG.render(chart, options: o).write(toFile: path, atomically: true, encoding: .utf8) }
        catch { fail(CLIError("cannot write \(path): \(error.localizedDescription)"), code: ExitCodes.dataError) }
    }
    for w in result.warnings { stderr("logq: warning: \(w)\n") }
    if output.stats {
        let s = result.stats
        stderr(String(format: "rows scanned: %d, segments read: %d, pruned: %d of %d, bytes: %.1f MB, time: %.3fs, peak memory: %.0f MB\n",
                      s.scan.rowsRead, s.scan.segmentsRead, s.scan.segmentsPruned, s.scan.segmentsTotal, Double(s.scan.bytesRead) / 1e6, s.elapsed,
                      peakMemoryMB()))
    }
}

func peakMemoryMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Run a KQL query (inline, -f FILE, or stdin).",
        discussion: "Example: logq query --store /tmp/store --format csv 'requests | where success == false | summarize count() by resultCode'")
    @OptionGroup var store: StoreOption
    @OptionGroup var output: QueryOutputOptions
    @Option(name: .shortAndLong, help: "Read the query from this file.") var file: String?
    @Argument(help: "The query text ('-' or nothing: stdin).") var text: String?

    func run() throws {
        let (q, name) = try readQuery(text: text, file: file)
        let s = store.open(forQuery: true)
        try runQuery(q, name: name, store: s, output: output)
    }
}

func readQuery(text: String?, file: String?) throws -> (String, String) {
    if let f = file {
        guard let s = try? String(contentsOfFile: f, encoding: .utf8) else { fail(CLIError("cannot read query file '\(f)'"), code: ExitCodes.usageError) }
        return (s, f)
    }
    if let t = text, t != "-" { return (t, "<query>") }
    let data = FileHandle.standardInput.readDataToEndOfFile()
    return (String(decoding: data, as: UTF8.self), "<stdin>")
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a saved query by name or path (binds declare query_parameters).",
        discussion: "Searches --queries DIR, ./queries and ~/.config/logq/queries. Example: logq run high-error-rate --param window_start=2025-03-07T13:00:00Z")
    @OptionGroup var store: StoreOption
    @OptionGroup var output: QueryOutputOptions
    @Option(help: "A folder of saved .kql queries.") var queries: String?
    @Argument(help: "The saved query's name or path.") var name: String

    func run() throws {
        let path = try SavedQueries.resolve(name, dir: queries)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let declared = QueryEngine.declaredParameters(text)
        let given = Set(output.params.compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        let missing = declared.filter { !$0.hasDefault && !given.contains($0.name) && !($0.name == "_from" && output.from != nil || output.since != nil) && !($0.name == "_to" && output.to != nil) }
        if !missing.isEmpty {
            stderr("logq: error: \(path) needs \(missing.map { "--param \($0.name)=<\($0.type.name)>" }.joined(separator: " "))\n")
            throw ExitCode(ExitCodes.usageError)
        }
        try runQuery(text, name: path, store: store.open(forQuery: true), output: output)
    }
}

enum SavedQueries {
    static func dirs(_ explicit: String?) -> [String] {
        var d: [String] = []
        if let e = explicit { d.append(e) }
        d.append("queries")
        d.append(NSHomeDirectory() + "/.config/logq/queries")
        return d
    }

    static func resolve(_ name: String, dir: String?) throws -> String {
        if FileManager.default.fileExists(atPath: name) { return name }
        for d in dirs(dir) {
            for candidate in [d + "/" + name, d + "/" + name + ".kql"] where FileManager.default.fileExists(atPath: candidate) { return candidate }
            if let items = try? FileManager.default.contentsOfDirectory(atPath: d) {
                if let hit = items.sorted().first(where: { $0.hasSuffix(".kql") && ($0.dropLast(4).hasSuffix(name) || $0.contains(name)) }) { return d + "/" + hit }
            }
        }
        throw ValidationError("no saved query named '\(name)' in \(dirs(dir).joined(separator: ", "))")
    }

    /// Title and description from the leading `// title:` and `// description:` comment lines.
    static func header(_ text: String) -> (title: String?, description: String?) {
        var title: String? = nil, desc: String? = nil
        for line in text.split(separator: "\n") {
            let l = line.trimmingCharacters(in: .whitespaces)
            guard l.hasPrefix("//") else { break }
            let body = l.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if body.lowercased().hasPrefix("title:") { title = body.dropFirst(6).trimmingCharacters(in: .whitespaces) }
            if body.lowercased().hasPrefix("description:") { desc = body.dropFirst(12).trimmingCharacters(in: .whitespaces) }
        }
        return (title, desc)
    }
}

struct Tables: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tables", abstract: "List the store's tables with row and segment counts and time ranges.",
        discussion: "Example: logq tables --store /tmp/store   (in a query: .show tables)")
    @OptionGroup var store: StoreOption
    func run() throws {
        let s = store.open(readOnly: false)
        print("table\trows\tsegments\tbytes\tfrom\tto")
        for t in try s.tableNames() {
            let segs = try s.segments(of: t)
            let rows = segs.reduce(0) { $0 + $1.rows }, bytes = segs.reduce(0) { $0 + $1.bytes }
            let lo = segs.compactMap(\.minTime).min(), hi = segs.compactMap(\.maxTime).max()
            print("\(t)\t\(rows)\t\(segs.count)\t\(bytes)\t\(lo.map(Ticks.formatDatetime) ?? "")\t\(hi.map(Ticks.formatDatetime) ?? "")")
        }
    }
}

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "Show a table's columns and Kusto types.",
        discussion: "Example: logq schema --store /tmp/store requests   (in a query: requests | getschema)")
    @OptionGroup var store: StoreOption
    @Argument var table: String
    func run() throws {
        let s = store.open(readOnly: false)
        guard let sc = try s.schema(of: table) else {
            let near = ((try? s.tableNames()) ?? []).first { $0.lowercased() == table.lowercased() }
            fail(CLIError("table '\(table)' does not exist" + (near.map { " (did you mean '\($0)'?)" } ?? "")), code: ExitCodes.usageError)
        }
        let sizes = (try? s.columnSizes(of: table)) ?? [:]
        print("column\ttype\tstored bytes\tencoded bytes")
        for c in sc.columns {
            let z = sizes[c.name] ?? (0, 0)
            print("\(c.name)\t\(c.type.name)\(c.name == sc.timeColumn ? " (time)" : "")\t\(z.stored)\t\(z.raw)")
        }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Show the optimized plan: pushed predicates, columns read, segments kept and pruned.",
        discussion: "Example: logq explain --store /tmp/store 'requests | where operation_Id == \"4bf92f3577b34da6\" | count'")
    @OptionGroup var store: StoreOption
    @OptionGroup var output: QueryOutputOptions
    @Option(name: .shortAndLong, help: "Read the query from this file.") var file: String?
    @Argument var text: String?
    func run() throws {
        let (q, name) = try readQuery(text: text, file: file)
        do { print(try QueryEngine.compile(q, store: store.open(forQuery: true), options: try output.compileOptions()).explain(), terminator: "") }
        catch let f as CompileFailure { stderr(f.render(name: name)); throw ExitCode(ExitCodes.usageError) }
    }
}

struct Rejects: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rejects", abstract: "Show recent ingest rejects (file:line: reason).",
        discussion: "Example: logq rejects --store /tmp/store --limit 20   (all of them: logq query 'ingest_rejects')")
    @OptionGroup var store: StoreOption
    @Option(help: "How many.") var limit: Int = 50
    func run() throws {
        let s = store.open()
        let c = try QueryEngine.compile("ingest_rejects | top \(limit) by IngestedAt desc", store: s)
        let r = try c.run()
        for i in 0..<r.rowCount {
            print("\(r.value(row: i, column: 1).asText):\(r.value(row: i, column: 2).asText): \(r.value(row: i, column: 4).asText)")
        }
    }
}

extension Value {
    var asText: String {
        switch self {
        case .null: return ""
        case .string(let s): return s
        case .long(let v): return String(v)
        default: return "\(self)"
        }
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

struct Functions: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "functions", abstract: "List the KQL scalar and aggregate functions logq supports.",
        discussion: "Example: logq functions")
    func run() throws {
        print("aggregates: " + QueryEngine.aggregateNames.sorted().joined(separator: " "))
        print("scalar: " + QueryEngine.functionNames.joined(separator: " "))
    }
}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create an empty store (ingest also creates one).",
        discussion: "Example: logq init --store /tmp/store")
    @OptionGroup var store: StoreOption
    func run() throws {
        _ = store.open(create: true)
        stderr("store ready at \(store.path)\n")
    }
}

struct Compact: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compact", abstract: "Merge small segments (from many small ingests or appends) into larger ones.",
        discussion: """
        Runs of segments under --small-rows rows, adjacent in time, are rewritten into segments of about --target-rows rows,
        sorted by time. Each merge is one catalog transaction; queries running meanwhile keep reading the old files,
        which are deleted once no query holds them.
        Example: logq compact --store /tmp/store
                 logq compact --store /tmp/store --table traces
        """)
    @OptionGroup var store: StoreOption
    @Option(help: "Only this table (repeatable); default all.") var table: [String] = []
    @Option(help: "Rows per merged segment.") var targetRows: Int = 131_072
    @Option(help: "Segments with fewer rows are merged.") var smallRows: Int = 65_536

    func run() throws {
        guard targetRows >= 1, smallRows >= 1 else { throw ValidationError("--target-rows and --small-rows must be at least 1") }
        let s = store.open()
        var o = CompactOptions()
        o.targetRows = targetRows; o.smallRows = smallRows
        do {
            let known = try s.tableNames()
            for t in table where !known.contains(t) { throw ValidationError("table '\(t)' does not exist in the store") }
            print("table\tsegments before\tsegments after\trows rewritten\tbytes before\tbytes after")
            for r in try s.compact(tables: table.isEmpty ? nil : table, options: o) {
                print("\(r.table)\t\(r.segmentsBefore)\t\(r.segmentsAfter)\t\(r.rowsRewritten)\t\(r.bytesBefore)\t\(r.bytesAfter)")
            }
        } catch let e as StoreError { fail(e, code: ExitCodes.dataError) }
    }
}

struct Drop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drop", abstract: "Retention: remove whole segments whose rows are all older than a time.",
        discussion: """
        A segment that holds rows on both sides of --before is kept whole (its count is shown). Tables without a time
        column are not touched. --dry-run shows what would go.
        Example: logq drop --store /tmp/store --before 2025-03-01
                 logq drop --store /tmp/store --before 30d --table traces --dry-run
        """)
    @OptionGroup var store: StoreOption
    @Option(help: "Cut-off: ISO 8601 datetime, or a span before now like 30d.") var before: String
    @Option(help: "Only this table (repeatable); default all.") var table: [String] = []
    @Flag(help: "Only report what would be dropped.") var dryRun = false

    func run() throws {
        let cutoff = try QueryOutputOptions.time(before, "--before")
        let s = store.open()
        do {
            let known = try s.tableNames()
            for t in table where !known.contains(t) { throw ValidationError("table '\(t)' does not exist in the store") }
            print("table\tsegments dropped\trows dropped\tbytes dropped\tsegments straddling")
            for r in try s.drop(before: cutoff, tables: table.isEmpty ? nil : table, dryRun: dryRun) {
                print("\(r.table)\t\(r.segmentsDropped)\t\(r.rowsDropped)\t\(r.bytesDropped)\t\(r.segmentsStraddling)")
            }
            if dryRun { stderr("dry run: nothing was removed\n") }
        } catch let e as StoreError { fail(e, code: ExitCodes.dataError) }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Write a post-incident report: every saved query over a window, with tables and charts.",
        discussion: """
        The report is one self-contained HTML file (inline CSS and SVG; no scripts, fonts or links to fetch), or Markdown
        with the charts as SVG files in a folder beside it (-o report.md writes report_files/).
        Queries read the window plus --context on each side (so charts show the baseline; the window is shaded), and get
        the window as parameters window_start, window_end, _from and _to.
        --incident finds the window from the data: 5-minute bins of requests whose failures rise more than 5 binomial
        standard deviations above the pooled failure rate (and to at least twice it), or whose p95 duration rises more than
        6 robust deviations above the median p95; the longest run of such bins (at most one normal bin apart) is the window.
        Examples:
          logq report --store /tmp/store --from 2025-03-07T13:30Z --to 2025-03-07T14:15Z -o incident.html
          logq report --store /tmp/store --incident --title "Checkout outage" -o incident.md
        """)
    @OptionGroup var store: StoreOption
    @Option(help: "Window start (ISO 8601 or relative like 2h).") var from: String?
    @Option(help: "Window end, exclusive (ISO 8601 or relative).") var to: String?
    @Flag(help: "Find the window from the data (see above).") var incident = false
    @Option(help: "A folder of saved .kql queries (default ./queries, else ~/.config/logq/queries).") var queries: String?
    @Option(help: "The report's title.") var title: String?
    @Option(name: .shortAndLong, help: "Output file: .html or .md.") var output: String
    @Option(help: "Rows shown per result table.") var maxRows: Int = 20
    @Option(help: "Context read on each side of the window, e.g. 1h (default: the window's length, at least 30m).") var context: String?

    func run() throws {
        tuneAllocatorForQueries()
        let isHTML = output.hasSuffix(".html") || output.hasSuffix(".htm")
        guard isHTML || output.hasSuffix(".md") else { throw ValidationError("-o must end in .html or .md") }
        guard maxRows >= 1 else { throw ValidationError("--max-rows must be at least 1") }
        let s = store.open()
        var windowSource: String
        let wFrom: Int64, wTo: Int64
        if incident {
            guard from == nil && to == nil else { throw ValidationError("--incident finds the window itself: give it without --from/--to") }
            do {
                let f = try IncidentFinder.find(store: s)
                (wFrom, wTo, windowSource) = (f.from, f.to, f.explanation)
            } catch let e as IncidentFinder.NotFound { fail(CLIError(e.description), code: ExitCodes.dataError) }
        } else {
            guard let f = from, let t = to else { throw ValidationError("give --from and --to, or --incident") }
            wFrom = try QueryOutputOptions.time(f, "--from"); wTo = try QueryOutputOptions.time(t, "--to")
            guard wFrom < wTo else { throw ValidationError("--from must be before --to") }
            windowSource = "Window given on the command line."
        }
        let pad: Int64
        if let c = context {
            guard let span = QueryOutputOptions.span(c), span >= 0 else { throw ValidationError("--context '\(c)' is not a span like 1h or 30m") }
            pad = span
        } else { pad = max(wTo - wFrom, 30 * Ticks.perMinute) }
        let (cFrom, cTo) = (wFrom - pad, wTo + pad)

        // Saved queries, in file-name order.
        let dirs = SavedQueries.dirs(queries).filter { FileManager.default.fileExists(atPath: $0) }
        guard let dir = dirs.first, let files = try? FileManager.default.contentsOfDirectory(atPath: dir).filter({ $0.hasSuffix(".kql") }).sorted(),
              !files.isEmpty else {
            fail(CLIError("no saved queries (.kql) in \(SavedQueries.dirs(queries).joined(separator: ", "))"), code: ExitCodes.usageError)
        }
        var sections: [ReportSection] = []
        for f in files {
            let path = dir + "/" + f
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let header = SavedQueries.header(text)
            var o = CompileOptions()
            o.timeFrom = cFrom; o.timeTo = cTo
            for (k, v) in [("window_start", wFrom), ("window_end", wTo), ("_from", wFrom), ("_to", wTo)] { o.parameters[k] = .datetime(v) }
            let t0 = Date()
            var section = ReportSection(name: path, title: header.title ?? String(f.dropLast(4)), description: header.description ?? "",
                                        query: text, result: nil, error: nil, chart: nil, seconds: 0)
            do {
                let r = try QueryEngine.compile(text, store: s, options: o).run()
                section.result = r
                section.chart = ChartData.from(r)
            } catch let c as CompileFailure {
                section.error = c.render(name: path)
            } catch let d as Diagnostic {
                section.error = SourceText(text).render(d, name: path)
            } catch {
                section.error = "\(error)"
            }
            section.seconds = Date().timeIntervalSince(t0)
            if let e = section.error { stderr("logq: warning: \(f) failed:\n\(e)") }
            sections.append(section)
        }
        var tables: [(name: String, rowsInWindow: Int, rowsTotal: Int)] = []
        for t in try s.tableNames() {
            var o = CompileOptions()
            o.timeFrom = wFrom; o.timeTo = wTo
            let inWindow = (try? QueryEngine.compile("['\(t.replacingOccurrences(of: "'", with: "\\'"))'] | count", store: s, options: o).run())
                .flatMap { r -> Int? in if case .long(let n) = r.value(row: 0, column: 0) { return Int(n) }; return nil } ?? 0
            tables.append((t, inWindow, try s.rowCount(of: t)))
        }
        let rejected = try s.ingestHistory().reduce(0) { $0 + $1.rejected }
        let args = CommandLine.arguments.dropFirst().map { $0.contains(where: { " '\"$".contains($0) }) ? "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" : $0 }
        let command = (["logq"] + args).joined(separator: " ")
        let prov = ReportProvenance(storePath: (s.path as NSString).standardizingPath, windowFrom: wFrom, windowTo: wTo, contextFrom: cFrom, contextTo: cTo,
                                    windowSource: windowSource, tables: tables, rejectedLines: rejected, version: Logq.version,
                                    generatedAt: Ticks.fromUnixSeconds(Date().timeIntervalSince1970), command: command)
        let docTitle = title ?? "Post-incident report \(Ticks.formatDatetime(wFrom).prefix(16))Z"
        do {
            if isHTML {
                try ReportDocument.html(title: docTitle, provenance: prov, sections: sections, maxRows: maxRows)
                    .write(toFile: output, atomically: true, encoding: .utf8)
            } else {
                let base = ((output as NSString).lastPathComponent as NSString).deletingPathExtension + "_files"
                let folder = ((output as NSString).deletingLastPathComponent as NSString).appendingPathComponent(base)
                let (doc, charts) = ReportDocument.markdown(title: docTitle, provenance: prov, sections: sections, maxRows: maxRows) { i in
                    // The saved query's own file name (they are unique in one folder).
                    base + "/" + String((sections[i].name as NSString).lastPathComponent.dropLast(4)) + ".svg"
                }
                if !charts.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                for (name, svg) in charts {
                    try svg.write(toFile: ((output as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
                }
                try doc.write(toFile: output, atomically: true, encoding: .utf8)
            }
        } catch { fail(CLIError("cannot write \(output): \(error.localizedDescription)"), code: ExitCodes.dataError) }
        let failed = sections.filter { $0.error != nil }.count
        stderr("wrote \(output): \(sections.count) queries\(failed > 0 ? " (\(failed) failed)" : ""), window \(Ticks.formatDatetime(wFrom)) .. \(Ticks.formatDatetime(wTo))\n")
        if failed > 0 { throw ExitCode(ExitCodes.usageError) }
    }
}
