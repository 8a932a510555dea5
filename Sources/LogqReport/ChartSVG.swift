import Foundation
import LogStore
import QueryLang

/// Draws a chart as a standalone SVG document: no scripts, no external fonts or styles, so it can be
/// inlined in a report or opened on its own.
public enum ChartSVG {
    public struct Options: Sendable {
        public var width = 880
        public var height = 320
        public var title: String? = nil
        /// A span of the time axis to shade (the incident window), in ticks.
        public var shade: (from: Int64, to: Int64)? = nil
        public var shadeLabel = "incident window"
        public init() {}
    }

    static let palette = ["#2f6fdf", "#e0592a", "#2a9d5c", "#9b51e0", "#d4a017", "#1aa6b7", "#d6336c", "#6c757d", "#7a5c2e", "#4b8f29"]
    static let maxSeries = 10

    public static func render(_ d: ChartData, options o: Options = Options()) -> String {
        var svg = SVGWriter(width: o.width, height: o.height)
        let top = o.title == nil ? 16 : 36
        if let t = o.title { svg.text(x: 12, y: 22, t, size: 14, weight: "600") }
        let shown = Array(d.series.prefix(maxSeries))
        let hidden = d.series.count - shown.count
        if d.kind == .piechart {
            pie(d, shown.first, &svg, top: top, o)
        } else if d.kind.isCategorical {
            bars(d, shown, &svg, top: top, o)
        } else {
            lines(d, shown, &svg, top: top, o)
        }
        if hidden > 0 { svg.text(x: o.width - 12, y: o.height - 6, "+\(hidden) more series not drawn", size: 10, anchor: "end", fill: "#666") }
        return svg.finish()
    }

    // MARK: kinds

    static func legend(_ names: [String], _ svg: inout SVGWriter, x: Int, top: Int) {
        for (i, n) in names.enumerated() {
            let y = top + 4 + i * 16
            svg.rect(x: Double(x), y: Double(y), w: 10, h: 10, fill: palette[i % palette.count])
            svg.text(x: x + 14, y: y + 9, n.count > 28 ? String(n.prefix(27)) + "…" : n, size: 11)
        }
    }

