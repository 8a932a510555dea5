import Foundation
import LogStore
import QueryLang

/// What a `render` draws, taken from a result the way Kusto's renderers read it: the x axis is the
/// first datetime column (time charts) or the first column (others); string columns split rows into
/// series; every other numeric column is a series of its own.
public struct ChartData: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case timechart, linechart, areachart, scatterchart, barchart, columnchart, piechart
        var isCategorical: Bool { self == .barchart || self == .columnchart || self == .piechart }
    }

    public struct Series: Sendable {
        public var name: String
        /// x values: ticks for time axes, else numbers; for categorical kinds, the category index.
        public var x: [Double]
        public var y: [Double]
    }

    public var kind: Kind
    public var xIsTime: Bool
    public var xTitle: String
    public var yTitle: String
    /// Category labels of bar, column and pie charts.
    public var categories: [String]
    public var series: [Series]

    /// The chart a result asks for; nil for `render table`, for results with nothing numeric to plot,
    /// or for an unknown kind. `kind` overrides the result's own `render`.
    public static func from(_ t: ResultTable, kind requested: String? = nil) -> ChartData? {
        let name = (requested ?? t.render ?? "").lowercased()
        guard let kind = Kind(rawValue: name) ?? defaultKind(t, name) else { return nil }
        func numeric(_ k: Int) -> Bool { t.types[k].isNumeric || t.types[k] == .timespan }
        func number(_ k: Int, _ i: Int) -> Double? {
            let c = t.columns[k]
            if c.isNull(i) { return nil }
            switch c.storage {
            case .int64(let v): return t.types[k] == .timespan ? Double(v[i]) / Double(Ticks.perMillisecond) : Double(v[i])
            case .float64(let v): return v[i].isFinite ? v[i] : nil
            case .bytes: return nil
            }
        }
        if kind.isCategorical {
            guard let valueColumns = Optional((0..<t.names.count).filter(numeric)), !valueColumns.isEmpty else { return nil }
            let labelColumns = (0..<t.names.count).filter { !numeric($0) }
            var categories: [String] = []
            for i in 0..<t.rowCount {
                categories.append(labelColumns.isEmpty ? String(i + 1)
                                  : labelColumns.map { ResultFormatter.text(t.columns[$0], i) }.joined(separator: " / "))
            }
            let series = valueColumns.map { k in
                Series(name: t.names[k], x: (0..<t.rowCount).map(Double.init), y: (0..<t.rowCount).map { number(k, $0) ?? 0 })
            }
            return ChartData(kind: kind, xIsTime: false, xTitle: labelColumns.map { t.names[$0] }.joined(separator: " / "),
                             yTitle: valueColumns.count == 1 ? t.names[valueColumns[0]] : "", categories: categories, series: series)
        }
        if let series = fromSeriesArrays(t, kind) { return series }
        let timeColumn = t.types.firstIndex(of: .datetime)
        // Time and area charts put the first datetime column on x; line and scatter charts the first
        // column when it is a time or a number.
        let firstColumnPlottable = !t.names.isEmpty && (t.types[0] == .datetime || numeric(0))
        let xCandidate: Int? = (kind == .timechart || kind == .areachart || !firstColumnPlottable)
            ? timeColumn ?? (0..<t.names.count).first(where: numeric) : 0
        guard let xColumn = xCandidate else { return nil }
        let xIsTime = t.types[xColumn] == .datetime
        let valueColumns = (0..<t.names.count).filter { $0 != xColumn && numeric($0) }
        guard !valueColumns.isEmpty else { return nil }
        let splitColumns = (0..<t.names.count).filter { $0 != xColumn && !numeric($0) && t.types[$0] != .datetime }
        var order: [String] = []
        var byName: [String: Series] = [:]
        for i in 0..<t.rowCount {
            guard let x = number(xColumn, i) else { continue }
            let split = splitColumns.map { ResultFormatter.text(t.columns[$0], i) }.joined(separator: " / ")
            for k in valueColumns {
                guard let y = number(k, i) else { continue }
                let name = splitColumns.isEmpty ? t.names[k] : (valueColumns.count > 1 ? "\(split) \(t.names[k])" : (split.isEmpty ? "(empty)" : split))
                if byName[name] == nil { order.append(name); byName[name] = Series(name: name, x: [], y: []) }
                byName[name]!.x.append(x); byName[name]!.y.append(y)
            }
        }
        var series = order.map { byName[$0]! }
        for s in 0..<series.count {
            let perm = series[s].x.indices.sorted { series[s].x[$0] < series[s].x[$1] }
            series[s].x = perm.map { series[s].x[$0] }; series[s].y = perm.map { series[s].y[$0] }
        }
        guard !series.isEmpty else { return nil }
        return ChartData(kind: kind, xIsTime: xIsTime, xTitle: xIsTime ? "\(t.names[xColumn]) (UTC)" : t.names[xColumn],
                         yTitle: valueColumns.count == 1 ? t.names[valueColumns[0]] : "", categories: [], series: series)
    }

    /// make-series results: each row holds arrays (one per aggregate) over a shared axis array.
    static func fromSeriesArrays(_ t: ResultTable, _ kind: Kind) -> ChartData? {
        func array(_ k: Int, _ i: Int) -> [JSONValue]? {
            guard t.types[k] == .dynamic, case .dynamic(.array(let a)) = t.value(row: i, column: k) else { return nil }
            return a
        }
        guard t.rowCount > 0 else { return nil }
        let arrays = (0..<t.names.count).filter { array($0, 0) != nil }
        guard arrays.count >= 2 else { return nil }
        // The axis: the last array column whose first element is a datetime (make-series puts it last), else the last.
        func isTimeArray(_ k: Int) -> Bool { if case .string(let s)? = array(k, 0)?.first { return Ticks.parseDatetime(s) != nil }; return false }
        let axis = arrays.last(where: isTimeArray) ?? arrays.last!
        let valueColumns = arrays.filter { $0 != axis }
        let splitColumns = (0..<t.names.count).filter { !arrays.contains($0) && t.types[$0] != .dynamic }
        let xIsTime = isTimeArray(axis)
        func number(_ j: JSONValue) -> Double? {
            switch j {
            case .int(let v): return Double(v)
            case .real(let v): return v.isFinite ? v : nil
            case .string(let s): return xIsTime ? Ticks.parseDatetime(s).map(Double.init) : Double(s)
            default: return nil
            }
        }
        var series: [Series] = []
        for i in 0..<t.rowCount {
            guard let xs = array(axis, i) else { continue }
            let split = splitColumns.map { ResultFormatter.text(t.columns[$0], i) }.joined(separator: " / ")
            for k in valueColumns {
                guard let ys = array(k, i) else { continue }
                var s = Series(name: split.isEmpty ? t.names[k] : (valueColumns.count > 1 ? "\(split) \(t.names[k])" : split), x: [], y: [])
                for (x, y) in zip(xs, ys) { if let x = number(x), let y = number(y) { s.x.append(x); s.y.append(y) } }
                series.append(s)
            }
        }
        guard !series.isEmpty else { return nil }
        return ChartData(kind: kind.isCategorical ? .timechart : kind, xIsTime: xIsTime, xTitle: xIsTime ? "\(t.names[axis]) (UTC)" : t.names[axis],
                         yTitle: valueColumns.count == 1 ? t.names[valueColumns[0]] : "", categories: [], series: series)
    }

    /// With `--chart` and no `render`: a time chart when there is a datetime column, else columns.
    static func defaultKind(_ t: ResultTable, _ name: String) -> Kind? {
        guard name == "auto" else { return nil }
        return t.types.contains(.datetime) || t.types.contains(.dynamic) ? .timechart : .columnchart
    }
}

