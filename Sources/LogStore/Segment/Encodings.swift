import Foundation

/// Per-column encodings, chosen by analysing the values (DuckDB's analyze → choose → compress).
/// LZ4 runs on top of whichever is chosen; these remove the redundancy LZ4 cannot see
/// (small integers in 64-bit words, sorted timestamps, repeated strings).
enum Encoding: UInt8 {
    case plainInt64 = 1
    case forBitPacked = 2       // frame of reference: min + bit-packed offsets
    case deltaBitPacked = 3     // first value + FOR over successive differences (sorted timestamps)
    case runLength = 4          // (value, run length) pairs
    case plainFloat64 = 5
    case scaledDecimal = 6      // doubles that are integers × 10^-k, stored as FOR integers
    case plainBytes = 7         // varint lengths + bytes
    case dictionaryBytes = 8    // distinct strings + bit-packed codes
    case nibbleBytes = 9        // ≤16-symbol alphabet at 4 bits a byte; fixed positions kept once (hex ids, GUIDs)
}

enum BitPacking {
    static func width(_ maxValue: UInt64) -> Int { maxValue == 0 ? 0 : 64 - maxValue.leadingZeroBitCount }

    static func pack(_ values: [UInt64], width: Int, into w: inout ByteWriter) {
        guard width > 0 else { return }
        var acc: UInt64 = 0
        var bits = 0
        w.bytes.reserveCapacity(w.bytes.count + (values.count * width + 7) / 8 + 8)
        for v in values {
            acc |= v << UInt64(bits)
            let used = 64 - bits
            if width >= used {
                w.u64(acc)
                acc = used == 64 ? 0 : v >> UInt64(used)
                bits = width - used
            } else {
                bits += width
            }
        }
        if bits > 0 { w.u64(acc) }
    }

    /// Values at `rows` only (ascending or not), from a packed run of `count` values.
    static func unpack(_ r: inout ByteReader, count: Int, width: Int, rows: [Int32]) throws -> [UInt64] {
        guard width > 0 else { _ = count; return [UInt64](repeating: 0, count: rows.count) }
        guard width <= 64 else { throw FormatError(message: "bad bit width \(width)") }
        let words = (count * width + 63) / 64
        let raw = try r.raw(words * 8)
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        return rows.map { row in
            let bitPos = Int(row) * width
            let word = bitPos >> 6, off = bitPos & 63
            var v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)) >> UInt64(off)
            if off + width > 64 { v |= UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: (word + 1) * 8, as: UInt64.self)) << UInt64(64 - off) }
            return v & mask
        }
    }

    static func unpack(_ r: inout ByteReader, count: Int, width: Int) throws -> [UInt64] {
        try [UInt64](unsafeUninitializedCapacity: count) { dst, done in
            try unpack(&r, count: count, width: width, into: dst.baseAddress!)
            done = count
        }
    }

    /// Unpacks `count` values into `dst` (uninitialized memory is fine: every slot is written).
    /// Decoding writes each output word once: fresh arrays zeroed first cost as much as the unpacking.
    static func unpack(_ r: inout ByteReader, count: Int, width: Int, into dst: UnsafeMutablePointer<UInt64>) throws {
        let raw = try packedRegion(&r, count: count, width: width)
        unpack(raw, from: 0, count: count, width: width, into: dst)
    }

    /// The bytes holding `count` packed values of `width` bits (the reader moves past them).
    static func packedRegion(_ r: inout ByteReader, count: Int, width: Int) throws -> UnsafeRawBufferPointer {
        guard width >= 0, width <= 64 else { throw FormatError(message: "bad bit width \(width)") }
        return try r.raw((count * width + 63) / 64 * 8)
    }

    /// Values `from ..< from+count` of a packed region.
    static func unpack(_ raw: UnsafeRawBufferPointer, from: Int, count: Int, width: Int, into dst: UnsafeMutablePointer<UInt64>) {
        guard width > 0 else { dst.initialize(repeating: 0, count: count); return }
        guard count > 0 else { return }
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        let src = raw.baseAddress!
        var bitPos = from &* width
        for i in 0..<count {
            let word = bitPos >> 6, off = bitPos & 63
            var v = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: word &* 8, as: UInt64.self)) >> UInt64(off)
            if off &+ width > 64 {
                v |= UInt64(littleEndian: src.loadUnaligned(fromByteOffset: (word &+ 1) &* 8, as: UInt64.self)) << UInt64(64 &- off)
            }
            dst[i] = v & mask
            bitPos &+= width
        }
    }

    /// Dictionary codes as Int32, each checked against the dictionary's size `limit`.
    static func unpackCodes(_ r: inout ByteReader, count: Int, width: Int, limit: Int) throws -> [Int32] {
        guard width <= 32 else { throw FormatError(message: "bad code width \(width)") }
        let raw = try r.raw((count * width + 63) / 64 * 8)
        if width == 0 {
            guard count == 0 || limit > 0 else { throw FormatError(message: "dictionary code out of range") }
            return [Int32](repeating: 0, count: count)
        }
        let mask: UInt64 = (1 << UInt64(width)) - 1
        var bad = false
        let codes = [Int32](unsafeUninitializedCapacity: count) { dst, done in
            let src = raw.baseAddress!
            var bitPos = 0
            var maxCode: UInt64 = 0
            for i in 0..<count {
                let word = bitPos >> 6, off = bitPos & 63
                var v = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: word &* 8, as: UInt64.self)) >> UInt64(off)
                if off &+ width > 64 {
                    v |= UInt64(littleEndian: src.loadUnaligned(fromByteOffset: (word &+ 1) &* 8, as: UInt64.self)) << UInt64(64 &- off)
                }
                v &= mask
                maxCode = max(maxCode, v)
                dst[i] = Int32(truncatingIfNeeded: v)
                bitPos &+= width
            }
            bad = count > 0 && maxCode >= UInt64(limit)
            done = count
        }
        if bad { throw FormatError(message: "dictionary code out of range") }
        return codes
    }
}

