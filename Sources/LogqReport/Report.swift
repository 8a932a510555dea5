import Foundation
import LogStore
import QueryLang

/// One saved query's part of a post-incident report.
public struct ReportSection: Sendable {
    public var name: String
    public var title: String
    public var description: String
    public var query: String
    public var result: ResultTable?
    /// The rendered diagnostic when the query failed (the report still lists it).
    public var error: String?
    /// The chart, when the query has a `render` (see `ChartData`).
    public var chart: ChartData?
    public var seconds: Double

    public init(name: String, title: String, description: String, query: String, result: ResultTable?, error: String?, chart: ChartData?, seconds: Double) {
        self.name = name; self.title = title; self.description = description; self.query = query
        self.result = result; self.error = error; self.chart = chart; self.seconds = seconds
    }
}

public struct ReportProvenance: Sendable {
    public var storePath: String
    public var windowFrom: Int64
    public var windowTo: Int64
    /// The span the queries read: the window with context on each side, so charts show the baseline.
    public var contextFrom: Int64
    public var contextTo: Int64
    /// How the window was chosen (given, or found by `IncidentFinder`).
    public var windowSource: String
    public var tables: [(name: String, rowsInWindow: Int, rowsTotal: Int)]
    public var rejectedLines: Int
    public var version: String
    public var generatedAt: Int64
    public var command: String

    public init(storePath: String, windowFrom: Int64, windowTo: Int64, contextFrom: Int64, contextTo: Int64, windowSource: String,
                tables: [(name: String, rowsInWindow: Int, rowsTotal: Int)], rejectedLines: Int, version: String, generatedAt: Int64, command: String) {
        self.storePath = storePath; self.windowFrom = windowFrom; self.windowTo = windowTo; self.contextFrom = contextFrom; self.contextTo = contextTo
        self.windowSource = windowSource; self.tables = tables; self.rejectedLines = rejectedLines; self.version = version
        self.generatedAt = generatedAt; self.command = command
    }
}

/// Writes a post-incident report as one self-contained HTML page (inline CSS and SVG; no scripts,
/// fonts or links to fetch) or as Markdown with the charts as SVG files beside it.
public enum ReportDocument {
    static func esc(_ s: String) -> String { SVGWriter.escape(s) }

    static func chartSVG(_ s: ReportSection, _ p: ReportProvenance) -> String? {
        guard let c = s.chart else { return nil }
        var o = ChartSVG.Options()
        if c.xIsTime { o.shade = (p.windowFrom, p.windowTo) }
        return ChartSVG.render(c, options: o)
    }

