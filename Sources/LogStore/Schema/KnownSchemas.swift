/// Documented column types of the Application Insights classic tables, so that ingest stores
/// `success` as bool, `itemCount` as int and `customDimensions` as dynamic whatever the export
/// spelled (`"True"`, `"1"`, JSON-encoded strings…). Other tables' types are inferred.
public enum KnownSchemas {
    static let common: [(String, KustoType)] = [
        ("operation_Name", .string), ("operation_Id", .string), ("operation_ParentId", .string),
        ("operation_SyntheticSource", .string), ("session_Id", .string), ("user_Id", .string),
        ("user_AuthenticatedId", .string), ("user_AccountId", .string), ("application_Version", .string),
        ("client_Type", .string), ("client_Model", .string), ("client_OS", .string), ("client_IP", .string),
        ("client_City", .string), ("client_StateOrProvince", .string), ("client_CountryOrRegion", .string),
        ("client_Browser", .string), ("cloud_RoleName", .string), ("cloud_RoleInstance", .string),
        ("appId", .string), ("appName", .string), ("iKey", .string), ("sdkVersion", .string),
        ("itemId", .string), ("itemCount", .int), ("_ResourceId", .string),
    ]
    static let dims: [(String, KustoType)] = [("customDimensions", .dynamic), ("customMeasurements", .dynamic)]

    static let tables: [String: [(String, KustoType)]] = [
        "requests": [("timestamp", .datetime), ("id", .string), ("source", .string), ("name", .string), ("url", .string),
                     ("success", .bool), ("resultCode", .string), ("duration", .real), ("performanceBucket", .string),
                     ("itemType", .string)] + dims + common,
        "dependencies": [("timestamp", .datetime), ("id", .string), ("target", .string), ("type", .string), ("name", .string),
                         ("data", .string), ("success", .bool), ("resultCode", .string), ("duration", .real),
                         ("performanceBucket", .string), ("itemType", .string)] + dims + common,
        "exceptions": [("timestamp", .datetime), ("problemId", .string), ("handledAt", .string), ("type", .string),
                       ("message", .string), ("assembly", .string), ("method", .string), ("outerType", .string),
                       ("outerMessage", .string), ("outerAssembly", .string), ("outerMethod", .string),
                       ("innermostType", .string), ("innermostMessage", .string), ("innermostAssembly", .string),
                       ("innermostMethod", .string), ("severityLevel", .int), ("details", .dynamic), ("itemType", .string)]
                       + dims + common,
        "customEvents": [("timestamp", .datetime), ("name", .string), ("itemType", .string)] + dims + common,
        "traces": [("timestamp", .datetime), ("message", .string), ("severityLevel", .int), ("itemType", .string)] + dims + common,
        "pageViews": [("timestamp", .datetime), ("id", .string), ("name", .string), ("url", .string), ("duration", .real),
                      ("performanceBucket", .string), ("itemType", .string)] + dims + common,
        "availabilityResults": [("timestamp", .datetime), ("id", .string), ("name", .string), ("location", .string),
                                ("success", .bool), ("message", .string), ("size", .real), ("duration", .real),
                                ("performanceBucket", .string), ("itemType", .string)] + dims + common,
        // OpenTelemetry OTLP/JSON, as logq maps it (see `OTLP.rows`).
        "OTelLogs": [("TimeGenerated", .datetime), ("ObservedTime", .datetime), ("SeverityNumber", .int), ("SeverityText", .string),
                     ("Body", .dynamic), ("TraceId", .string), ("SpanId", .string), ("Attributes", .dynamic), ("Resource", .dynamic),
                     ("ScopeName", .string), ("ScopeVersion", .string)],
        "OTelSpans": [("TimeGenerated", .datetime), ("EndTime", .datetime), ("DurationMs", .real), ("Name", .string), ("Kind", .int),
                      ("TraceId", .string), ("SpanId", .string), ("ParentSpanId", .string), ("StatusCode", .int), ("StatusMessage", .string),
                      ("Attributes", .dynamic), ("Resource", .dynamic), ("ScopeName", .string)],
    ]

    /// The declared columns of a table, in documented order, or nil for tables whose types are inferred.
    public static func declared(_ table: String) -> [ColumnSchema]? {
        tables[table].map { $0.map { ColumnSchema(name: $0.0, type: $0.1) } }
    }

    /// `itemType` values of the classic tables → table names.
    public static func tableForItemType(_ t: String) -> String? {
        switch t {
        case "request": return "requests"
        case "dependency": return "dependencies"
        case "exception": return "exceptions"
        case "customEvent": return "customEvents"
        case "trace": return "traces"
        case "pageView": return "pageViews"
        case "availabilityResult": return "availabilityResults"
        case "customMetric": return "customMetrics"
        case "browserTiming": return "browserTimings"
        case "performanceCounter": return "performanceCounters"
        default: return nil
        }
    }

    /// Column names that mark a table's time, in order of preference.
    public static let timeColumnCandidates = ["timestamp", "TimeGenerated", "time", "Timestamp", "EventTime", "eventTime", "Time"]
}