enum IntegerCodec {
    /// Chooses the smallest of plain, FOR, delta and run-length for these values.
    static func encode(_ v: [Int64], into w: inout ByteWriter) {
        let n = v.count
        guard n > 0 else { w.u8(Encoding.plainInt64.rawValue); return }
        var lo = v[0], hi = v[0], runs = 1, sorted = true
        var dlo = Int64.max, dhi = Int64.min
        var deltaOverflow = false
        for i in 1..<n {
            let x = v[i]
            if x < lo { lo = x }
            if x > hi { hi = x }
            if x != v[i - 1] { runs += 1 }
            if x < v[i - 1] { sorted = false }
            let (d, o) = x.subtractingReportingOverflow(v[i - 1])
            if o { deltaOverflow = true } else { if d < dlo { dlo = d }; if d > dhi { dhi = d } }
        }
        let (range, rangeOverflow) = hi.subtractingReportingOverflow(lo)
        let forBits = rangeOverflow ? 64 : BitPacking.width(UInt64(range))
        let forSize = n * forBits / 8
        let rleSize = runs * 12
        var deltaSize = Int.max
        var deltaBits = 64
        if !deltaOverflow && n > 1 {
            let (dr, o) = dhi.subtractingReportingOverflow(dlo)
            if !o { deltaBits = BitPacking.width(UInt64(dr)); deltaSize = n * deltaBits / 8 + 16 }
        }
        _ = sorted
        if rleSize <= forSize && rleSize <= deltaSize {
            w.u8(Encoding.runLength.rawValue)
            w.varint(UInt64(runs))
            var start = 0
            for i in 1...n where i == n || v[i] != v[start] {
                w.i64(v[start]); w.varint(UInt64(i - start)); start = i
            }
        } else if deltaSize < forSize {
            w.u8(Encoding.deltaBitPacked.rawValue)
            w.i64(v[0]); w.i64(dlo); w.u8(UInt8(deltaBits))
            var d = [UInt64](repeating: 0, count: n - 1)
            // &- is safe: deltaOverflow was ruled out above, and each delta ≥ dlo.
            for i in 1..<n { d[i - 1] = UInt64(bitPattern: (v[i] &- v[i - 1]) &- dlo) }
            BitPacking.pack(d, width: deltaBits, into: &w)
        } else if forBits < 64 {
            w.u8(Encoding.forBitPacked.rawValue)
            w.i64(lo); w.u8(UInt8(forBits))
            BitPacking.pack(v.map { UInt64(bitPattern: $0 &- lo) }, width: forBits, into: &w)
        } else {
            w.u8(Encoding.plainInt64.rawValue)
            for x in v { w.i64(x) }
        }
    }

