import Foundation
import LogStore

/// Maps each row's key (one or more columns) to a dense group id. Keys are encoded into a reused
/// byte buffer and looked up in an open-addressing table, so no allocation happens per row; only
/// a new group stores its key bytes and its key values.
final class GroupTable {
    /// Encoded key bytes → group id (ids are dense, in order of first appearance).
    private var keys = ByteSliceTable()
    private(set) var keyValues: [[Value]] = []
    var count: Int { keyValues.count }
    private var scratch: [UInt8] = []
    /// Every `Budget.loopStride` new groups the budget is checked: one batch (a make-series input,
    /// a join's build side) can hold millions of distinct keys, each stored here. Only the
    /// new-group path pays for it, never a row that finds its group.
    private let budget: Budget?
    private var newGroups = 0
    private var budgetFailure: Error? = nil

    /// `budget`: the query's, by default the one evaluating on this thread.
    init(budget: Budget? = Budget.current) { self.budget = budget?.isUnlimited == false ? budget : nil }

    /// Group ids for every row of the key columns.
    ///
    /// Each key column is first turned into one 64-bit word per row, column at a time (an
    /// integer's value, a real's bits, a dictionary code, or a per-batch id of the string), plus a
    /// word of null flags. A per-batch table maps each row's words to a global group; only a word
    /// tuple new to this batch pays the global lookup on the encoded key bytes.
    func assign(_ keys: [Column], count n: Int) throws -> [Int32] {
        let ids = assignUnchecked(keys, count: n)
        if let f = budgetFailure { throw f }
        return ids
    }

    private func assignUnchecked(_ keys: [Column], count n: Int) -> [Int32] {
        if keys.isEmpty {
            if keyValues.isEmpty { keyValues.append([]) }
            return [Int32](repeating: 0, count: n)
        }
        // Buffers below are written whole before being read: left uninitialized, not zeroed first.
        var out = [Int32](unsafeUninitializedCapacity: n) { _, done in done = n }
        var words: [[UInt64]] = []
        var nullMask: [UInt64]? = nil
        for (k, c) in keys.enumerated() {
            var w = [UInt64](unsafeUninitializedCapacity: n) { _, done in done = n }
            switch c.storage {
            case .int64(let v): v.withUnsafeBufferPointer { p in for i in 0..<n { w[i] = UInt64(bitPattern: p[i]) } }
            case .float64(let v): for i in 0..<n { w[i] = (v[i] == 0 ? 0.0 : v[i]).bitPattern }
            case .bytes(let s):
                if let codes = c.dictionaryCodes {
                    codes.withUnsafeBufferPointer { p in for i in 0..<n { w[i] = UInt64(UInt32(bitPattern: p[i])) } }
                } else {
                    var local = ByteSliceTable(capacity: 64)
                    s.bytes.withUnsafeBufferPointer { b in
                        let base = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
                        for i in 0..<n { let r = s.range(i); w[i] = UInt64(local.intern(base + r.lowerBound, r.count)) }
                    }
                }
                if c.type == .dynamic {
                    for i in 0..<n where s.length(i) == 0 {
                        if nullMask == nil { nullMask = [UInt64](repeating: 0, count: n) }
                        nullMask![i] |= 1 << UInt64(k)
                    }
                }
            }
            if let v = c.validity {
                if nullMask == nil { nullMask = [UInt64](repeating: 0, count: n) }
                for i in 0..<n where v[i] == 0 { nullMask![i] |= 1 << UInt64(k); w[i] = 0 }
            }
            words.append(w)
        }
        if let m = nullMask { words.append(m) }
        // Most group-bys have few key words: fold them into one word when their value ranges allow
        // (dictionary codes and null flags have small ranges), and use a single-word table.
        if let folded = Self.fold(words, keys, hasNullMask: nullMask != nil) {
            return assignFolded(folded.words, directSize: folded.directSize, keys, n, &out)
        }
        let width = words.count
        var batch = WordTupleTable(width: width)
        var tuple = [UInt64](repeating: 0, count: width)
        for i in 0..<n {
            for k in 0..<width { tuple[k] = words[k][i] }
            let (slot, found) = batch.find(tuple)
            if found { out[i] = batch.value(slot); continue }
            scratch.removeAll(keepingCapacity: true)
            for c in keys { encode(c, i, &scratch) }
            let g = scratch.withUnsafeBufferPointer { lookup($0, keys, i) }
            batch.insert(tuple, at: slot, value: g)
            out[i] = g
        }
        return out
    }

