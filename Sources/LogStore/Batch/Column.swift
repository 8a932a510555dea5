/// Variable-length byte strings stored contiguously: row `i` is `bytes[offsets[i]..<offsets[i+1]]`.
/// Hot loops (comparisons, `has`, hashing) work on these bytes directly, never on `String`.
public struct ByteStrings: Sendable {
    public var bytes: [UInt8]
    public var offsets: [Int]

    public init() { bytes = []; offsets = [0] }
    public init(bytes: [UInt8], offsets: [Int]) { self.bytes = bytes; self.offsets = offsets }
    public init<S: Sequence>(_ strings: S) where S.Element == String {
        self.init()
        for s in strings { append(s) }
    }

    @inlinable public var count: Int { offsets.count - 1 }

    @inlinable public mutating func append<C: Collection>(_ b: C) where C.Element == UInt8 {
        bytes.append(contentsOf: b)
        offsets.append(bytes.count)
    }
    @inlinable public mutating func append(_ s: String) { append(s.utf8) }
    @inlinable public mutating func appendEmpty() { offsets.append(bytes.count) }

    @inlinable public func range(_ i: Int) -> Range<Int> { offsets[i]..<offsets[i + 1] }
    @inlinable public func length(_ i: Int) -> Int { offsets[i + 1] - offsets[i] }
    public func string(_ i: Int) -> String { String(decoding: bytes[range(i)], as: UTF8.self) }
    public subscript(i: Int) -> ArraySlice<UInt8> { bytes[range(i)] }

    public mutating func reserve(rows: Int, bytes n: Int) {
        offsets.reserveCapacity(rows + 1); bytes.reserveCapacity(n)
    }

    /// Rows picked by index, in that order.
    public func gather(_ rows: [Int32]) -> ByteStrings {
        var out = ByteStrings()
        var total = 0
        for r in rows { total &+= length(Int(r)) }
        out.reserve(rows: rows.count, bytes: total)
        bytes.withUnsafeBufferPointer { src in
            for r in rows {
                let rg = range(Int(r))
                out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: src[rg]))
                out.offsets.append(out.bytes.count)
            }
        }
        return out
    }

    public mutating func append(contentsOf other: ByteStrings) {
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        offsets.reserveCapacity(offsets.count + other.count)
        for i in 1..<other.offsets.count { offsets.append(base + other.offsets[i]) }
    }
}

/// The physical values of one column. Strings are never null in Kusto; the other types carry
/// a validity map in `Column`.
public enum ColumnStorage: Sendable {
    case int64([Int64])
    case float64([Double])
    case bytes(ByteStrings)
}

/// One column of a batch: a Kusto type, its values, and which rows are valid (`nil`: all).
/// Validity is one byte per row (1 = valid) so kernels can combine it branch-free.
public struct Column: Sendable {
    public var type: KustoType
    public var storage: ColumnStorage
    public var validity: [UInt8]?
    /// For string columns read from a dictionary-encoded segment: each row's code among
    /// `dictionarySize` distinct values (equal codes, equal bytes). Group-by and filters can then
    /// work once per distinct value instead of once per row.
    public var dictionaryCodes: [Int32]? = nil
    public var dictionarySize = 0
    /// Set when the strings were never expanded per row: storage holds the `dictionarySize`
    /// distinct values and `dictionaryCodes` says which one each row has. Read this way only for
    /// group-by keys (`Store.read(dictionaryOnly:)`); `row(_:)` maps a row to its storage index.
    public var dictionaryOnly = false
    @inlinable public func row(_ i: Int) -> Int { dictionaryOnly ? Int(dictionaryCodes![i]) : i }

    public init(type: KustoType, storage: ColumnStorage, validity: [UInt8]? = nil) {
        self.type = type; self.storage = storage; self.validity = validity
    }

    public static func ints(_ type: KustoType, _ v: [Int64], validity: [UInt8]? = nil) -> Column {
        Column(type: type, storage: .int64(v), validity: validity)
    }
    public static func reals(_ v: [Double], validity: [UInt8]? = nil, type: KustoType = .real) -> Column {
        Column(type: type, storage: .float64(v), validity: validity)
    }
    public static func strings(_ s: ByteStrings, type: KustoType = .string) -> Column {
        Column(type: type, storage: .bytes(s), validity: nil)
    }

    public var count: Int {
        if dictionaryOnly { return dictionaryCodes!.count }
        switch storage {
        case .int64(let v): return v.count
        case .float64(let v): return v.count
        case .bytes(let s): return s.count
        }
    }