    /// Only the values at `rows` (in that order).
    static func decode(_ r: inout ByteReader, count n: Int, rows: [Int32]) throws -> [Int64] {
        let start = r.pos
        let enc = try r.u8()
        switch Encoding(rawValue: enc) {
        case .plainInt64:
            let raw = try r.raw(n * 8)
            return rows.map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: Int($0) * 8, as: Int64.self)) }
        case .forBitPacked:
            let lo = try r.i64(); let width = Int(try r.u8())
            return try BitPacking.unpack(&r, count: n, width: width, rows: rows).map { lo &+ Int64(bitPattern: $0) }
        default:
            r.pos = start
            let all = try decode(&r, count: n)
            return rows.map { all[Int($0)] }
        }
    }

    /// The rows whose value lies in `lo ..< hi` (and whose validity bit, if any, is set), ascending.
    /// Streams through the values a chunk at a time: a time window over a segment never
    /// materializes the segment's timestamps.
    static func selectRange(_ r: inout ByteReader, count n: Int, lo: Int64, hi: Int64, valid: UnsafeRawBufferPointer?) throws -> [Int32] {
        var out: [Int32] = []
        @inline(__always) func keep(_ v: Int64, _ i: Int) {
            if v >= lo && v < hi, valid.map({ ($0[i >> 3] >> UInt8(i & 7)) & 1 == 1 }) ?? true { out.append(Int32(i)) }
        }
        let enc = try r.u8()
        switch Encoding(rawValue: enc) {
        case .plainInt64:
            let raw = try r.raw(n * 8)
            for i in 0..<n { keep(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i &* 8, as: Int64.self)), i) }
        case .forBitPacked:
            let base = try r.i64(); let width = Int(try r.u8())
            let raw = try BitPacking.packedRegion(&r, count: n, width: width)
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 4096) { buf in
                var start = 0
                while start < n {
                    let m = min(4096, n - start)
                    BitPacking.unpack(raw, from: start, count: m, width: width, into: buf.baseAddress!)
                    for j in 0..<m { keep(base &+ Int64(bitPattern: buf[j]), start + j) }
                    start += m
                }
            }
        case .deltaBitPacked:
            let first = try r.i64(), dlo = try r.i64(), width = Int(try r.u8())
            let raw = try BitPacking.packedRegion(&r, count: max(n - 1, 0), width: width)
            guard n > 0 else { return [] }
            keep(first, 0)
            var acc = first
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 4096) { buf in
                var start = 0
                while start < n - 1 {
                    let m = min(4096, n - 1 - start)
                    BitPacking.unpack(raw, from: start, count: m, width: width, into: buf.baseAddress!)
                    for j in 0..<m { acc = acc &+ dlo &+ Int64(bitPattern: buf[j]); keep(acc, start + j + 1) }
                    start += m
                }
            }
        case .runLength:
            let runs = try r.length()      // each run takes at least 9 bytes
            var row = 0
            for _ in 0..<runs {
                let v = try r.i64(); let stored = try r.varint()
                guard stored <= UInt64(n &- row) else { throw FormatError(message: "run-length data longer than the column") }
                let len = Int(stored)
                if v >= lo && v < hi { for i in row..<(row + len) { keep(v, i) } }
                row += len
            }
            guard row == n else { throw FormatError(message: "run-length data shorter than the column") }
        default: throw FormatError(message: "unknown integer encoding \(enc)")
        }
        return out
    }

    static func decode(_ r: inout ByteReader, count n: Int) throws -> [Int64] {
        let enc = try r.u8()
        switch Encoding(rawValue: enc) {
        case .plainInt64:
            let raw = try r.raw(n * 8)
            return [Int64](unsafeUninitializedCapacity: n) { dst, done in
                for i in 0..<n { dst[i] = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i &* 8, as: Int64.self)) }
                done = n
            }
        case .forBitPacked:
            let lo = try r.i64(); let width = Int(try r.u8())
            return try [Int64](unsafeUninitializedCapacity: n) { dst, done in
                guard n > 0 else { return }
                let p = UnsafeMutableRawPointer(dst.baseAddress!)
                try BitPacking.unpack(&r, count: n, width: width, into: p.assumingMemoryBound(to: UInt64.self))
                let v = p.assumingMemoryBound(to: Int64.self)
                for i in 0..<n { v[i] = lo &+ v[i] }
                done = n
            }
        case .deltaBitPacked:
            let first = try r.i64(), dlo = try r.i64(), width = Int(try r.u8())
            return try [Int64](unsafeUninitializedCapacity: n) { dst, done in
                guard n > 0 else { _ = try BitPacking.unpack(&r, count: 0, width: width); return }
                let p = UnsafeMutableRawPointer(dst.baseAddress!)
                // The differences land in slots 1…n-1 and are summed in place.
                try BitPacking.unpack(&r, count: n - 1, width: width, into: (p + 8).assumingMemoryBound(to: UInt64.self))
                let v = p.assumingMemoryBound(to: Int64.self)
                v[0] = first
                var acc = first
                for i in 1..<n { acc = acc &+ dlo &+ v[i]; v[i] = acc }
                done = n
            }
        case .runLength:
            let runs = try r.length()      // each run takes at least 9 bytes
            var out = [Int64](); out.reserveCapacity(n)
            for _ in 0..<runs {
                // Compared as UInt64 before any Int conversion or sum: the length comes from the file.
                let v = try r.i64(); let stored = try r.varint()
                guard stored <= UInt64(n &- out.count) else { throw FormatError(message: "run-length data longer than the column") }
                let len = Int(stored)
                out.append(contentsOf: repeatElement(v, count: len))
            }
            guard out.count == n else { throw FormatError(message: "run-length data shorter than the column") }
            return out
        default: throw FormatError(message: "unknown integer encoding \(enc)")
        }
    }
}

