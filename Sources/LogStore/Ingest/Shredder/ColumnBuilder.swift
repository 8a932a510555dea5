import Foundation

/// Accumulates one column's values while records are shredded.
///
/// A declared column (the classic App Insights tables) has a fixed type and converts what the
/// export gives (`"True"` → true, `200` → `"200"`); a value that cannot convert rejects the record.
/// An inferred column takes its type from the first non-null value and widens when a later value
/// does not fit: long → real; any scalar mixed with a string → string; bool mixed with numbers, or
/// any scalar mixed with an object/array → dynamic. Values are re-rendered on widening, never dropped.
final class ColumnBuilder {
    let name: String
    let nameBytes: [UInt8]
    let declared: KustoType?
    /// nil while only nulls have been seen (inferred columns only).
    private(set) var type: KustoType?

    var ints: [Int64] = []
    var reals: [Double] = []
    var strs = ByteStrings()
    var valid: [UInt8] = []
    var nullCount = 0
    /// Original text of the values of an inferred datetime column, so that widening it to string keeps them verbatim.
    var datetimeText: ByteStrings? = nil
    private(set) var rows = 0

    init(name: String, declared: KustoType?) {
        self.name = name
        self.nameBytes = Array(name.utf8)
        self.declared = declared
        self.type = declared
    }

    struct ConversionError: Error { let message: String }

    var approximateBytes: Int { strs.bytes.count + strs.offsets.count * 8 + ints.count * 8 + reals.count * 8 + valid.count }

    // MARK: rollback

    func truncate(to n: Int) {
        guard rows > n else { return }
        if let t = type {
            switch t.physical {
            case .int64: ints.removeLast(rows - n)
            case .float64: reals.removeLast(rows - n)
            case .bytes:
                strs.offsets.removeLast(rows - n)
                strs.bytes.removeLast(strs.bytes.count - strs.offsets[n])
            }
        }
        if var dt = datetimeText {
            dt.offsets.removeLast(rows - n); dt.bytes.removeLast(dt.bytes.count - dt.offsets[n]); datetimeText = dt
        }
        for i in n..<rows where valid[i] == 0 { nullCount -= 1 }
        valid.removeLast(rows - n)
        rows = n
    }

    // MARK: appends

    @inline(__always) private func pushValid() { valid.append(1); rows &+= 1 }

    func appendNull() {
        if let t = type {
            switch t.physical {
            case .int64: ints.append(0)
            case .float64: reals.append(0)
            case .bytes: strs.appendEmpty() // "" for strings, null for dynamic
            }
        }
        datetimeText?.appendEmpty()
        // Kusto strings are never null: an absent string is "".
        if type == .string || type == .guid { valid.append(1) } else { valid.append(0); nullCount &+= 1 }
        rows &+= 1
    }

    /// `k` nulls at once: a column is filled lazily, only when a row names it again (or at `take`),
    /// so that a row costs its own fields, not the table's width.
    func appendNulls(_ k: Int) {
        guard k > 0 else { return }
        if let t = type {
            switch t.physical {
            case .int64: ints.append(contentsOf: Array(repeating: 0, count: k))
            case .float64: reals.append(contentsOf: Array(repeating: 0, count: k))
            case .bytes:
                strs.offsets.append(contentsOf: Array(repeating: strs.bytes.count, count: k))
            }
        }
        if datetimeText != nil {
            datetimeText!.offsets.append(contentsOf: Array(repeating: datetimeText!.bytes.count, count: k))
        }
        if type == .string || type == .guid { valid.append(contentsOf: Array(repeating: 1, count: k)) }
        else { valid.append(contentsOf: Array(repeating: 0, count: k)); nullCount &+= k }
        rows &+= k
    }

    private func begin(_ t: KustoType) {
        // The column saw only nulls so far: give those rows placeholders of the new type.
        type = t
        switch t.physical {
        case .int64: ints = [Int64](repeating: 0, count: rows)
        case .float64: reals = [Double](repeating: 0, count: rows)
        case .bytes: strs = ByteStrings(); strs.offsets = [Int](repeating: 0, count: rows + 1)
        }
        if t == .string || t == .guid { nullCount = 0; for i in 0..<valid.count { valid[i] = 1 } }
        if t == .datetime && declared == nil {
            var d = ByteStrings(); d.offsets = [Int](repeating: 0, count: rows + 1); datetimeText = d
        }
    }