    /// One word per row when the key words fit in 64 bits together: a single integer/real key as
    /// it is, or dictionary codes (and null flags) in mixed radix. `directSize` is set when the
    /// folded values are all below it (small enough to index an array).
    static func fold(_ words: [[UInt64]], _ keys: [Column], hasNullMask: Bool) -> (words: [UInt64], directSize: Int?)? {
        if words.count == 1 {
            let size = keys[0].dictionarySize
            if keys[0].dictionaryCodes != nil, size <= 1 << 20 { return (words[0], max(size, 1)) }
            return (words[0], nil)
        }
        var radices: [UInt64] = []
        for c in keys {
            guard c.dictionaryCodes != nil else { return nil }
            radices.append(UInt64(c.dictionarySize) + (c.validity != nil ? 1 : 0))
        }
        if hasNullMask { radices.append(UInt64(1) << UInt64(keys.count)) }
        var product: UInt64 = 1
        for r in radices {
            let (p, overflow) = product.multipliedReportingOverflow(by: max(r, 1))
            if overflow || p > 1 << 40 { return nil }
            product = p
        }
        let n = words[0].count
        var out = words[0]
        out.withUnsafeMutableBufferPointer { o in
            for (k, w) in words.enumerated() where k > 0 {
                let r = max(radices[k], 1)
                w.withUnsafeBufferPointer { p in for i in 0..<n { o[i] = o[i] &* r &+ p[i] } }
            }
        }
        return (out, product <= 1 << 20 ? Int(product) : nil)
    }

    private func assignFolded(_ words: [UInt64], directSize: Int?, _ keys: [Column], _ n: Int, _ out: inout [Int32]) -> [Int32] {
        func global(_ i: Int) -> Int32 {
            scratch.removeAll(keepingCapacity: true)
            for c in keys { encode(c, i, &scratch) }
            return scratch.withUnsafeBufferPointer { lookup($0, keys, i) }
        }
        if let size = directSize {
            var map = [Int32](repeating: -1, count: size)
            map.withUnsafeMutableBufferPointer { m in
                words.withUnsafeBufferPointer { w in
                    for i in 0..<n {
                        let k = Int(w[i])
                        var g = m[k]
                        if g < 0 { g = global(i); m[k] = g }
                        out[i] = g
                    }
                }
            }
            return out
        }
        var table = WordTable(capacity: 1024)
        words.withUnsafeBufferPointer { w in
            for i in 0..<n {
                let slot = table.find(w[i])
                if table.occupied(slot) { out[i] = table.value(slot); continue }
                let g = global(i)
                table.insert(w[i], g, at: slot)
                out[i] = g
            }
        }
        return out
    }

    /// Adds another table's groups (in its order); returns each one's id here.
    func absorb(_ other: GroupTable, keyTypes: [KustoType]) throws -> [Int32] {
        guard other.count > 0 else { return [] }
        if keyTypes.isEmpty { if keyValues.isEmpty { keyValues.append([]) }; return [Int32](repeating: 0, count: other.count) }
        let cols = keyTypes.enumerated().map { k, t in Column.from(other.keyValues.map { $0[k] }, type: t) }
        return try assign(cols, count: other.count)
    }

    @inline(__always) private func encode(_ c: Column, _ i: Int, _ out: inout [UInt8]) {
        if c.isNull(i) { out.append(0); return }
        out.append(1)
        switch c.storage {
        case .int64(let v): withUnsafeBytes(of: v[i]) { out.append(contentsOf: $0) }
        case .float64(let v): let d = v[i] == 0 ? 0 : v[i]; withUnsafeBytes(of: d.bitPattern) { out.append(contentsOf: $0) }
        case .bytes(let s):
            let k = c.row(i)
            let len = UInt32(s.length(k))
            withUnsafeBytes(of: len) { out.append(contentsOf: $0) }
            out.append(contentsOf: s[k])
        }
    }