enum RealCodec {
    /// Doubles written with few decimals (durations like 634.1867) are exactly `integer / 10^k`:
    /// those are stored as FOR-packed integers, the rest plainly.
    static func encode(_ v: [Double], into w: inout ByteWriter) {
        let scales: [Double] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000]
        for (k, s) in scales.enumerated() {
            var ok = true
            var ints = [Int64](); ints.reserveCapacity(v.count)
            for x in v {
                let y = (x * s).rounded()
                guard abs(y) < 9e15, y / s == x else { ok = false; break }
                ints.append(Int64(y))
            }
            if ok {
                w.u8(Encoding.scaledDecimal.rawValue); w.u8(UInt8(k))
                IntegerCodec.encode(ints, into: &w)
                return
            }
        }
        w.u8(Encoding.plainFloat64.rawValue)
        for x in v { w.f64(x) }
    }

    static func decode(_ r: inout ByteReader, count n: Int, rows: [Int32]) throws -> [Double] {
        let enc = try r.u8()
        switch Encoding(rawValue: enc) {
        case .plainFloat64:
            let raw = try r.raw(n * 8)
            return rows.map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: Int($0) * 8, as: UInt64.self))) }
        case .scaledDecimal:
            let k = Int(try r.u8())
            guard k <= 6 else { throw FormatError(message: "bad decimal scale \(k)") }
            let s = [1.0, 10, 100, 1000, 10_000, 100_000, 1_000_000][k]
            return try IntegerCodec.decode(&r, count: n, rows: rows).map { Double($0) / s }
        default: throw FormatError(message: "unknown real encoding \(enc)")
        }
    }

    static func decode(_ r: inout ByteReader, count n: Int) throws -> [Double] {
        let enc = try r.u8()
        switch Encoding(rawValue: enc) {
        case .plainFloat64:
            var out = [Double](); out.reserveCapacity(n)
            for _ in 0..<n { out.append(try r.f64()) }
            return out
        case .scaledDecimal:
            let k = Int(try r.u8())
            guard k <= 6 else { throw FormatError(message: "bad decimal scale \(k)") }
            let s = [1.0, 10, 100, 1000, 10_000, 100_000, 1_000_000][k]
            return try IntegerCodec.decode(&r, count: n).map { Double($0) / s }
        default: throw FormatError(message: "unknown real encoding \(enc)")
        }
    }
}

enum BytesCodec {
    static func encode(_ s: ByteStrings, into w: inout ByteWriter) {
        let n = s.count
        // Dictionary when values repeat enough (fewer than half distinct, bounded dictionary).
        var table = ByteSliceTable()
        var codes = [UInt64](); codes.reserveCapacity(n)
        var useDict = n > 0
        let limit = min(max(n / 2, 1), 1 << 20)
        s.bytes.withUnsafeBufferPointer { b in
            let base = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
            for i in 0..<n {
                let r = s.range(i)
                let id = table.intern(base + r.lowerBound, r.count)
                if table.count > limit { useDict = false; break }
                codes.append(UInt64(id))
            }
        }
        if useDict {
            w.u8(Encoding.dictionaryBytes.rawValue)
            let entries = table.entries
            w.varint(UInt64(entries.count))
            for e in 0..<entries.count { w.varint(UInt64(entries.length(e))) }
            w.raw(entries.bytes)
            let width = BitPacking.width(UInt64(max(entries.count - 1, 0)))
            w.u8(UInt8(width))
            BitPacking.pack(codes, width: width, into: &w)
        } else if !NibbleCodec.encode(s, into: &w) {
            w.u8(Encoding.plainBytes.rawValue)
            for i in 0..<n { w.varint(UInt64(s.length(i))) }
            w.raw(s.bytes[s.offsets[0]..<s.offsets[n]])
        }
    }

    static func decode(_ r: inout ByteReader, count n: Int) throws -> ByteStrings { try decodeWithDictionary(&r, count: n).0 }

