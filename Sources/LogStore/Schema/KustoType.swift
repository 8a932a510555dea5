/// Kusto's scalar types. Values are held in three physical shapes (see `ColumnStorage`):
/// 64-bit integers (bool, int, long, datetime, timespan), doubles (real, decimal) and
/// byte strings (string, guid, dynamic as compact JSON text).
public enum KustoType: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case bool = 1, int, long, real, decimal, datetime, timespan, guid, string, dynamic

    /// The name Kusto uses in schemas and in query-API results.
    public var name: String {
        switch self {
        case .bool: return "bool"
        case .int: return "int"
        case .long: return "long"
        case .real: return "real"
        case .decimal: return "decimal"
        case .datetime: return "datetime"
        case .timespan: return "timespan"
        case .guid: return "guid"
        case .string: return "string"
        case .dynamic: return "dynamic"
        }
    }

    public var description: String { name }

    /// Accepts Kusto's names and the aliases seen in exports (`boolean`, `double`, `date`, `time`, `uniqueid`, `int32`, `int64`, `object`, `SByte`…).
    public init?(name raw: String) {
        switch raw.lowercased() {
        case "bool", "boolean", "system.boolean", "sbyte", "system.sbyte": self = .bool
        case "int", "int32", "system.int32": self = .int
        case "long", "int64", "system.int64": self = .long
        case "real", "double", "float", "system.double", "system.single": self = .real
        case "decimal", "system.decimal", "system.data.sqltypes.sqldecimal": self = .decimal
        case "datetime", "date", "system.datetime": self = .datetime
        case "timespan", "time", "system.timespan": self = .timespan
        case "guid", "uniqueid", "system.guid": self = .guid
        case "string", "system.string": self = .string
        case "dynamic", "object", "system.object", "array", "system.data.sqltypes.sqlobject": self = .dynamic
        default: return nil
        }
    }

    public enum Physical: UInt8, Sendable { case int64, float64, bytes }

    public var physical: Physical {
        switch self {
        case .bool, .int, .long, .datetime, .timespan: return .int64
        case .real, .decimal: return .float64
        case .guid, .string, .dynamic: return .bytes
        }
    }

    public var isNumeric: Bool { self == .int || self == .long || self == .real || self == .decimal }
}

public struct ColumnSchema: Sendable, Equatable {
    public var name: String
    public var type: KustoType
    public init(name: String, type: KustoType) { self.name = name; self.type = type }
}

public struct TableSchema: Sendable, Equatable {
    public var name: String
    public var columns: [ColumnSchema]
    /// The column that orders the table in time and prunes segments (`timestamp`, `TimeGenerated`…), if any.
    public var timeColumn: String?
    public init(name: String, columns: [ColumnSchema], timeColumn: String?) {
        self.name = name; self.columns = columns; self.timeColumn = timeColumn
    }
    public func column(named n: String) -> ColumnSchema? { columns.first { $0.name == n } }
}
