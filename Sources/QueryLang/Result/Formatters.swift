import Foundation
import LogStore

public enum OutputFormat: String, CaseIterable, Sendable { case table, csv, tsv, json, ndjson, markdown }

/// Renders result tables. JSON is the Application Insights query-API shape with Kusto type names.
public enum ResultFormatter {
    /// Cell text for table/CSV output: datetimes ISO 8601 with 7 digits, timespans `[d.]hh:mm:ss[.fffffff]`.
    public static func text(_ c: Column, _ i: Int) -> String {
        if c.isNull(i) { return "" }
        switch c.storage {
        case .int64(let v):
            switch c.type {
            case .bool: return v[i] != 0 ? "true" : "false"
            case .datetime: return Ticks.formatDatetime(v[i])
            case .timespan: return Ticks.formatTimespan(v[i])
            default: return String(v[i])
            }
        case .float64(let v): var b: [UInt8] = []; ValueText.real(v[i], into: &b); return String(decoding: b, as: UTF8.self)
        case .bytes(let s): return s.string(i)
        }
    }

    static func jsonCell(_ c: Column, _ i: Int, _ out: inout [UInt8]) {
        if c.isNull(i) { out.append(contentsOf: Array("null".utf8)); return }
        switch c.storage {
        case .int64(let v):
            switch c.type {
            case .bool: out.append(contentsOf: Array((v[i] != 0 ? "true" : "false").utf8))
            case .datetime: out.append(0x22); Ticks.formatDatetime(v[i], into: &out); out.append(0x22)
            case .timespan: out.append(0x22); Ticks.formatTimespan(v[i], into: &out); out.append(0x22)
            default: out.append(contentsOf: String(v[i]).utf8)
            }
        case .float64(let v):
            let d = v[i]
            if d.isNaN { out.append(contentsOf: Array("\"NaN\"".utf8)) }
            else if d.isInfinite { out.append(contentsOf: Array((d > 0 ? "\"Infinity\"" : "\"-Infinity\"").utf8)) }
            else { appendJSONNumber(d, to: &out) }
        case .bytes(let s):
            if c.type == .dynamic { out.append(contentsOf: s[i]) } else { appendJSONString(s[i], to: &out) }
        }
    }

    public static func json(_ t: ResultTable) -> String {
        var out: [UInt8] = []
        out.append(contentsOf: Array("{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[".utf8))
        for (k, n) in t.names.enumerated() {
            if k > 0 { out.append(0x2C) }
            out.append(contentsOf: Array("{\"name\":".utf8)); appendJSONString(Array(n.utf8), to: &out)
            out.append(contentsOf: Array(",\"type\":\"\(t.types[k].name)\"}".utf8))
        }
        out.append(contentsOf: Array("],\"rows\":[".utf8))
        for i in 0..<t.rowCount {
            if i > 0 { out.append(0x2C) }
            out.append(0x5B)
            for (k, c) in t.columns.enumerated() { if k > 0 { out.append(0x2C) }; jsonCell(c, i, &out) }
            out.append(0x5D)
        }
        out.append(contentsOf: Array("]}]}\n".utf8))
        return String(decoding: out, as: UTF8.self)
    }

    public static func ndjson(_ t: ResultTable) -> String {
        var out: [UInt8] = []
        for i in 0..<t.rowCount {
            out.append(0x7B)
            for (k, c) in t.columns.enumerated() {
                if k > 0 { out.append(0x2C) }
                appendJSONString(Array(t.names[k].utf8), to: &out); out.append(0x3A); jsonCell(c, i, &out)
            }
            out.append(contentsOf: [0x7D, 0x0A])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) { return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return s
    }

    public static func csv(_ t: ResultTable) -> String {
        var out = t.names.map(csvField).joined(separator: ",") + "\n"
        for i in 0..<t.rowCount { out += t.columns.map { csvField(text($0, i)) }.joined(separator: ",") + "\n" }
        return out
    }

    public static func tsv(_ t: ResultTable) -> String {
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\n", with: "\\n") }
        var out = t.names.map(esc).joined(separator: "\t") + "\n"
        for i in 0..<t.rowCount { out += t.columns.map { esc(text($0, i)) }.joined(separator: "\t") + "\n" }
        return out
    }

    public static func markdown(_ t: ResultTable) -> String {
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var out = "| " + t.names.map(esc).joined(separator: " | ") + " |\n"
        out += "|" + t.types.map { $0.isNumeric ? " ---: |" : " --- |" }.joined() + "\n"
        for i in 0..<t.rowCount { out += "| " + t.columns.map { esc(text($0, i)) }.joined(separator: " | ") + " |\n" }
        return out
    }

    /// An aligned table; numbers right-aligned; cells wider than `maxCell` characters cut with "…".
    /// With `width`, the widest columns are narrowed until a line fits, and a note says so; with
    /// `color`, the header is bold and nulls are dim (ANSI).
    public static func table(_ t: ResultTable, maxCell: Int = 60, width: Int? = nil, color: Bool = false) -> String {
        var cells: [[String]] = [t.names]
        for i in 0..<t.rowCount {
            cells.append(t.columns.map { c in text(c, i).replacingOccurrences(of: "\n", with: "⏎") })
        }
        var widths = [Int](repeating: 0, count: t.names.count)
        for row in cells { for (k, s) in row.enumerated() { widths[k] = max(widths[k], min(s.count, maxCell)) } }
        if let w = width {
            let gap = 2 * max(widths.count - 1, 0)
            while widths.reduce(0, +) + gap > w, let k = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[k] > 8 { widths[k] -= 1 }
        }
        var cut = false
        var out = ""
        for (r, row) in cells.enumerated() {
            var line: [String] = []
            for (k, s0) in row.enumerated() {
                var s = s0
                if s.count > widths[k] { s = String(s.prefix(widths[k] - 1)) + "…"; cut = true }
                let pad = String(repeating: " ", count: widths[k] - s.count)
                var cell = r > 0 && t.types[k].isNumeric ? pad + s : s + pad
                if color && r == 0 { cell = "\u{1B}[1m" + cell + "\u{1B}[0m" }
                else if color && r > 0 && t.columns[k].isNull(r - 1) { cell = "\u{1B}[2m" + cell + "\u{1B}[0m" }
                line.append(cell)
            }
            out += line.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
            if r == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        out += "(\(t.rowCount) row\(t.rowCount == 1 ? "" : "s")"
            + (cut ? "; long cells cut with …, use --format tsv or json for whole values" : "") + ")\n"
        return out
    }

    public static func render(_ t: ResultTable, as f: OutputFormat) -> String {
        switch f {
        case .table: return table(t)
        case .csv: return csv(t)
        case .tsv: return tsv(t)
        case .json: return json(t)
        case .ndjson: return ndjson(t)
        case .markdown: return markdown(t)
        }
    }
}