    /// Only the strings at `rows` (in that order).
    static func decode(_ r: inout ByteReader, count n: Int, rows: [Int32]) throws -> ByteStrings {
        let start = r.pos
        let enc = try r.u8()
        var out = ByteStrings()
        switch Encoding(rawValue: enc) {
        case .plainBytes:
            var offsets = [Int](repeating: 0, count: n + 1)
            var total = 0
            // Each length is at most the bytes left, and so is their running sum: no overflow.
            for i in 0..<n {
                total += try r.length(); offsets[i + 1] = total
                guard total <= r.remaining else { throw FormatError(message: "string lengths exceed the column") }
            }
            let raw = try r.raw(total)
            for row in rows { out.append(UnsafeRawBufferPointer(rebasing: raw[offsets[Int(row)]..<offsets[Int(row) + 1]])) }
        case .dictionaryBytes:
            let m = try r.length()         // each entry's length takes at least a byte
            guard m <= n else { throw FormatError(message: "dictionary larger than the column") }
            var starts = [Int](repeating: 0, count: m + 1)
            for k in 0..<m {
                starts[k + 1] = starts[k] + (try r.length())
                guard starts[k + 1] <= r.remaining else { throw FormatError(message: "dictionary lengths exceed the column") }
            }
            let all = try r.raw(starts[m])
            let width = Int(try r.u8())
            var expanded = 0
            for c in try BitPacking.unpack(&r, count: n, width: width, rows: rows) {
                guard c < UInt64(m) else { throw FormatError(message: "dictionary code out of range") }
                expanded += starts[Int(c) + 1] - starts[Int(c)]
                guard expanded <= SegmentFormat.maxColumnBytes else { throw FormatError(message: SegmentFormat.expandsTooFar(expanded)) }
                out.append(UnsafeRawBufferPointer(rebasing: all[starts[Int(c)]..<starts[Int(c) + 1]]))
            }
        case .nibbleBytes:
            return try NibbleCodec.decode(&r, count: n, rows: rows)
        default:
            r.pos = start
            let all = try decode(&r, count: n)
            for row in rows { out.append(all[Int(row)]) }
        }
        return out
    }

    /// A dictionary-encoded column's distinct values and each row's code, without expanding the
    /// strings per row; nil for other encodings (the reader is then left where it was).
    static func decodeDictionaryOnly(_ r: inout ByteReader, count n: Int) throws -> (ByteStrings, [Int32])? {
        let start = r.pos
        guard Encoding(rawValue: try r.u8()) == .dictionaryBytes else { r.pos = start; return nil }
        let m = try r.length()             // each entry's length takes at least a byte
        guard m <= n else { throw FormatError(message: "dictionary larger than the column") }
        var offsets = [Int](); offsets.reserveCapacity(m + 1); offsets.append(0)
        for _ in 0..<m {
            offsets.append(offsets.last! + (try r.length()))
            guard offsets.last! <= r.remaining else { throw FormatError(message: "dictionary lengths exceed the column") }
        }
        let all = Array(try r.raw(offsets[m]))
        let width = Int(try r.u8())
        let codes32 = try BitPacking.unpackCodes(&r, count: n, width: width, limit: m)
        return (ByteStrings(bytes: all, offsets: offsets), codes32)
    }

    /// The strings, and for a dictionary-encoded column each row's code and the dictionary size.
    static func decodeWithDictionary(_ r: inout ByteReader, count n: Int) throws -> (ByteStrings, ([Int32], Int)?) {
        let enc = try r.u8()
        switch Encoding(rawValue: enc) {
        case .plainBytes:
            var offsets = [Int](); offsets.reserveCapacity(n + 1); offsets.append(0)
            var total = 0
            for _ in 0..<n {
                total += try r.length(); offsets.append(total)
                guard total <= r.remaining else { throw FormatError(message: "string lengths exceed the column") }
            }
            let raw = try r.raw(total)
            return (ByteStrings(bytes: Array(raw), offsets: offsets), nil)
        case .dictionaryBytes:
            let m = try r.length()         // each entry's length takes at least a byte
            guard m <= n else { throw FormatError(message: "dictionary larger than the column") }
            var lens = [Int](); lens.reserveCapacity(m)
            var entryBytes = 0, longest = 0
            for _ in 0..<m {
                let l = try r.length()
                lens.append(l); entryBytes += l; longest = max(longest, l)
                guard entryBytes <= r.remaining else { throw FormatError(message: "dictionary lengths exceed the column") }
            }
            let all = Array(try r.raw(entryBytes))
            let width = Int(try r.u8())
            let codes32 = try BitPacking.unpackCodes(&r, count: n, width: width, limit: m)
            // The expanded size sums one entry per row unchecked below: bound it once here.
            guard !n.multipliedReportingOverflow(by: longest).overflow else {
                throw FormatError(message: "dictionary expands past the address space")
            }
            var total = 0
            lens.withUnsafeBufferPointer { l in codes32.withUnsafeBufferPointer { c in for i in 0..<n { total &+= l[Int(c[i])] } } }
            guard total <= SegmentFormat.maxColumnBytes else { throw FormatError(message: SegmentFormat.expandsTooFar(total)) }
            var starts = [Int](repeating: 0, count: m)
            var acc = 0
            for (k, l) in lens.enumerated() { starts[k] = acc; acc += l }
            var offsets: [Int] = []
            let bytes = [UInt8](unsafeUninitializedCapacity: total) { dst, done in
                all.withUnsafeBufferPointer { src in lens.withUnsafeBufferPointer { lens in starts.withUnsafeBufferPointer { starts in
                    codes32.withUnsafeBufferPointer { codes in
                        offsets = [Int](unsafeUninitializedCapacity: n + 1) { off, offDone in
                            var o = 0
                            off[0] = 0
                            for i in 0..<n {
                                let c = Int(codes[i]), l = lens[c]
                                if l > 0 { (dst.baseAddress! + o).initialize(from: src.baseAddress! + starts[c], count: l) }
                                o &+= l
                                off[i + 1] = o
                            }
                            offDone = n + 1
                        }
                    }
                } } }
                done = total
            }
            return (ByteStrings(bytes: bytes, offsets: offsets), (codes32, m))
        case .nibbleBytes:
            return (try NibbleCodec.decode(&r, count: n), nil)
        default: throw FormatError(message: "unknown string encoding \(enc)")
        }
    }
}

