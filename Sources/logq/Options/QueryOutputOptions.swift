import ArgumentParser
import Foundation
import LogStore
import QueryLang

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

    /// What an option's span text reads as; a number too large for a timespan is not the same
    /// mistake as text that is no span at all, and says so.
    enum SpanText: Equatable { case ticks(Int64), outOfRange, notASpan }

    /// A span like 2h, 30m, 1.5d, 500ms, or Kusto's [d.]hh:mm[:ss].
    static func parseSpan(_ s: String) -> SpanText {
        let units: [(String, Int64)] = [("ms", Ticks.perMillisecond), ("d", Ticks.perDay), ("h", Ticks.perHour), ("m", Ticks.perMinute), ("s", Ticks.perSecond)]
        for (u, per) in units where s.hasSuffix(u) {
            guard let v = Double(s.dropLast(u.count)) else { continue }
            // 1e300d, nan or inf days: no timespan holds them (Int64(v * per) trapped).
            return Checked.ticks(v, unit: per).map { .ticks($0) } ?? .outOfRange
        }
        return s.contains(":") ? Ticks.parseTimespan(s).map { .ticks($0) } ?? .notASpan : .notASpan
    }

    static func span(_ s: String) -> Int64? {
        if case .ticks(let t) = parseSpan(s) { return t }
        return nil
    }

    static func time(_ s: String, _ flag: String) throws -> Int64 {
        if let t = Ticks.parseDatetime(s) { return t }
        var lx = s
        if lx.hasPrefix("-") { lx.removeFirst() }
        switch parseSpan(lx) {
        case .ticks(let d):
            guard let t = Checked.subtract(Ticks.fromUnixSeconds(Date().timeIntervalSince1970), d).flatMap({ Checked.datetime($0) }) else {
                throw ValidationError("\(flag) '\(s)' reaches before 0001-01-01 or after 9999-12-31")
            }
            return t
        case .outOfRange:
            throw ValidationError("\(flag) '\(s)' is out of range: a span must be a finite number within 10675199 days")
        case .notASpan:
            throw ValidationError("\(flag) '\(s)' is neither an ISO 8601 datetime nor a relative span like 2h")
        }
    }

    /// The budgets and result limits of one run; the deadline counts from now.
    func executionOptions() -> ExecutionOptions {
        var o = ExecutionOptions()
        o.truncate = !noTruncation
        o.maxRowsScanned = maxRowsScanned
        if let t = timeout { o.deadline = Date().addingTimeInterval(t) }
        // `<<` would silently wrap a huge --max-memory into a negative budget; past Int.max it is unlimited.
        o.maxMemoryBytes = maxMemory.map { m in m.multipliedReportingOverflow(by: 1 << 20).overflow ? Int.max : m << 20 }
            ?? Int(clamping: ProcessInfo.processInfo.physicalMemory / 4 * 3)
        return o
    }

    func compileOptions() throws -> CompileOptions {
        var o = CompileOptions()
        if let t = timeout, !(t.isFinite && t >= 0) { throw ValidationError("--timeout '\(t)' must be a finite number of seconds, 0 or more") }
        if let s = since { o.timeFrom = try QueryOutputOptions.time(s, "--since") }
        if let f = from { o.timeFrom = try QueryOutputOptions.time(f, "--from") }
        if let t = to { o.timeTo = try QueryOutputOptions.time(t, "--to") }
        for p in params {
            guard let eq = p.firstIndex(of: "=") else { throw ValidationError("--param '\(p)' must be name=value") }
            o.parameters[String(p[..<eq])] = .string(String(p[p.index(after: eq)...]))
        }
        if let f = o.timeFrom { o.parameters["_from"] = o.parameters["_from"] ?? .datetime(f) }
        if let t = o.timeTo { o.parameters["_to"] = o.parameters["_to"] ?? .datetime(t) }
        o.subqueryBudgets = executionOptions()
        return o
    }
}

/// Compiles, runs and prints; maps failures to exit codes.
