import Foundation

/// Application Insights Continuous Export: one line per telemetry item, its `context` shared by
/// the item arrays (`request`, `remoteDependency`, …) it holds, mapped to the classic tables.
enum ContinuousExport: RecordMapping {
    static let continuousExportKinds: [String: (table: String, itemType: String)] = [
        "request": ("requests", "request"), "remoteDependency": ("dependencies", "dependency"),
        "exception": ("exceptions", "exception"), "basicException": ("exceptions", "exception"),
        "event": ("customEvents", "customEvent"), "message": ("traces", "trace"),
        "pageViews": ("pageViews", "pageView"), "view": ("pageViews", "pageView"),
        "availability": ("availabilityResults", "availabilityResult"), "metric": ("customMetrics", "customMetric"),
    ]

    static func matches(_ keys: [String]) -> Bool {
        keys.contains("context") && keys.contains { continuousExportKinds[$0] != nil }
    }

    /// One Continuous Export line as classic-schema records (`request`, `remoteDependency`… hold arrays).
    static func rows(of doc: JSONValue) -> [MappedRow] {
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
            ("itemId", str(at(doc, "internal", "data", "id"))), ("itemCount", Checked.int64(rounding: 100 / sampling).map(JSONValue.int) ?? .null),
            ("customDimensions", merge(at(ctx, "custom", "dimensions"))), ("customMeasurements", merge(at(ctx, "custom", "metrics"))),
        ]
        if case .bool(true)? = at(ctx, "data", "isSynthetic"), case .string("")? = common.first(where: { $0.0 == "operation_SyntheticSource" })?.1 {
            common = common.map { $0.0 == "operation_SyntheticSource" ? ($0.0, .string("Synthetic")) : $0 }
        }
        /// Durations are in ticks (10,000 per millisecond).
        func ms(_ v: JSONValue?) -> JSONValue {
            switch v?["value"] { case .real(let d)?: return .real(d / 10_000); case .int(let i)?: return .real(Double(i) / 10_000); default: return .null }
        }
        var out: [MappedRow] = []
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
                out.append(MappedRow(table: kind.table, fields: common + rec))
            }
        }
        return out
    }
}

/// Continuous Export files: one export record per line.
struct ContinuousExportLines: InputFormat {
    func read(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int, into job: IngestJob) throws {
        job.ingestMapped(text.baseAddress!, range, line: line, offset: offset, ContinuousExport.self)
    }
}