extension BytesCodec {
    /// The rows whose string equals `needle` (bytewise), found in the encoded form: dictionary
    /// codes, lengths then bytes, or nibble codes. A lookup by id never expands the column.
    static func rowsEqual(_ r: inout ByteReader, count n: Int, needle: [UInt8]) throws -> [Int32] {
        let enc = try r.u8()
        var out: [Int32] = []
        switch Encoding(rawValue: enc) {
        case .plainBytes:
            var lengths = [Int](); lengths.reserveCapacity(n)
            var total = 0
            for _ in 0..<n {
                let l = try r.length()
                lengths.append(l); total += l
                guard total <= r.remaining else { throw FormatError(message: "string lengths exceed the column") }
            }
            let raw = try r.raw(total)
            needle.withUnsafeBufferPointer { nd in
                var o = 0
                for i in 0..<n {
                    let l = lengths[i]
                    if l == nd.count && (l == 0 || memcmp(raw.baseAddress! + o, nd.baseAddress!, l) == 0) { out.append(Int32(i)) }
                    o += l
                }
            }
        case .dictionaryBytes:
            let m = try r.length()         // each entry's length takes at least a byte
            guard m <= n else { throw FormatError(message: "dictionary larger than the column") }
            var starts = [Int](); starts.reserveCapacity(m + 1); starts.append(0)
            for _ in 0..<m {
                starts.append(starts.last! + (try r.length()))
                guard starts.last! <= r.remaining else { throw FormatError(message: "dictionary lengths exceed the column") }
            }
            let entries = try r.raw(starts[m])
            let width = Int(try r.u8())
            let packed = try BitPacking.packedRegion(&r, count: n, width: width)
            guard let code = (0..<m).first(where: { k in
                starts[k + 1] - starts[k] == needle.count && needle.withUnsafeBytes { nd in
                    needle.isEmpty || memcmp(entries.baseAddress! + starts[k], nd.baseAddress!, needle.count) == 0 }
            }) else { return [] }
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 4096) { buf in
                var start = 0
                while start < n {
                    let c = min(4096, n - start)
                    BitPacking.unpack(packed, from: start, count: c, width: width, into: buf.baseAddress!)
                    for j in 0..<c where buf[j] == UInt64(code) { out.append(Int32(start + j)) }
                    start += c
                }
            }
        case .nibbleBytes:
            let l = try NibbleCodec.readLayout(&r, count: n)
            var symbol = [Int](repeating: -1, count: 256)
            for (k, a) in l.alphabet.enumerated() where symbol[Int(a)] < 0 { symbol[Int(a)] = k }
            // The needle's codes at the positions the column stores; a byte outside the alphabet
            // (or a template byte that differs) matches no row.
            var codes: [UInt8] = []
            if l.fixed {
                guard needle.count == l.template.count else { return [] }
                let variable = Set(l.variable)
                for k in 0..<needle.count where !variable.contains(k) && needle[k] != l.template[k] { return [] }
                for pos in l.variable { guard symbol[Int(needle[pos])] >= 0 else { return [] }; codes.append(UInt8(symbol[Int(needle[pos])])) }
            } else {
                for b in needle { guard symbol[Int(b)] >= 0 else { return [] }; codes.append(UInt8(symbol[Int(b)])) }
            }
            @inline(__always) func nibble(_ at: Int) -> UInt8 {
                let b = l.packed[at >> 1]
                return at & 1 == 0 ? b & 15 : b >> 4
            }
            func matches(_ at: Int) -> Bool {
                for j in 0..<codes.count where nibble(at + j) != codes[j] { return false }
                return true
            }
            if l.fixed {
                let w = l.variable.count
                if w % 2 == 0 && w > 0 {
                    // Every row starts on a byte: compare packed bytes.
                    var packedNeedle = [UInt8](repeating: 0, count: w / 2)
                    for j in 0..<w { packedNeedle[j >> 1] |= j & 1 == 0 ? codes[j] : codes[j] << 4 }
                    packedNeedle.withUnsafeBytes { pn in
                        for i in 0..<n where memcmp(l.packed.baseAddress! + i * (w / 2), pn.baseAddress!, w / 2) == 0 { out.append(Int32(i)) }
                    }
                } else {
                    for i in 0..<n where matches(i * w) { out.append(Int32(i)) }
                }
            } else {
                for i in 0..<n where l.offsets[i + 1] - l.offsets[i] == codes.count && matches(l.offsets[i]) { out.append(Int32(i)) }
            }
        default: throw FormatError(message: "unknown string encoding \(enc)")
        }
        return out
    }
}

