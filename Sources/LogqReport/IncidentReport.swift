import Foundation
import LogStore
import QueryLang

/// A post-incident report from start to end: every saved query run over the window (with context
/// on each side), what the report was made from, and the document written as HTML or Markdown.
/// The caller only chooses the window (given, or found by `IncidentFinder`).
public struct IncidentReport {
    public let store: Store
    public let windowFrom: Int64
    public let windowTo: Int64
    /// How the window was chosen; the report shows it under the window.
    public let windowSource: String
    /// Read on each side of the window, so that charts show the baseline around it.
    public let context: Int64

    /// `context` nil: the window's length, at least 30 minutes.
    public init(store: Store, windowFrom: Int64, windowTo: Int64, windowSource: String, context: Int64? = nil) {
        self.store = store; self.windowFrom = windowFrom; self.windowTo = windowTo; self.windowSource = windowSource
        self.context = context ?? max(windowTo - windowFrom, 30 * Ticks.perMinute)
    }

    /// Budgets for each saved query of the report (the CLI's defaults: no deadline, three
    /// quarters of physical memory), so that one runaway query ends as that section's error
    /// instead of taking the report down.
    public var queryTimeout: Double? = nil
    public var maxMemoryBytes: Int? = Int(ProcessInfo.processInfo.physicalMemory / 4 * 3)

    public var contextFrom: Int64 { windowFrom - context }
    public var contextTo: Int64 { windowTo + context }

    /// The saved queries (`.kql`) of a folder, as paths in file-name order; nil when it cannot be read.
    public static func queryFiles(in directory: String) -> [String]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        return names.filter { $0.hasSuffix(".kql") }.sorted().map { directory + "/" + $0 }
    }

    /// Runs one saved query over the context, with the window as the parameters window_start,
    /// window_end, _from and _to. A query that fails keeps its rendered diagnostic in the section:
    /// the report still lists it.
    public func section(path: String) -> ReportSection {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let header = SavedQueryHeader(text)
        var o = CompileOptions()
        o.timeFrom = contextFrom; o.timeTo = contextTo
        for (k, v) in [("window_start", windowFrom), ("window_end", windowTo), ("_from", windowFrom), ("_to", windowTo)] { o.parameters[k] = .datetime(v) }
        var budgets = ExecutionOptions()
        budgets.deadline = queryTimeout.map { Date(timeIntervalSinceNow: $0) }
        budgets.maxMemoryBytes = maxMemoryBytes
        o.subqueryBudgets = budgets
        let t0 = Date()
        let file = (path as NSString).lastPathComponent
        var section = ReportSection(name: path, title: header.title ?? String(file.dropLast(4)), description: header.description ?? "",
                                    query: text, result: nil, error: nil, chart: nil, seconds: 0)
        do {
            let r = try QueryEngine.compile(text, store: store, options: o).run(options: budgets)
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
        return section
    }

    /// Each table's rows in the window and in all, and the store's rejected lines.
    public func provenance(version: String, command: String) throws -> ReportProvenance {
        var tables: [(name: String, rowsInWindow: Int, rowsTotal: Int)] = []
        for t in try store.tableNames() {
            var o = CompileOptions()
            o.timeFrom = windowFrom; o.timeTo = windowTo
            let inWindow = (try? QueryEngine.compile("['\(t.replacingOccurrences(of: "'", with: "\\'"))'] | count", store: store, options: o).run())
                .flatMap { r -> Int? in if case .long(let n) = r.value(row: 0, column: 0) { return Int(n) }; return nil } ?? 0
            tables.append((t, inWindow, try store.rowCount(of: t)))
        }
        let rejected = try store.ingestHistory().reduce(0) { $0 + $1.rejected }
        return ReportProvenance(storePath: (store.path as NSString).standardizingPath, windowFrom: windowFrom, windowTo: windowTo,
                                contextFrom: contextFrom, contextTo: contextTo, windowSource: windowSource, tables: tables,
                                rejectedLines: rejected, version: version, generatedAt: Ticks.fromUnixSeconds(Date().timeIntervalSince1970),
                                command: command)
    }

    /// The default title: the window's start to the minute.
    public var defaultTitle: String { "Post-incident report \(Ticks.formatDatetime(windowFrom).prefix(16))Z" }

    /// Whether `path` names a file `write` can produce: .html/.htm or .md.
    public static func isHTML(_ path: String) -> Bool { path.hasSuffix(".html") || path.hasSuffix(".htm") }
    public static func canWrite(_ path: String) -> Bool { isHTML(path) || path.hasSuffix(".md") }

    /// Writes one self-contained HTML file, or Markdown with the charts as SVG files in a folder
    /// beside it (`report.md` writes `report_files/`).
    public static func write(to output: String, title: String, provenance: ReportProvenance, sections: [ReportSection], maxRows: Int) throws {
        if isHTML(output) {
            try ReportDocument.html(title: title, provenance: provenance, sections: sections, maxRows: maxRows)
                .write(toFile: output, atomically: true, encoding: .utf8)
            return
        }
        let base = ((output as NSString).lastPathComponent as NSString).deletingPathExtension + "_files"
        let folder = ((output as NSString).deletingLastPathComponent as NSString).appendingPathComponent(base)
        let (doc, charts) = ReportDocument.markdown(title: title, provenance: provenance, sections: sections, maxRows: maxRows) { i in
            // The saved query's own file name (they are unique in one folder).
            base + "/" + String((sections[i].name as NSString).lastPathComponent.dropLast(4)) + ".svg"
        }
        if !charts.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        for (name, svg) in charts {
            try svg.write(toFile: ((output as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try doc.write(toFile: output, atomically: true, encoding: .utf8)
    }
}

/// Title and description from a saved query's leading `// title:` and `// description:` comment lines.
public struct SavedQueryHeader: Sendable {
    public var title: String?
    public var description: String?

    public init(_ text: String) {
        for line in text.split(separator: "\n") {
            let l = line.trimmingCharacters(in: .whitespaces)
            guard l.hasPrefix("//") else { break }
            let body = l.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if body.lowercased().hasPrefix("title:") { title = body.dropFirst(6).trimmingCharacters(in: .whitespaces) }
            if body.lowercased().hasPrefix("description:") { description = body.dropFirst(12).trimmingCharacters(in: .whitespaces) }
        }
    }
}
