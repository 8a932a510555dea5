import LogStore

/// Total order over values for sorting and min/max: nulls first, then by type-appropriate order.
enum ValueOrder {
    static func compare(_ a: Value, _ b: Value) -> Int {
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return -1
        case (_, .null): return 1
        case (.long(let x), .long(let y)), (.datetime(let x), .datetime(let y)), (.timespan(let x), .timespan(let y)):
            return x < y ? -1 : x > y ? 1 : 0
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        case (.string(let x), .string(let y)):
            return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) ? -1 : (x == y ? 0 : 1)
        default:
            if let x = a.asDouble, let y = b.asDouble { return x < y ? -1 : x > y ? 1 : 0 }
            let x = a.asString, y = b.asString
            return x < y ? -1 : x > y ? 1 : 0
        }
    }
}