/// Random identifiers (hex operation ids, GUIDs) do not compress under LZ4, but use 16 symbols:
/// stored as 4-bit codes they take half the space. When all values have one length, positions
/// holding the same byte in every row (a GUID's dashes) are stored once as a template.
extension SegmentFormat {
    static func expandsTooFar(_ bytes: Int) -> String {
        "strings expand to \(bytes) bytes, over the maximum of \(maxColumnBytes) per column"
    }
}

enum NibbleCodec {
    static func encode(_ s: ByteStrings, into w: inout ByteWriter) -> Bool {
        let n = s.count
        guard n >= 64 else { return false }
        let len0 = s.length(0)
        var fixed = len0 > 0
        for i in 1..<n where s.length(i) != len0 { fixed = false; break }
        // Variable positions of fixed-length values: those not equal to row 0's byte somewhere.
        var variable = [Bool](repeating: false, count: fixed ? len0 : 0)
        var seen = [Bool](repeating: false, count: 256)
        var symbols = 0
        s.bytes.withUnsafeBufferPointer { b in
            if fixed {
                let first = s.offsets[0]
                for i in 1..<n {
                    let o = s.offsets[i]
                    for k in 0..<len0 where !variable[k] && b[o + k] != b[first + k] { variable[k] = true }
                }
                for i in 0..<n {
                    let o = s.offsets[i]
                    for k in 0..<len0 where variable[k] && !seen[Int(b[o + k])] { seen[Int(b[o + k])] = true; symbols += 1 }
                    if symbols > 16 { return }
                }
            } else {
                for x in b[s.offsets[0]..<s.offsets[n]] where !seen[Int(x)] {
                    seen[Int(x)] = true; symbols += 1
                    if symbols > 16 { return }
                }
            }
        }
        guard symbols <= 16, symbols > 0 else { return false }
        var alphabet: [UInt8] = []
        var code = [UInt8](repeating: 0, count: 256)
        for v in 0..<256 where seen[v] { code[v] = UInt8(alphabet.count); alphabet.append(UInt8(v)) }
        w.u8(Encoding.nibbleBytes.rawValue)
        w.u8(fixed ? 1 : 0)
        if fixed {
            w.varint(UInt64(len0))
            w.raw(s.bytes[s.offsets[0]..<s.offsets[0] + len0])
            for k in 0..<len0 { w.u8(variable[k] ? 1 : 0) }
        } else {
            for i in 0..<n { w.varint(UInt64(s.length(i))) }
        }
        w.u8(UInt8(alphabet.count)); w.raw(alphabet)
        var packed: [UInt8] = []
        packed.reserveCapacity((s.bytes.count + 1) / 2)
        var half: UInt8 = 0, odd = false
        @inline(__always) func put(_ c: UInt8) {
            if odd { packed.append(half | (c << 4)); odd = false } else { half = c; odd = true }
        }
        s.bytes.withUnsafeBufferPointer { b in
            if fixed {
                let vars = (0..<len0).filter { variable[$0] }
                for i in 0..<n { let o = s.offsets[i]; for k in vars { put(code[Int(b[o + k])]) } }
            } else {
                for x in b[s.offsets[0]..<s.offsets[n]] { put(code[Int(x)]) }
            }
        }
        if odd { packed.append(half) }
        w.varint(UInt64(packed.count)); w.raw(packed)
        return true
    }

    /// The column header both decoders read: row offsets, the fixed-length template and its
    /// variable positions, the alphabet (padded to 16), and the packed codes.
    struct Layout {
        var fixed = false
        var template: [UInt8] = [], variable: [Int] = []
        /// Row offsets of variable-length values (fixed-length rows are at `row × length`).
        var offsets: [Int] = []
        var alphabet: [UInt8] = []
        var packed = UnsafeRawBufferPointer(start: nil, count: 0)
        var total = 0
    }