    static func lines(_ d: ChartData, _ series: [ChartData.Series], _ svg: inout SVGWriter, top: Int, _ o: Options) {
        let legendWidth = series.count > 1 ? 190 : 0
        let left = 64.0, right = Double(o.width - 16 - legendWidth), bottom = Double(o.height - 44), topY = Double(top + 8)
        var xs = series.flatMap(\.x), ys = series.flatMap(\.y)
        if let sh = o.shade, d.xIsTime { xs += [Double(sh.from), Double(sh.to)] }
        guard let xlo0 = xs.min(), let xhi0 = xs.max() else { return }
        ys.append(0)
        let ylo = min(ys.min()!, 0), yhi0 = ys.max()!
        let yTicks = AxisScale.ticks(ylo, yhi0 == ylo ? ylo + 1 : yhi0)
        let yhi = max(yTicks.last ?? yhi0, yhi0 == ylo ? ylo + 1 : yhi0)
        let xlo = xlo0, xhi = xhi0 == xlo0 ? xlo0 + 1 : xhi0
        func px(_ x: Double) -> Double { left + (x - xlo) / (xhi - xlo) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - ylo) / (yhi - ylo) * (bottom - topY) }
        if let sh = o.shade, d.xIsTime {
            let a = px(Double(sh.from)), b = px(Double(sh.to))
            svg.rect(x: a, y: topY, w: max(b - a, 1), h: bottom - topY, fill: "#f4c7c3", opacity: 0.55)
            svg.text(x: AxisScale.pixel(a) + 4, y: AxisScale.pixel(topY) + 12, o.shadeLabel, size: 10, fill: "#a33")
        }
        for t in yTicks {
            svg.line(x1: left, y1: py(t), x2: right, y2: py(t), stroke: "#e5e5e5")
            svg.text(x: AxisScale.pixel(left) - 6, y: AxisScale.pixel(py(t)) + 4, AxisScale.label(t), size: 10, anchor: "end", fill: "#444")
        }
        let xTicks = d.xIsTime ? AxisScale.timeTicks(xlo, xhi) : AxisScale.ticks(xlo, xhi)
        let crossesDays = d.xIsTime && AxisScale.datetimeText(xlo).prefix(10) != AxisScale.datetimeText(xhi).prefix(10)
        for t in xTicks {
            svg.line(x1: px(t), y1: bottom, x2: px(t), y2: bottom + 4, stroke: "#444")
            let label = d.xIsTime ? AxisScale.timeLabel(t, withDate: crossesDays) : AxisScale.label(t)
            svg.text(x: AxisScale.pixel(px(t)), y: AxisScale.pixel(bottom) + 16, label, size: 10, anchor: "middle", fill: "#444")
        }
        svg.line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: "#444")
        svg.line(x1: left, y1: topY, x2: left, y2: bottom, stroke: "#444")
        svg.text(x: AxisScale.pixel((left + right) / 2), y: o.height - 8, d.xTitle, size: 11, anchor: "middle", fill: "#222")
        if !d.yTitle.isEmpty { svg.text(x: 12, y: AxisScale.pixel(topY) - 2, d.yTitle, size: 11, fill: "#222") }
        for (i, s) in series.enumerated() {
            let color = palette[i % palette.count]
            let pts = zip(s.x, s.y).map { (px($0), py($1)) }
            switch d.kind {
            case .scatterchart:
                for p in pts { svg.circle(cx: p.0, cy: p.1, r: 2.5, fill: color) }
            case .areachart:
                guard let f = pts.first, let l = pts.last else { continue }
                svg.polygon([(f.0, py(max(ylo, 0)))] + pts + [(l.0, py(max(ylo, 0)))], fill: color, opacity: 0.25)
                svg.polyline(pts, stroke: color)
            default:
                if pts.count == 1 { svg.circle(cx: pts[0].0, cy: pts[0].1, r: 2.5, fill: color) }
                svg.polyline(pts, stroke: color)
            }
        }
        if series.count > 1 { legend(series.map(\.name), &svg, x: AxisScale.pixel(right) + 16, top: AxisScale.pixel(topY)) }
    }

    static func bars(_ d: ChartData, _ series: [ChartData.Series], _ svg: inout SVGWriter, top: Int, _ o: Options) {
        let n = min(d.categories.count, d.kind == .barchart ? 24 : 40)
        guard n > 0 else { return }
        let legendWidth = series.count > 1 ? 190 : 0
        let values = series.flatMap { $0.y.prefix(n) }
        let lo = min(values.min() ?? 0, 0), hi0 = max(values.max() ?? 1, 0)
        let ticks = AxisScale.ticks(lo, hi0 == lo ? lo + 1 : hi0)
        let hi = max(ticks.last ?? hi0, hi0 == lo ? lo + 1 : hi0)
        if d.kind == .barchart {
            // Horizontal bars: categories down the left.
            let left = 170.0, right = Double(o.width - 24 - legendWidth), topY = Double(top + 4), bottom = Double(o.height - 30)
            let band = (bottom - topY) / Double(n)
            func px(_ v: Double) -> Double { left + (v - lo) / (hi - lo) * (right - left) }
            for t in ticks {
                svg.line(x1: px(t), y1: topY, x2: px(t), y2: bottom, stroke: "#e5e5e5")
                svg.text(x: AxisScale.pixel(px(t)), y: AxisScale.pixel(bottom) + 14, AxisScale.label(t), size: 10, anchor: "middle", fill: "#444")
            }
            for c in 0..<n {
                let y0 = topY + Double(c) * band
                let label = d.categories[c]
                svg.text(x: AxisScale.pixel(left) - 6, y: AxisScale.pixel(y0 + band / 2) + 4, label.count > 26 ? String(label.prefix(25)) + "…" : label, size: 10, anchor: "end")
                let h = band * 0.8 / Double(series.count)
                for (i, s) in series.enumerated() {
                    let a = px(min(0, s.y[c])), b = px(max(0, s.y[c]))
                    svg.rect(x: a, y: y0 + band * 0.1 + Double(i) * h, w: max(b - a, 0.5), h: h, fill: palette[i % palette.count])
                }
            }
            svg.line(x1: px(0), y1: topY, x2: px(0), y2: bottom, stroke: "#444")
            if series.count > 1 { legend(series.map(\.name), &svg, x: AxisScale.pixel(right) + 16, top: AxisScale.pixel(topY)) }
        } else {
            let left = 64.0, right = Double(o.width - 16 - legendWidth), topY = Double(top + 8), bottom = Double(o.height - 70)
            let band = (right - left) / Double(n)
            func py(_ v: Double) -> Double { bottom - (v - lo) / (hi - lo) * (bottom - topY) }
            for t in ticks {
                svg.line(x1: left, y1: py(t), x2: right, y2: py(t), stroke: "#e5e5e5")
                svg.text(x: AxisScale.pixel(left) - 6, y: AxisScale.pixel(py(t)) + 4, AxisScale.label(t), size: 10, anchor: "end", fill: "#444")
            }
            for c in 0..<n {
                let x0 = left + Double(c) * band
                let w = band * 0.8 / Double(series.count)
                for (i, s) in series.enumerated() {
                    let a = py(max(0, s.y[c])), b = py(min(0, s.y[c]))
                    svg.rect(x: x0 + band * 0.1 + Double(i) * w, y: a, w: w, h: max(b - a, 0.5), fill: palette[i % palette.count])
                }
                let label = d.categories[c]
                let cx = AxisScale.pixel(x0 + band / 2), cy = AxisScale.pixel(bottom) + 10
                svg.text(x: cx, y: cy, label.count > 18 ? String(label.prefix(17)) + "…" : label, size: 10, anchor: "end",
                         transform: "rotate(-35 \(cx) \(cy))")
            }
            svg.line(x1: left, y1: py(0), x2: right, y2: py(0), stroke: "#444")
            if series.count > 1 { legend(series.map(\.name), &svg, x: AxisScale.pixel(right) + 16, top: AxisScale.pixel(topY)) }
        }
        if d.categories.count > n {
            svg.text(x: o.width - 12, y: top - 4 > 10 ? top - 4 : 12, "first \(n) of \(d.categories.count) categories", size: 10, anchor: "end", fill: "#666")
        }
    }

    static func pie(_ d: ChartData, _ s: ChartData.Series?, _ svg: inout SVGWriter, top: Int, _ o: Options) {
        guard let s = s else { return }
        // Slices past the ninth are summed into "other".
        var items = zip(d.categories, s.y).filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
        if items.count > 10 {
            let rest = items[9...].reduce(0) { $0 + $1.1 }
            items = Array(items.prefix(9)) + [("other", rest)]
        }
        let total = items.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return }
        let r = Double(o.height - top - 24) / 2, cx = 24 + r, cy = Double(top) + 8 + r
        var angle = -Double.pi / 2
        for (i, it) in items.enumerated() {
            let a = it.1 / total * 2 * Double.pi
            if items.count == 1 { svg.circle(cx: cx, cy: cy, r: r, fill: palette[0]); break }
            let x1 = cx + r * cos(angle), y1 = cy + r * sin(angle)
            let x2 = cx + r * cos(angle + a), y2 = cy + r * sin(angle + a)
            svg.path(String(format: "M%.1f,%.1f L%.1f,%.1f A%.1f,%.1f 0 %d 1 %.1f,%.1f Z", cx, cy, x1, y1, r, r, a > Double.pi ? 1 : 0, x2, y2),
                     fill: palette[i % palette.count])
            angle += a
        }
        legend(items.map { String(format: "%@  %@ (%.1f%%)", $0.0, AxisScale.label($0.1), $0.1 / total * 100) }, &svg,
               x: AxisScale.pixel(cx + r) + 32, top: top + 8)
    }
}