    func appendBool(_ b: Bool) throws {
        guard let t = type else { begin(.bool); return try appendBool(b) }
        switch t {
        case .bool: ints.append(b ? 1 : 0); pushValid()
        case .long, .int, .real, .decimal:
            if declared != nil { throw ConversionError(message: "expected \(t.name), found \(b)") }
            widen(to: .dynamic); try appendBool(b)
        case .string, .guid, .datetime, .timespan:
            if declared != nil && t != .string { throw ConversionError(message: "expected \(t.name), found \(b)") }
            if t != .string { widen(to: .string) }
            strs.append((b ? "true" : "false").utf8); pushValid()
        case .dynamic: strs.append((b ? "true" : "false").utf8); pushValid()
        }
    }

    func appendInteger(_ v: Int64, raw: UnsafeBufferPointer<UInt8>) throws {
        guard let t = type else { begin(.long); return try appendInteger(v, raw: raw) }
        switch t {
        case .long: ints.append(v); pushValid()
        case .int:
            guard v >= Int64(Int32.min) && v <= Int64(Int32.max) else { throw ConversionError(message: "value \(v) is out of range for int") }
            ints.append(v); pushValid()
        case .real, .decimal: reals.append(Double(v)); pushValid()
        case .bool:
            if declared != nil {
                guard v == 0 || v == 1 else { throw ConversionError(message: "expected bool, found \(v)") }
                ints.append(v); pushValid()
            } else { widen(to: .dynamic); try appendInteger(v, raw: raw) }
        case .timespan:
            // A bare number for a timespan column is taken as ticks, as Kusto's JSON ingestion does.
            ints.append(v); pushValid()
        case .datetime, .guid:
            if declared != nil { throw ConversionError(message: "expected \(t.name), found number \(v)") }
            widen(to: .string); try appendInteger(v, raw: raw)
        case .string, .dynamic: strs.append(raw); pushValid()
        }
    }

    func appendReal(_ d: Double, raw: UnsafeBufferPointer<UInt8>) throws {
        guard let t = type else { begin(.real); return try appendReal(d, raw: raw) }
        switch t {
        case .real, .decimal: reals.append(d); pushValid()
        case .long:
            if declared != nil {
                guard d == d.rounded(), abs(d) < 9.2e18 else { throw ConversionError(message: "expected long, found \(d)") }
                guard let i = Checked.int64(truncating: d) else { throw ConversionError(message: "expected long, found \(d)") }
                ints.append(i); pushValid()
            } else { widen(to: .real); try appendReal(d, raw: raw) }
        case .int:
            guard d == d.rounded(), let i = Checked.int32(truncating: d) else { throw ConversionError(message: "expected int, found \(d)") }
            ints.append(Int64(i)); pushValid()
        case .bool:
            if declared != nil { throw ConversionError(message: "expected bool, found \(d)") }
            widen(to: .dynamic); try appendReal(d, raw: raw)
        case .timespan:
            // Ticks given as a number: NaN, infinities and counts past Int64 are Kusto's null.
            if let ticks = Checked.int64(rounding: d) { ints.append(ticks); pushValid() } else { appendNull() }
        case .datetime, .guid:
            if declared != nil { throw ConversionError(message: "expected \(t.name), found number \(d)") }
            widen(to: .string); try appendReal(d, raw: raw)
        case .string, .dynamic: strs.append(raw); pushValid()
        }
    }

    /// A JSON object or array, given as its raw text.
    func appendNested(_ raw: UnsafeBufferPointer<UInt8>) throws {
        guard let t = type else { begin(.dynamic); return try appendNested(raw) }
        switch t {
        case .dynamic, .string: strs.append(raw); pushValid()
        default:
            if declared != nil { throw ConversionError(message: "expected \(t.name), found a JSON \(raw.first == 0x5B ? "array" : "object")") }
            widen(to: .dynamic); try appendNested(raw)
        }
    }

