import Foundation

/// OpenTelemetry OTLP/JSON documents (`resourceLogs`, `resourceSpans`), as the collector's file
/// exporter writes them: log records → `OTelLogs`, spans → `OTelSpans`.
enum OTLP: RecordMapping {
    static func matches(_ keys: [String]) -> Bool { keys.contains("resourceLogs") || keys.contains("resourceSpans") }

    /// OTLP attribute lists (`[{"key","value":{"stringValue"…}}]`) as one bag.
    static func attributes(_ v: JSONValue?) -> JSONValue {
        guard let list = v?.arrayValue else { return .object([]) }
        return .object(list.compactMap { a in a["key"]?.stringValue.map { ($0, anyValue(a["value"])) } })
    }

    static func anyValue(_ v: JSONValue?) -> JSONValue {
        guard let (k, x) = v?.objectValue?.first else { return .null }
        switch k {
        case "intValue": if case .string(let s) = x, let i = Int64(s) { return .int(i) }; return x
        case "arrayValue": return .array((x["values"]?.arrayValue ?? []).map { anyValue($0) })
        case "kvlistValue": return attributes(x["values"])
        default: return x
        }
    }

    static func nanosToDatetime(_ v: JSONValue?) -> JSONValue {
        let n: Int64?
        switch v { case .string(let s)?: n = Int64(s); case .int(let i)?: n = i; default: n = nil }
        guard let ns = n, ns > 0 else { return .null }
        return .string(Ticks.formatDatetime(Ticks.unixEpoch + ns / 100))
    }

    /// Log records → `OTelLogs`, spans → `OTelSpans`, with resource and scope attributes as bags.
    static func rows(of doc: JSONValue) -> [MappedRow] {
        var out: [MappedRow] = []
        for rl in doc["resourceLogs"]?.arrayValue ?? [] {
            let resource = attributes(rl["resource"]?["attributes"])
            for sl in rl["scopeLogs"]?.arrayValue ?? [] {
                for r in sl["logRecords"]?.arrayValue ?? [] {
                    var f: [(String, JSONValue)] = []
                    f.append(("TimeGenerated", nanosToDatetime(r["timeUnixNano"] ?? r["observedTimeUnixNano"])))
                    f.append(("ObservedTime", nanosToDatetime(r["observedTimeUnixNano"])))
                    f.append(("SeverityNumber", r["severityNumber"] ?? JSONValue.null))
                    f.append(("SeverityText", r["severityText"] ?? JSONValue.string("")))
                    f.append(("Body", anyValue(r["body"])))
                    f.append(("TraceId", r["traceId"] ?? JSONValue.string("")))
                    f.append(("SpanId", r["spanId"] ?? JSONValue.string("")))
                    f.append(("Attributes", attributes(r["attributes"])))
                    f.append(("Resource", resource))
                    f.append(("ScopeName", sl["scope"]?["name"] ?? JSONValue.string("")))
                    f.append(("ScopeVersion", sl["scope"]?["version"] ?? JSONValue.string("")))
                    out.append(MappedRow(table: "OTelLogs", fields: f))
                }
            }
        }
        for rs in doc["resourceSpans"]?.arrayValue ?? [] {
            let resource = attributes(rs["resource"]?["attributes"])
            for ss in rs["scopeSpans"]?.arrayValue ?? [] {
                for s in ss["spans"]?.arrayValue ?? [] {
                    let start = nanosToDatetime(s["startTimeUnixNano"]), end = nanosToDatetime(s["endTimeUnixNano"])
                    var durationMs: JSONValue = .null
                    if case .string(let a) = start, case .string(let b) = end, let x = Ticks.parseDatetime(a), let y = Ticks.parseDatetime(b) {
                        durationMs = .real(Double(y - x) / Double(Ticks.perMillisecond))
                    }
                    var f: [(String, JSONValue)] = []
                    f.append(("TimeGenerated", start))
                    f.append(("EndTime", end))
                    f.append(("DurationMs", durationMs))
                    f.append(("Name", s["name"] ?? JSONValue.string("")))
                    f.append(("Kind", s["kind"] ?? JSONValue.null))
                    f.append(("TraceId", s["traceId"] ?? JSONValue.string("")))
                    f.append(("SpanId", s["spanId"] ?? JSONValue.string("")))
                    f.append(("ParentSpanId", s["parentSpanId"] ?? JSONValue.string("")))
                    f.append(("StatusCode", s["status"]?["code"] ?? JSONValue.null))
                    f.append(("StatusMessage", s["status"]?["message"] ?? JSONValue.string("")))
                    f.append(("Attributes", attributes(s["attributes"])))
                    f.append(("Resource", resource))
                    f.append(("ScopeName", ss["scope"]?["name"] ?? JSONValue.string("")))
                    out.append(MappedRow(table: "OTelSpans", fields: f))
                }
            }
        }
        return out
    }
}