/// A small SVG builder that escapes every text it writes.
struct SVGWriter {
    var out: String
    let width: Int, height: Int

    init(width: Int, height: Int) {
        self.width = width; self.height = height
        out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" "
            + "font-family=\"-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\" role=\"img\">\n"
            + "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
    }

    static func escape(_ s: String) -> String {
        var o = ""
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.append(c)
            }
        }
        return o
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    mutating func text(x: Int, y: Int, _ s: String, size: Int = 11, anchor: String = "start", fill: String = "#111", weight: String = "400", transform: String? = nil) {
        out += "<text x=\"\(x)\" y=\"\(y)\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" fill=\"\(fill)\" font-weight=\"\(weight)\""
            + (transform.map { " transform=\"\($0)\"" } ?? "") + ">\(Self.escape(s))</text>\n"
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String) {
        out += "<line x1=\"\(Self.f(x1))\" y1=\"\(Self.f(y1))\" x2=\"\(Self.f(x2))\" y2=\"\(Self.f(y2))\" stroke=\"\(stroke)\" stroke-width=\"1\"/>\n"
    }

    mutating func rect(x: Double, y: Double, w: Double, h: Double, fill: String, opacity: Double = 1) {
        out += "<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(w))\" height=\"\(Self.f(h))\" fill=\"\(fill)\""
            + (opacity < 1 ? " fill-opacity=\"\(opacity)\"" : "") + "/>\n"
    }

    mutating func circle(cx: Double, cy: Double, r: Double, fill: String) {
        out += "<circle cx=\"\(Self.f(cx))\" cy=\"\(Self.f(cy))\" r=\"\(Self.f(r))\" fill=\"\(fill)\"/>\n"
    }

    mutating func polyline(_ pts: [(Double, Double)], stroke: String) {
        out += "<polyline fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"1.6\" stroke-linejoin=\"round\" points=\""
            + pts.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ") + "\"/>\n"
    }

    mutating func polygon(_ pts: [(Double, Double)], fill: String, opacity: Double) {
        out += "<polygon fill=\"\(fill)\" fill-opacity=\"\(opacity)\" stroke=\"none\" points=\""
            + pts.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ") + "\"/>\n"
    }

    mutating func path(_ d: String, fill: String) {
        out += "<path d=\"\(d)\" fill=\"\(fill)\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n"
    }

    func finish() -> String { out + "</svg>\n" }
}