    /// Cuts the string appended last to at most `cap` bytes, backing off to a UTF-8 character
    /// boundary; returns its original length when it was cut.
    func truncateLastString(to cap: Int) -> Int? {
        guard type == .string, rows > 0, strs.count == rows else { return nil }
        let r = strs.range(rows - 1)
        guard r.count > cap else { return nil }
        var end = r.lowerBound + cap
        while end > r.lowerBound && strs.bytes[end] & 0xC0 == 0x80 { end -= 1 }
        strs.bytes.removeSubrange(end...)
        strs.offsets[rows] = end
        return r.count
    }

    /// A JSON string: the scanner is on its opening quote.
    func appendString(_ s: inout JSONScanner, scratch: inout [UInt8]) throws {
        if let t = type, t == .string {
            try s.readString(into: &strs.bytes)
            strs.offsets.append(strs.bytes.count)
            pushValid()
            return
        }
        let start = s.pos
        scratch.removeAll(keepingCapacity: true)
        try s.readString(into: &scratch)
        try appendDecodedString(scratch, raw: UnsafeBufferPointer(start: s.base + start, count: s.pos - start))
    }

    func appendDecodedString(_ v: [UInt8], raw: UnsafeBufferPointer<UInt8>?) throws {
        guard let t = type else {
            if declared == nil, v.count >= 10, v.count <= 40, v[4] == 0x2D, Ticks.parseDatetime(v) != nil {
                begin(.datetime)
            } else {
                begin(.string)
            }
            return try appendDecodedString(v, raw: raw)
        }
        switch t {
        case .string: strs.append(v); pushValid()
        case .guid:
            strs.append(v.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }); pushValid()
        case .datetime:
            if v.isEmpty { appendNull(); return }
            if let ticks = Ticks.parseDatetime(v) {
                ints.append(ticks); datetimeText?.append(v); pushValid()
            } else if declared != nil {
                throw ConversionError(message: "expected datetime, found \"\(String(decoding: v.prefix(40), as: UTF8.self))\"")
            } else {
                widen(to: .string); try appendDecodedString(v, raw: raw)
            }
        case .timespan:
            if v.isEmpty { appendNull(); return }
            switch TimespanText.parse(v) {
            case .ticks(let ticks): ints.append(ticks); pushValid()
            case .null: appendNull()
            case .invalid: throw ConversionError(message: "expected timespan, found \"\(String(decoding: v.prefix(40), as: UTF8.self))\"")
            }
        case .bool:
            switch String(decoding: v, as: UTF8.self).lowercased() {
            case "true", "1": ints.append(1); pushValid()
            case "false", "0": ints.append(0); pushValid()
            case "": appendNull()
            default:
                if declared != nil { throw ConversionError(message: "expected bool, found \"\(String(decoding: v.prefix(40), as: UTF8.self))\"") }
                widen(to: .string); try appendDecodedString(v, raw: raw)
            }
        case .long, .int, .real, .decimal:
            let text = String(decoding: v, as: UTF8.self)
            if text.isEmpty { appendNull(); return }
            if t == .long || t == .int, let i = Int64(text) {
                if t == .int && (i < Int64(Int32.min) || i > Int64(Int32.max)) { throw ConversionError(message: "value \(i) is out of range for int") }
                ints.append(i); pushValid(); return
            }
            if t == .real || t == .decimal, let d = Double(text) { reals.append(d); pushValid(); return }
            if t == .real || t == .decimal, ["nan", "infinity", "-infinity", "+infinity"].contains(text.lowercased()) {
                reals.append(Double(text.lowercased().replacingOccurrences(of: "infinity", with: "inf")) ?? .nan); pushValid(); return
            }
            if declared != nil { throw ConversionError(message: "expected \(t.name), found \"\(String(text.prefix(40)))\"") }
            widen(to: .string); try appendDecodedString(v, raw: raw)
        case .dynamic:
            // Query-API responses carry dynamic values as JSON-encoded strings: keep the document
            // when the text is one, else the JSON string itself.
            if let f = v.first, f == 0x7B || f == 0x5B, let doc = try? JSONValue.parse(v) {
                strs.append(doc.jsonBytes)
            } else {
                var out: [UInt8] = []; appendJSONString(v, to: &out); strs.append(out)
            }
            pushValid()
        }
    }

    // MARK: parsed values

    /// Appends a value parsed before (a mapped export field, a query-result cell) as `appendValue`
    /// of `TableBuilder.shred` would append it from the value's compact JSON text
    /// (`JSONValue.write`), without producing that text: a double the text would write without a
    /// fraction arrives as an integer, NaN and infinities as null. Objects and arrays are stored as
    /// text, which is what a dynamic value is.
    func append(parsed v: JSONValue, scratch: inout [UInt8]) throws {
        switch v {
        case .null: appendNull()
        case .bool(let b): try appendBool(b)
        case .string(let s): try appendText(s)
        case .int(let i):
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: String(i).utf8)
            try scratch.withUnsafeBufferPointer { try appendInteger(i, raw: $0) }
        case .real(let d):
            if d.isNaN || d.isInfinite { appendNull(); return }
            scratch.removeAll(keepingCapacity: true)
            appendJSONNumber(d, to: &scratch)
            if d == d.rounded(), abs(d) < 1e15, let i = Checked.int64(truncating: d) { try scratch.withUnsafeBufferPointer { try appendInteger(i, raw: $0) } }
            else { try scratch.withUnsafeBufferPointer { try appendReal(d, raw: $0) } }
        case .array, .object:
            scratch.removeAll(keepingCapacity: true)
            v.write(to: &scratch)
            try scratch.withUnsafeBufferPointer { try appendNested($0) }
        }
    }

    /// A string value, already decoded.
    func appendText(_ s: String) throws {
        if type == .string { strs.append(s.utf8); pushValid(); return }
        try appendDecodedString(Array(s.utf8), raw: nil)
    }

    // MARK: widening

    /// Re-renders the rows stored so far as `target` (dynamic or string, or real from long).
    func widen(to target: KustoType) {
        guard let t = type, t != target else { return }
        precondition(declared == nil, "declared columns never widen")
        if target == .real {
            precondition(t == .long)
            reals = ints.map(Double.init); ints = []
            type = .real
            return
        }
        var out = ByteStrings()
        out.reserve(rows: rows, bytes: rows * 8)
        var tmp: [UInt8] = []
        for i in 0..<rows {
            tmp.removeAll(keepingCapacity: true)
            if valid[i] == 0 {
                out.appendEmpty() // "" for string, null for dynamic
                continue
            }
            switch t {
            case .bool: tmp.append(contentsOf: (ints[i] != 0 ? "true" : "false").utf8)
            case .long, .int, .timespan: tmp.append(contentsOf: String(ints[i]).utf8)
            case .real, .decimal: appendJSONNumber(reals[i], to: &tmp)
            case .datetime:
                let text = datetimeText.map { Array($0[i]) } ?? Array(Ticks.formatDatetime(ints[i]).utf8)
                if target == .dynamic { appendJSONString(text, to: &tmp) } else { tmp = text }
            case .string, .guid:
                if target == .dynamic { appendJSONString(strs[i], to: &tmp) } else { tmp.append(contentsOf: strs[i]) }
            case .dynamic: tmp.append(contentsOf: strs[i])
            }
            out.append(tmp)
        }
        ints = []; reals = []; strs = out; datetimeText = nil
        if target == .string { for i in 0..<valid.count { valid[i] = 1 }; nullCount = 0 }
        type = target
    }

    // MARK: output

    /// The finished column and resets the builder for the next segment (the type is kept).
    func take() -> Column {
        let t = type ?? .string
        if type == nil { begin(.string) }
        let validity: [UInt8]? = nullCount > 0 && t.physical != .bytes ? valid : nil
        let col: Column
        switch t.physical {
        case .int64: col = .ints(t, ints, validity: validity)
        case .float64: col = .reals(reals, validity: validity, type: t)
        case .bytes: col = .strings(strs, type: t)
        }
        ints = []; reals = []; strs = ByteStrings(); valid = []; nullCount = 0; rows = 0
        if datetimeText != nil { datetimeText = ByteStrings() }
        return col
    }
}
