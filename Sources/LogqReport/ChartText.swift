import Foundation
import LogStore
import QueryLang

/// A compact chart for a terminal, printed under the result table: one sparkline per series for
/// time and line charts, horizontal bars for bar, column and pie charts.
public enum ChartText {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let colors = ["34", "31", "32", "35", "33", "36"]
    static let maxSeries = 8

    public static func render(_ d: ChartData, width: Int = 80, color: Bool = false) -> String {
        func paint(_ s: String, _ i: Int) -> String { color ? "\u{1B}[\(colors[i % colors.count])m\(s)\u{1B}[0m" : s }
        var out = ""
        if d.kind.isCategorical {
            let s = d.series[0]
            let n = min(d.categories.count, 20)
            let labelWidth = min(max(d.categories.prefix(n).map(\.count).max() ?? 0, 4), 28)
            let total = d.kind == .piechart ? s.y.reduce(0, +) : 0
            let values = (0..<n).map { s.y[$0] }
            let texts = values.map { v in AxisScale.label(v) + (total > 0 ? String(format: " (%.1f%%)", v / total * 100) : "") }
            let valueWidth = texts.map(\.count).max() ?? 0
            let barWidth = max(width - labelWidth - valueWidth - 4, 8)
            let hi = max(values.map(abs).max() ?? 1, 1e-300)
            for c in 0..<n {
                var label = d.categories[c]
                if label.count > labelWidth { label = String(label.prefix(labelWidth - 1)) + "…" }
                let len = max(0, AxisScale.pixel((abs(values[c]) / hi * Double(barWidth)).rounded(), limit: barWidth))
                out += label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + "  "
                    + paint(String(repeating: "█", count: max(len, values[c] != 0 ? 1 : 0)), 0) + " " + texts[c] + "\n"
            }
            if d.categories.count > n { out += "(first \(n) of \(d.categories.count))\n" }
            if d.series.count > 1 { out += "(bars show \(s.name); \(d.series.count - 1) more series in the table)\n" }
            return out
        }
        let shown = Array(d.series.prefix(maxSeries))
        let xs = shown.flatMap(\.x)
        guard let lo = xs.min(), let hi = xs.max() else { return "" }
        let labelWidth = min(max(shown.map(\.name.count).max() ?? 0, 4), 24)
        let rangeTexts = shown.map { s in "\(AxisScale.label(s.y.min() ?? 0))…\(AxisScale.label(s.y.max() ?? 0))" }
        let rangeWidth = rangeTexts.map(\.count).max() ?? 0
        // One cell per point when there are fewer points than room (no gaps between them).
        let points = shown.map(\.x.count).max() ?? 1
        let cells = max(min(width - labelWidth - rangeWidth - 4, 120, max(points, 2)), 2)
        for (i, s) in shown.enumerated() {
            // Each cell shows the largest value of the points that fall in it (spikes stay visible).
            var bucket = [Double?](repeating: nil, count: cells)
            for (x, y) in zip(s.x, s.y) {
                let k = hi > lo ? max(0, min(AxisScale.pixel((x - lo) / (hi - lo) * Double(cells - 1) + 0.5), cells - 1)) : 0
                bucket[k] = max(bucket[k] ?? y, y)
            }
            let ymin = s.y.min() ?? 0, ymax = s.y.max() ?? 0
            var line = ""
            for b in bucket {
                guard let v = b else { line += " "; continue }
                let level = ymax > ymin ? max(0, min(AxisScale.pixel((v - ymin) / (ymax - ymin) * 7 + 0.5), 7)) : 3
                line.append(levels[level])
            }
            var name = s.name
            if name.count > labelWidth { name = String(name.prefix(labelWidth - 1)) + "…" }
            out += name.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + "  " + paint(line, i) + "  " + rangeTexts[i] + "\n"
        }
        let from = d.xIsTime ? AxisScale.datetimeText(lo) : AxisScale.label(lo)
        let to = d.xIsTime ? AxisScale.datetimeText(hi) : AxisScale.label(hi)
        let pad = max(cells - from.count - to.count, 1)
        out += String(repeating: " ", count: labelWidth + 2) + from + String(repeating: " ", count: pad) + to + "\n"
        if d.series.count > shown.count { out += "(\(d.series.count - shown.count) more series not drawn)\n" }
        return out
    }
}