/// Numbers for axes and labels.
enum AxisScale {
    /// About `count` round steps (1, 2, 5 × 10ⁿ) covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        let out = walk(from: ceil(lo / step) * step, by: step, through: hi + step * 1e-9, limit: count * 3).map { $0 == 0 ? 0 : $0 }
        return out.isEmpty ? [lo] : out
    }

    /// `first, first + step, …` up to `last`, at most `limit` values, each greater than the one
    /// before. Computed as `first + k·step`, bounded by `limit`: a step below the values'
    /// precision (x values one ulp apart) repeats a value instead of moving on, and a running sum
    /// then never reached `last`, looping forever while it allocated.
    static func walk(from first: Double, by step: Double, through last: Double, limit: Int) -> [Double] {
        guard first.isFinite, step.isFinite, step > 0 else { return [] }
        var out: [Double] = []
        for k in 0..<max(limit, 1) {
            let v = first + Double(k) * step
            if v > last { break }
            if let p = out.last, v <= p { continue }
            out.append(v)
        }
        return out
    }

    /// Round time steps (1 minute to 1 week) giving at most `count` ticks.
    static func timeTicks(_ lo: Double, _ hi: Double, count: Int = 7) -> [Double] {
        let minute = Double(Ticks.perMinute)
        let steps = [1.0, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080].map { $0 * minute }
        guard lo.isFinite, hi.isFinite, hi >= lo else { return [] }
        let step = steps.first { (hi - lo) / $0 <= Double(count) } ?? steps.last!
        // A span of years at the largest step still gets only `count`-odd ticks (bounded walk).
        return walk(from: ceil(lo / step) * step, by: step, through: hi, limit: count * 3)
    }

    /// A coordinate or cell index from a double: NaN is 0 and the rest is clamped. Extreme data
    /// (a span of ±1e308, x values one ulp apart) makes the geometry's doubles infinite or NaN,
    /// where `Int(_:)` traps.
    static func pixel(_ d: Double, limit: Int = 1 << 30) -> Int { d.isNaN ? 0 : Int(max(-Double(limit), min(Double(limit), d))) } // checked: NaN handled, the rest clamped to ±limit

    /// A datetime label for ticks given as a double ("" outside Kusto's datetime range).
    static func datetimeText(_ ticks: Double) -> String {
        Checked.int64(truncating: ticks).flatMap(Checked.datetime).map(Ticks.formatDatetime) ?? ""
    }

    static func label(_ v: Double) -> String {
        let a = abs(v)
        func trim(_ s: String) -> String { s.contains(".") ? String(s.reversed().drop { $0 == "0" }.drop { $0 == "." }.reversed()) : s }
        if a >= 1e9 { return trim(String(format: "%.2f", v / 1e9)) + "G" }
        if a >= 1e6 { return trim(String(format: "%.2f", v / 1e6)) + "M" }
        if a >= 1e4 { return trim(String(format: "%.1f", v / 1e3)) + "k" }
        if a >= 100 || v == v.rounded() { return String(format: "%.0f", v) }
        if a >= 1 { return trim(String(format: "%.2f", v)) }
        return trim(String(format: "%.3g", v))
    }

    /// A UTC time label: "HH:mm", with the date when the span crosses days.
    static func timeLabel(_ ticks: Double, withDate: Bool) -> String {
        guard let t = Checked.int64(truncating: ticks).flatMap(Checked.datetime) else { return "" }
        let s = Ticks.formatDatetime(t)     // yyyy-MM-ddTHH:mm:ss.fffffffZ
        let date = s.dropFirst(5).prefix(5), time = s.dropFirst(11).prefix(5)
        return withDate ? "\(date) \(time)" : String(time)
    }
}
