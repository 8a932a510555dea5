/// Errors of the storage layer. Each names the file (and where useful the offset) it concerns.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case storeNotFound(path: String)
    case io(path: String, reason: String)
    case corruptSegment(path: String, offset: Int, reason: String)
    case segmentMissing(path: String, reason: String)
    case catalog(path: String, reason: String, sql: String?)
    case tableNotFound(String)
    case input(path: String, reason: String)
    case locked(path: String)

    public var description: String {
        switch self {
        case .storeNotFound(let p): return "no store at '\(p)' (run 'logq ingest --store \(p) FILE...' to create one)"
        case .io(let p, let r): return "\(p): \(r)"
        case .corruptSegment(let p, let o, let r): return "corrupt segment \(p) at offset \(o): \(r)"
        case .segmentMissing(let p, let r): return "segment file \(p) is missing or unreadable: \(r)"
        case .catalog(let p, let r, let sql): return "catalog \(p): \(r)" + (sql.map { " (in: \($0))" } ?? "")
        case .tableNotFound(let t): return "table '\(t)' does not exist in the store"
        case .input(let p, let r): return "\(p): \(r)"
        case .locked(let p): return "store \(p) is being written by another process"
        }
    }
}
