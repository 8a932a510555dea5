import Foundation

/// Export shapes that are not one flat record per object, mapped to flat records.
enum ExportMappings {
    // MARK: Application Insights Continuous Export

    static let continuousExportKinds: [String: (table: String, itemType: String)] = [
        "request": ("requests", "request"), "remoteDependency": ("dependencies", "dependency"),
        "exception": ("exceptions", "exception"), "basicException": ("exceptions", "exception"),
        "event": ("customEvents", "customEvent"), "message": ("traces", "trace"),
        "pageViews": ("pageViews", "pageView"), "view": ("pageViews", "pageView"),
        "availability": ("availabilityResults", "availabilityResult"), "metric": ("customMetrics", "customMetric"),
    ]

    static func isContinuousExport(_ keys: [String]) -> Bool {
        keys.contains("context") && keys.contains { continuousExportKinds[$0] != nil }
    }

    /// One Continuous Export line as classic-schema records (`request`, `remoteDependency`… hold arrays).
    static func continuousExport(_ doc: JSONValue) -> [(table: String, record: JSONValue)] {
        guard let ctx = doc["context"] else { return [] }
        func at(_ v: JSONValue?, _ path: String...) -> JSONValue? {
            var cur = v
            for p in path { cur = cur?[p] }
            return cur
        }
        func str(_ v: JSONValue?) -> JSONValue {
            switch v {
            case .string(let s)?: return .string(s)
            case .int(let i)?: return .string(String(i))
            case .real(let d)?: return .string(String(d))
            case .bool(let b)?: return .string(b ? "True" : "False")
            default: return .string("")
            }
        }
        // context.custom.dimensions / metrics: arrays of one-key objects, merged into one bag.
        func merge(_ v: JSONValue?) -> JSONValue {
            guard let arr = v?.arrayValue, !arr.isEmpty else { return .null }
            var kv: [(String, JSONValue)] = []
            for item in arr { for (k, x) in item.objectValue ?? [] { kv.removeAll { $0.0 == k }; kv.append((k, x)) } }
            return .object(kv)
        }
        let sampling: Double = {
            if case .real(let d)? = at(ctx, "data", "samplingRate"), d > 0 { return d }
            if case .int(let i)? = at(ctx, "data", "samplingRate"), i > 0 { return Double(i) }
            return 100
        }()
        var common: [(String, JSONValue)] = [
            ("timestamp", at(ctx, "data", "eventTime") ?? .null),
            ("operation_Name", str(at(ctx, "operation", "name"))), ("operation_Id", str(at(ctx, "operation", "id"))),
            ("operation_ParentId", str(at(ctx, "operation", "parentId"))),
            ("operation_SyntheticSource", str(at(ctx, "operation", "syntheticSource"))),
            ("session_Id", str(at(ctx, "session", "id"))), ("user_Id", str(at(ctx, "user", "anonId"))),
            ("user_AuthenticatedId", str(at(ctx, "user", "authId"))), ("user_AccountId", str(at(ctx, "user", "accountId"))),
            ("application_Version", str(at(ctx, "application", "version"))),
            ("client_Type", str(at(ctx, "device", "type"))), ("client_Model", str(at(ctx, "device", "deviceModel"))),
            ("client_OS", str(at(ctx, "device", "osVersion"))), ("client_IP", str(at(ctx, "location", "clientip"))),
            ("client_City", str(at(ctx, "location", "city"))), ("client_StateOrProvince", str(at(ctx, "location", "province"))),
            ("client_CountryOrRegion", str(at(ctx, "location", "country"))), ("client_Browser", str(at(ctx, "device", "browserVersion"))),
            ("cloud_RoleName", str(at(ctx, "device", "roleName"))), ("cloud_RoleInstance", str(at(ctx, "device", "roleInstance"))),
            ("itemId", str(at(doc, "internal", "data", "id"))), ("itemCount", .int(Int64((100 / sampling).rounded()))),
            ("customDimensions", merge(at(ctx, "custom", "dimensions"))), ("customMeasurements", merge(at(ctx, "custom", "metrics"))),
        ]
        if case .bool(true)? = at(ctx, "data", "isSynthetic"), case .string("")? = common.first(where: { $0.0 == "operation_SyntheticSource" })?.1 {
            common = common.map { $0.0 == "operation_SyntheticSource" ? ($0.0, .string("Synthetic")) : $0 }
        }
        /// Durations are in ticks (10,000 per millisecond).
        func ms(_ v: JSONValue?) -> JSONValue {
            switch v?["value"] { case .real(let d)?: return .real(d / 10_000); case .int(let i)?: return .real(Double(i) / 10_000); default: return .null }
        }
        var out: [(String, JSONValue)] = []
        for (key, kind) in continuousExportKinds {
            guard let items = doc[key]?.arrayValue else { continue }
            for it in items {
                var rec: [(String, JSONValue)] = []
                switch key {
                case "request":
                    let url = it["url"] ?? .string("")
                    rec = [("id", str(it["id"])), ("name", str(it["name"])), ("url", str(url)), ("success", it["success"] ?? .null),
                           ("resultCode", str(it["responseCode"])), ("duration", ms(it["durationMetric"])), ("source", .string(""))]
                case "remoteDependency":
                    rec = [("id", str(it["id"])), ("name", str(it["name"])), ("type", str(it["dependencyTypeName"] ?? it["type"])),
                           ("target", str(it["target"] ?? it["remoteDependencyType"])), ("data", str(it["commandName"])),
                           ("success", it["success"] ?? .null), ("resultCode", str(it["resultCode"])), ("duration", ms(it["durationMetric"]))]
                case "exception", "basicException":
                    rec = [("type", str(it["exceptionType"] ?? it["typeName"])), ("message", str(it["outerExceptionMessage"] ?? it["message"])),
                           ("method", str(it["failedUserCodeMethod"] ?? it["method"])), ("assembly", str(it["failedUserCodeAssembly"] ?? it["assembly"])),
                           ("problemId", str(it["problemId"])), ("handledAt", str(it["handledAt"])),
                           ("outerType", str(it["outerExceptionType"])), ("outerMessage", str(it["outerExceptionMessage"])),
                           ("details", it["parsedStack"].map { .array([.object([("parsedStack", $0)])]) } ?? .null)]
                case "message":
                    var severity: JSONValue = it["severityLevel"] ?? .null
                    if case .string(let name) = severity {
                        severity = .int(["Verbose": 0, "Information": 1, "Warning": 2, "Error": 3, "Critical": 4][name] ?? 1)
                    }
                    rec = [("message", str(it["raw"] ?? it["message"])), ("severityLevel", severity)]
                default:
                    rec = [("name", str(it["name"]))]
                    if let d = it["durationMetric"] { rec.append(("duration", ms(d))) }
                }
                rec.append(("itemType", .string(kind.itemType)))
                out.append((kind.table, .object(common + rec)))
            }
        }
        return out
    }

    // MARK: OpenTelemetry OTLP/JSON

    static func isOTLP(_ keys: [String]) -> Bool { keys.contains("resourceLogs") || keys.contains("resourceSpans") }

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
    static func otlp(_ doc: JSONValue) -> [(table: String, record: JSONValue)] {
        var out: [(String, JSONValue)] = []
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
                    out.append(("OTelLogs", JSONValue.object(f)))
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
                    out.append(("OTelSpans", JSONValue.object(f)))
                }
            }
        }
        return out
    }
}