    private func lookup(_ key: UnsafeBufferPointer<UInt8>, _ cols: [Column], _ row: Int) -> Int32 {
        // Once the budget is spent no group is added; `assign` throws when the batch is done.
        if budgetFailure != nil { return 0 }
        let id = keys.intern(key.baseAddress ?? UnsafePointer(bitPattern: 1)!, key.count)
        if Int(id) == keyValues.count {
            keyValues.append(cols.map { $0.value(row) })
            if let b = budget {
                newGroups &+= 1  // checked: a count of groups, bounded by memory
                if newGroups >= Budget.loopStride {
                    newGroups = 0
                    do { try b.check() } catch { budgetFailure = error }
                }
            }
        }
        return id
    }
}

/// Open addressing from one 64-bit word to a group id, for one batch.
struct WordTable {
    private var keys: [UInt64]
    private var values: [Int32]
    private var used = 0
    private var mask: Int

    init(capacity: Int) {
        keys = [UInt64](repeating: 0, count: capacity); values = [Int32](repeating: -1, count: capacity); mask = capacity - 1
    }

    @inline(__always) static func hash(_ x: UInt64) -> Int {
        var h = x &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }

    @inline(__always) func find(_ x: UInt64) -> Int {
        var i = WordTable.hash(x) & mask
        while values[i] >= 0 && keys[i] != x { i = (i &+ 1) & mask }
        return i
    }

    @inline(__always) func occupied(_ slot: Int) -> Bool { values[slot] >= 0 }
    @inline(__always) func value(_ slot: Int) -> Int32 { values[slot] }

    mutating func insert(_ x: UInt64, _ g: Int32, at slot: Int) {
        keys[slot] = x; values[slot] = g; used += 1
        if used * 2 > keys.count {
            let oldKeys = keys, oldValues = values
            keys = [UInt64](repeating: 0, count: oldKeys.count * 2); values = [Int32](repeating: -1, count: oldKeys.count * 2)
            mask = keys.count - 1
            for j in 0..<oldKeys.count where oldValues[j] >= 0 { let s = find(oldKeys[j]); keys[s] = oldKeys[j]; values[s] = oldValues[j] }
        }
    }
}

/// Open addressing from fixed-width tuples of words to group ids, for one batch.
struct WordTupleTable {
    let width: Int
    private var keys: [UInt64] = []
    private var values: [Int32] = []
    private var slots: [Int32]

    init(width: Int) { self.width = width; slots = [Int32](repeating: -1, count: 256) }

    @inline(__always) func hash(_ t: [UInt64]) -> Int {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for x in t { h = (h ^ x) &* 0xBF58_476D_1CE4_E5B9; h ^= h >> 31 }
        return Int(truncatingIfNeeded: h)
    }

    /// The slot holding `t`, or the empty slot where it belongs.
    @inline(__always) func find(_ t: [UInt64]) -> (Int, Bool) {
        let mask = slots.count - 1
        var i = hash(t) & mask
        while true {
            let e = slots[i]
            if e < 0 { return (i, false) }
            var same = true
            let base = Int(e) * width
            for k in 0..<width where keys[base + k] != t[k] { same = false; break }
            if same { return (i, true) }
            i = (i &+ 1) & mask
        }
    }

    func value(_ slot: Int) -> Int32 { values[Int(slots[slot])] }

    mutating func insert(_ t: [UInt64], at slot: Int, value: Int32) {
        let e = Int32(values.count)
        keys.append(contentsOf: t); values.append(value)
        slots[slot] = e
        if values.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            let mask = slots.count - 1
            for j in 0..<values.count {
                let tt = Array(keys[(j * width)..<((j + 1) * width)])
                var i = hash(tt) & mask
                while slots[i] >= 0 { i = (i &+ 1) & mask }
                slots[i] = Int32(j)
            }
        }
    }
}