    /// Strings are never null; a dynamic value is null when its JSON text is empty.
    @inlinable public func isNull(_ i: Int) -> Bool {
        if let v = validity { return v[i] == 0 }
        if type == .dynamic, case .bytes(let s) = storage { return s.length(row(i)) == 0 }
        return false
    }

    public var int64Values: [Int64] { if case .int64(let v) = storage { return v }; preconditionFailure("column is not int64-backed") }
    public var float64Values: [Double] { if case .float64(let v) = storage { return v }; preconditionFailure("column is not float64-backed") }
    public var byteStrings: ByteStrings { if case .bytes(let v) = storage { return v }; preconditionFailure("column is not byte-backed") }

    /// The strings expanded per row (a no-op unless `dictionaryOnly`).
    public func materialized() -> Column {
        guard dictionaryOnly, case .bytes(let s) = storage, let codes = dictionaryCodes else { return self }
        var c = Column(type: type, storage: .bytes(s.gather(codes)), validity: validity)
        c.dictionaryCodes = codes; c.dictionarySize = dictionarySize
        return c
    }

    public func gather(_ rows: [Int32]) -> Column {
        if dictionaryOnly, let codes = dictionaryCodes {
            var c = self
            c.dictionaryCodes = codes.withUnsafeBufferPointer { p in rows.map { p[Int($0)] } }
            c.validity = validity.map { v in rows.map { v[Int($0)] } }
            return c
        }
        let val = validity.map { v in rows.map { v[Int($0)] } }
        switch storage {
        case .int64(let v): return Column(type: type, storage: .int64(rows.map { v[Int($0)] }), validity: val)
        case .float64(let v): return Column(type: type, storage: .float64(rows.map { v[Int($0)] }), validity: val)
        case .bytes(let s):
            var c = Column(type: type, storage: .bytes(s.gather(rows)), validity: val)
            if let codes = dictionaryCodes {
                c.dictionaryCodes = codes.withUnsafeBufferPointer { p in rows.map { p[Int($0)] } }
                c.dictionarySize = dictionarySize
            }
            return c
        }
    }

    public func slice(_ r: Range<Int>) -> Column {
        gather(r.map { Int32($0) })
    }

    /// An all-null (or all-empty, for strings) column.
    public static func nulls(_ type: KustoType, count: Int) -> Column {
        switch type.physical {
        case .int64: return .ints(type, [Int64](repeating: 0, count: count), validity: [UInt8](repeating: 0, count: count))
        case .float64: return .reals([Double](repeating: 0, count: count), validity: [UInt8](repeating: 0, count: count), type: type)
        case .bytes:
            // An empty string, and for dynamic an empty text (no JSON document is empty), which is dynamic's null.
            var s = ByteStrings(); s.offsets = [Int](repeating: 0, count: count + 1)
            return Column(type: type, storage: .bytes(s), validity: nil)
        }
    }

    /// Appends `other` (same physical shape) after this column's rows.
    public mutating func append(_ other: Column) {
        if dictionaryOnly { self = materialized(); dictionaryOnly = false }
        let other = other.materialized()
        let n = count
        dictionaryCodes = nil
        switch (storage, other.storage) {
        case (.int64(var a), .int64(let b)): storage = .int64([]); a.append(contentsOf: b); storage = .int64(a)
        case (.float64(var a), .float64(let b)): storage = .float64([]); a.append(contentsOf: b); storage = .float64(a)
        case (.bytes(var a), .bytes(let b)): storage = .bytes(ByteStrings()); a.append(contentsOf: b); storage = .bytes(a)
        default: preconditionFailure("append of columns with different physical storage")
        }
        if validity != nil || other.validity != nil {
            var v = validity ?? [UInt8](repeating: 1, count: n)
            v.append(contentsOf: other.validity ?? [UInt8](repeating: 1, count: other.count))
            validity = v
        }
    }
}

/// A set of equally long columns: what a scan yields and what operators exchange.
public struct Batch: Sendable {
    public var columns: [Column]
    public var names: [String]
    public var count: Int

    public init(names: [String], columns: [Column], count: Int) {
        self.names = names; self.columns = columns; self.count = count
    }

    public func column(named n: String) -> Column? {
        names.firstIndex(of: n).map { columns[$0] }
    }

    /// The rows at `rows`, in that order.
    public func gathered(_ rows: [Int32]) -> Batch {
        Batch(names: names, columns: columns.map { $0.gather(rows) }, count: rows.count)
    }
}
