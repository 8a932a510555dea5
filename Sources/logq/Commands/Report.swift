import ArgumentParser
import Foundation
import LogStore
import LogqReport

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
        guard IncidentReport.canWrite(output) else { throw ValidationError("-o must end in .html or .md") }
        guard maxRows >= 1 else { throw ValidationError("--max-rows must be at least 1") }
        let s = store.open(forQuery: true)
        let windowSource: String
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
        var pad: Int64? = nil
        if let c = context {
            if QueryOutputOptions.parseSpan(c) == .outOfRange { throw ValidationError("--context '\(c)' is out of range: a span must be a finite number within 10675199 days") }
            guard let span = QueryOutputOptions.span(c), span >= 0 else { throw ValidationError("--context '\(c)' is not a span like 1h or 30m") }
            pad = span
        }
        let report = IncidentReport(store: s, windowFrom: wFrom, windowTo: wTo, windowSource: windowSource, context: pad)

        let dirs = SavedQueries.dirs(queries).filter { FileManager.default.fileExists(atPath: $0) }
        guard let dir = dirs.first, let files = IncidentReport.queryFiles(in: dir), !files.isEmpty else {
            fail(CLIError("no saved queries (.kql) in \(SavedQueries.dirs(queries).joined(separator: ", "))"), code: ExitCodes.usageError)
        }
        var sections: [ReportSection] = []
        for path in files {
            let section = report.section(path: path)
            if let e = section.error { stderr("logq: warning: \((path as NSString).lastPathComponent) failed:\n\(e)") }
            sections.append(section)
        }
        let args = CommandLine.arguments.dropFirst().map { $0.contains(where: { " '\"$".contains($0) }) ? "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" : $0 }
        let prov = try report.provenance(version: Logq.version, command: (["logq"] + args).joined(separator: " "))
        do {
            try IncidentReport.write(to: output, title: title ?? report.defaultTitle, provenance: prov, sections: sections, maxRows: maxRows)
        } catch { fail(CLIError("cannot write \(output): \(error.localizedDescription)"), code: ExitCodes.dataError) }
        let failed = sections.filter { $0.error != nil }.count
        stderr("wrote \(output): \(sections.count) queries\(failed > 0 ? " (\(failed) failed)" : ""), window \(Ticks.formatDatetime(wFrom)) .. \(Ticks.formatDatetime(wTo))\n")
        if failed > 0 { throw ExitCode(ExitCodes.usageError) }
    }
}
