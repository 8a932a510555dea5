/// Type widening, shared by ingest (within a batch and across batches) and scans (old segments
/// are read as the table's current type).
public enum TypeWidening {
    public static func widened(_ a: KustoType, _ b: KustoType) -> KustoType {
        if a == b { return a }
        let ints: Set<KustoType> = [.int, .long]
        let nums: Set<KustoType> = [.int, .long, .real, .decimal]
        if ints.contains(a) && ints.contains(b) { return .long }
        if nums.contains(a) && nums.contains(b) { return .real }
        if a == .dynamic || b == .dynamic { return .dynamic }
        if a == .string || b == .string || a == .guid || b == .guid { return .string }
        return .dynamic
    }
}

public enum ValueText {
    /// Kusto's `tostring` of a datetime: ISO 8601 with trailing zero fractions dropped.
    public static func datetime(_ t: Int64, into out: inout [UInt8]) {
        var b: [UInt8] = []
        Ticks.formatDatetime(t, into: &b)
        // b ends with ".fffffffZ"
        b.removeLast() // Z
        while b.last == 0x30 { b.removeLast() }
        if b.last == 0x2E { b.removeLast() }
        out.append(contentsOf: b); out.append(0x5A)
    }

    public static func real(_ d: Double, into out: inout [UInt8]) {
        if d.isNaN { out.append(contentsOf: Array("NaN".utf8)); return }
        if d.isInfinite { out.append(contentsOf: Array((d > 0 ? "Infinity" : "-Infinity").utf8)); return }
        appendJSONNumber(d, to: &out)
    }
}

extension Column {
    /// This column as `target`, for reading an old segment under a widened table type.
    public func converted(to target: KustoType) -> Column {
        if type == target { return self }
        let n = count
        switch (storage, target) {
        case (.int64(let v), .long) where type == .int:
            return .ints(.long, v, validity: validity)
        case (.int64(let v), .real), (.int64(let v), .decimal):
            return .reals(v.map(Double.init), validity: validity, type: target)
        case (.float64(let v), .real), (.float64(let v), .decimal):
            return .reals(v, validity: validity, type: target)
        default: break
        }
        guard target == .string || target == .dynamic else { return .nulls(target, count: n) }
        var out = ByteStrings()
        var tmp: [UInt8] = []
        for i in 0..<n {
            tmp.removeAll(keepingCapacity: true)
            if isNull(i) { out.appendEmpty(); continue }
            switch storage {
            case .int64(let v):
                switch type {
                case .bool: tmp.append(contentsOf: (v[i] != 0 ? "true" : "false").utf8)
                case .datetime:
                    var s: [UInt8] = []; ValueText.datetime(v[i], into: &s)
                    if target == .dynamic { appendJSONString(s, to: &tmp) } else { tmp = s }
                case .timespan:
                    var s: [UInt8] = []; Ticks.formatTimespan(v[i], into: &s)
                    if target == .dynamic { appendJSONString(s, to: &tmp) } else { tmp = s }
                default: tmp.append(contentsOf: String(v[i]).utf8)
                }
            case .float64(let v): appendJSONNumber(v[i], to: &tmp)
            case .bytes(let s):
                if target == .dynamic && type != .dynamic { appendJSONString(s[i], to: &tmp) } else { tmp.append(contentsOf: s[i]) }
            }
            out.append(tmp)
        }
        return .strings(out, type: target)
    }
}