    static func readLayout(_ r: inout ByteReader, count n: Int) throws -> Layout {
        var l = Layout()
        l.fixed = try r.u8() == 1
        var total = 0
        if l.fixed {
            let len = try r.length()
            l.template = Array(try r.raw(len))
            for k in 0..<len where try r.u8() == 1 { l.variable.append(k) }
            // The writer keeps a template only with a varying position (else the column is not
            // nibble-coded): without one, a short column would claim rows × template bytes.
            guard n == 0 || !l.variable.isEmpty else { throw FormatError(message: "nibble template without variable positions") }
            let (t, o) = n.multipliedReportingOverflow(by: len)
            guard !o, t <= SegmentFormat.maxColumnBytes else {
                throw FormatError(message: o ? "nibble column expands past the address space" : SegmentFormat.expandsTooFar(t))
            }
            total = t
        } else {
            l.offsets.reserveCapacity(n + 1); l.offsets.append(0)
            // Two codes per stored byte: the running sum stays within twice the bytes left.
            for _ in 0..<n {
                total += try r.length(); l.offsets.append(total)
                guard total / 2 <= r.remaining else { throw FormatError(message: "nibble lengths exceed the column") }
            }
        }
        l.total = total
        let k = Int(try r.u8())
        guard k <= 16 else { throw FormatError(message: "bad nibble alphabet") }
        l.alphabet = Array(try r.raw(k))
        while l.alphabet.count < 16 { l.alphabet.append(0) }
        let packedCount = try r.length()
        l.packed = try r.raw(packedCount)
        let needed = l.fixed ? n * l.variable.count : total
        guard (needed + 1) / 2 <= packedCount else { throw FormatError(message: "nibble data shorter than the column") }
        return l
    }

    /// Only the strings at `rows`: each row's codes sit at a known nibble position.
    static func decode(_ r: inout ByteReader, count n: Int, rows: [Int32]) throws -> ByteStrings {
        let l = try readLayout(&r, count: n)
        @inline(__always) func symbol(_ nibble: Int) -> UInt8 {
            let b = l.packed[nibble >> 1]
            return l.alphabet[Int(nibble & 1 == 0 ? b & 15 : b >> 4)]
        }
        var out = ByteStrings()
        for row in rows {
            let i = Int(row)
            guard i >= 0 && i < n else { throw FormatError(message: "row \(i) outside the column") }
            if l.fixed {
                var value = l.template
                let base = i * l.variable.count
                for (j, pos) in l.variable.enumerated() { value[pos] = symbol(base + j) }
                out.append(value)
            } else {
                out.append((l.offsets[i]..<l.offsets[i + 1]).map(symbol))
            }
        }
        return out
    }

    static func decode(_ r: inout ByteReader, count n: Int) throws -> ByteStrings {
        let l = try readLayout(&r, count: n)
        let fixed = l.fixed, template = l.template, variable = l.variable, total = l.total
        let offsets = fixed ? (0...n).map { $0 * template.count } : l.offsets
        let alphabet = l.alphabet, packed = l.packed, packedCount = packed.count
        // Expand two codes per packed byte through a 256-entry table of byte pairs.
        var pairs = [UInt16](repeating: 0, count: 256)
        for b in 0..<256 { pairs[b] = UInt16(alphabet[b & 15]) | UInt16(alphabet[b >> 4]) << 8 }
        var flat = [UInt8](repeating: 0, count: packedCount * 2)
        flat.withUnsafeMutableBytes { dst in
            for j in 0..<packedCount { dst.storeBytes(of: pairs[Int(packed[j])].littleEndian, toByteOffset: 2 * j, as: UInt16.self) }
        }
        if !fixed { flat.removeLast(flat.count - total); return ByteStrings(bytes: flat, offsets: offsets) }
        // Fixed length: the template, with the variable runs filled in from the expanded codes.
        var runs: [(Int, Int)] = []
        for v in variable { if let last = runs.last, last.0 + last.1 == v { runs[runs.count - 1].1 += 1 } else { runs.append((v, 1)) } }
        let len = template.count
        var bytes = [UInt8](repeating: 0, count: total)
        bytes.withUnsafeMutableBufferPointer { out in flat.withUnsafeBufferPointer { src in template.withUnsafeBufferPointer { t in
            var q = 0
            for i in 0..<n {
                let o = out.baseAddress! + i * len
                o.update(from: t.baseAddress!, count: len)
                for (start, count) in runs { (o + start).update(from: src.baseAddress! + q, count: count); q += count }
            }
        } } }
        return ByteStrings(bytes: bytes, offsets: offsets)
    }
}