    public static func html(title: String, provenance p: ReportProvenance, sections: [ReportSection], maxRows: Int) -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="logq \(esc(p.version))">
        <title>\(esc(title))</title>
        <style>
        body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1000px; color: #1b1b1b; padding: 0 1rem; }
        h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2.4rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
        .window { font-size: 1.05rem; color: #333; } .muted { color: #666; font-size: .9rem; }
        table { border-collapse: collapse; font-size: .85rem; margin: .6rem 0; } th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; }
        th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        pre { background: #f7f7f9; border: 1px solid #e3e3e8; padding: .6rem; overflow-x: auto; font-size: .82rem; }
        .error { color: #a00; white-space: pre-wrap; } nav ol { columns: 2; font-size: .9rem; } svg { max-width: 100%; height: auto; }
        </style>
        </head>
        <body>
        <h1>\(esc(title))</h1>
        <p class="window">Window: <strong>\(Ticks.formatDatetime(p.windowFrom))</strong> to <strong>\(Ticks.formatDatetime(p.windowTo))</strong> (UTC, end exclusive; \(esc(Ticks.formatTimespan(p.windowTo - p.windowFrom))))</p>
        <p class="muted">\(esc(p.windowSource))</p>

        """
        h += "<h2>Provenance</h2>\n<table>\n"
        h += "<tr><th>store</th><td>\(esc(p.storePath))</td></tr>\n"
        h += "<tr><th>queries read</th><td>\(Ticks.formatDatetime(p.contextFrom)) to \(Ticks.formatDatetime(p.contextTo)) (the window with context on both sides)</td></tr>\n"
        h += "<tr><th>rejected lines</th><td>\(p.rejectedLines) (store-wide: a rejected line has no event time; see <code>logq rejects</code>)</td></tr>\n"
        h += "<tr><th>generated</th><td>\(Ticks.formatDatetime(p.generatedAt)) by logq \(esc(p.version))</td></tr>\n"
        h += "<tr><th>regenerate with</th><td><code>\(esc(p.command))</code></td></tr>\n</table>\n"
        h += "<table>\n<tr><th>table</th><th>rows in window</th><th>rows stored</th></tr>\n"
        for t in p.tables { h += "<tr><td>\(esc(t.name))</td><td class=\"num\">\(t.rowsInWindow)</td><td class=\"num\">\(t.rowsTotal)</td></tr>\n" }
        h += "</table>\n<nav><ol>\n"
        for (i, s) in sections.enumerated() { h += "<li><a href=\"#q\(i + 1)\">\(esc(s.title))</a></li>\n" }
        h += "</ol></nav>\n"
        for (i, s) in sections.enumerated() {
            h += "<section id=\"q\(i + 1)\">\n<h2>\(i + 1). \(esc(s.title))</h2>\n"
            if !s.description.isEmpty { h += "<p>\(esc(s.description))</p>\n" }
            h += "<p class=\"muted\">\(esc(s.name)) · \(String(format: "%.3f", s.seconds)) s</p>\n"
            if let e = s.error { h += "<pre class=\"error\">\(esc(e))</pre>\n" }
            if let svg = chartSVG(s, p) { h += "<figure>\n" + svg + "</figure>\n" }
            if let r = s.result { h += htmlTable(r, maxRows: maxRows) }
            h += "<details><summary>Query</summary>\n<pre>\(esc(s.query))</pre>\n</details>\n</section>\n"
        }
        h += "</body>\n</html>\n"
        return h
    }

    static func htmlTable(_ r: ResultTable, maxRows: Int) -> String {
        var h = "<table>\n<tr>" + r.names.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
        for i in 0..<min(r.rowCount, maxRows) {
            h += "<tr>" + r.columns.enumerated().map { k, c in
                let text = ResultFormatter.text(c, i)
                let cut = text.count > 200 ? String(text.prefix(199)) + "…" : text
                return r.types[k].isNumeric ? "<td class=\"num\">\(esc(cut))</td>" : "<td>\(esc(cut))</td>"
            }.joined() + "</tr>\n"
        }
        h += "</table>\n"
        h += "<p class=\"muted\">" + (r.rowCount > maxRows ? "first \(maxRows) of \(r.rowCount) rows" : "\(r.rowCount) row\(r.rowCount == 1 ? "" : "s")") + "</p>\n"
        return h
    }

    /// Markdown; `chartFile(i)` names the SVG file written beside the document for section `i`.
    /// Returns the document and the SVG files to write (relative name → contents).
    public static func markdown(title: String, provenance p: ReportProvenance, sections: [ReportSection], maxRows: Int,
                                chartFile: (Int) -> String) -> (document: String, charts: [(String, String)]) {
        var m = "# \(title)\n\n"
        m += "**Window:** \(Ticks.formatDatetime(p.windowFrom)) to \(Ticks.formatDatetime(p.windowTo)) (UTC, end exclusive; \(Ticks.formatTimespan(p.windowTo - p.windowFrom)))  \n"
        m += "\(p.windowSource)\n\n## Provenance\n\n"
        m += "- store: `\(p.storePath)`\n"
        m += "- queries read \(Ticks.formatDatetime(p.contextFrom)) to \(Ticks.formatDatetime(p.contextTo)) (the window with context on both sides)\n"
        m += "- rejected lines: \(p.rejectedLines) (store-wide: a rejected line has no event time; see `logq rejects`)\n"
        m += "- generated \(Ticks.formatDatetime(p.generatedAt)) by logq \(p.version)\n"
        m += "- regenerate with: `\(p.command)`\n\n"
        m += "| table | rows in window | rows stored |\n| --- | ---: | ---: |\n"
        for t in p.tables { m += "| \(t.name) | \(t.rowsInWindow) | \(t.rowsTotal) |\n" }
        var charts: [(String, String)] = []
        for (i, s) in sections.enumerated() {
            m += "\n## \(i + 1). \(s.title)\n\n"
            if !s.description.isEmpty { m += "\(s.description)\n\n" }
            m += "_\(s.name) · \(String(format: "%.3f", s.seconds)) s_\n\n"
            if let e = s.error { m += "```\n\(e)\n```\n\n" }
            if let svg = chartSVG(s, p) {
                let f = chartFile(i)
                charts.append((f, svg))
                m += "![\(s.title)](\(f))\n\n"
            }
            if var r = s.result {
                let total = r.rowCount
                if total > maxRows {
                    let sel = (0..<maxRows).map { Int32($0) }
                    r.columns = r.columns.map { $0.gather(sel) }; r.rowCount = maxRows
                }
                m += ResultFormatter.markdown(r)
                m += "\n" + (total > maxRows ? "_first \(maxRows) of \(total) rows_" : "_\(total) row\(total == 1 ? "" : "s")_") + "\n\n"
            }
            m += "```kql\n\(s.query.trimmingCharacters(in: .whitespacesAndNewlines))\n```\n"
        }
        return (m, charts)
    }
}
