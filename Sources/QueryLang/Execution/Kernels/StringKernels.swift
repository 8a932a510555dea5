import Foundation
import LogStore

// Typed string functions over a column's bytes and offsets: no String per row unless a row holds
// non-ASCII text that needs Unicode rules (character counts, case mapping). Over a dictionary
// column with fewer distinct values than rows, the function runs once per distinct value
// (DuckDB's unary executor does the same) and the rows gather its result by code.
extension Kernels {
    /// A string column whose rows are text (a dynamic column's rows are JSON and go row by row).
    static func isText(_ c: Column) -> Bool {
        if case .bytes = c.storage { return c.type != .dynamic }
        return false
    }

    /// Worth computing once per distinct value: the codes say which rows are equal.
    static func dictionaryCodes(_ c: Column, _ n: Int) -> [Int32]? {
        guard c.validity == nil, let codes = c.dictionaryCodes, c.dictionarySize > 0, c.dictionarySize < n else { return nil }
        return codes
    }

    /// Calls `f` with each row's bytes (empty for a null row, as `Value.asString` reads it) and
    /// `emit` with the row and the result; over a dictionary, `f` once per distinct value.
    @inline(__always)
    static func forEachString<T>(_ c: Column, _ n: Int, _ f: (UnsafeBufferPointer<UInt8>) -> T, _ emit: (Int, T) -> Void) {
        let s = c.byteStrings
        s.bytes.withUnsafeBufferPointer { b in s.offsets.withUnsafeBufferPointer { o in
            @inline(__always) func bytes(_ k: Int) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: b[o[k]..<o[k + 1]])
            }
            if let codes = dictionaryCodes(c, n) {
                var done = [UInt8](repeating: 0, count: c.dictionarySize)
                var memo = [T?](repeating: nil, count: c.dictionarySize)
                for i in 0..<n {
                    let code = Int(truncatingIfNeeded: codes[i])
                    if done[code] == 0 { memo[code] = f(bytes(c.row(i))); done[code] = 1 }
                    emit(i, memo[code]!)
                }
                return
            }
            let valid = c.validity
            let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
            for i in 0..<n {
                if let v = valid, v[i] == 0 { emit(i, f(empty)); continue }
                emit(i, f(bytes(c.row(i))))
            }
        } }
    }

    /// A string column of `f` applied to each row's bytes and row number (`f` appends its
    /// result). With `memoize` (the result depends on the bytes alone) and a dictionary, `f` runs
    /// once per distinct value and the rows copy its result.
    static func mapStrings(_ c: Column, _ n: Int, memoize: Bool = true, _ f: (UnsafeBufferPointer<UInt8>, inout [UInt8], Int) -> Void) -> Column {
        var out = ByteStrings()
        let s = c.byteStrings
        out.reserve(rows: n, bytes: s.bytes.count)
        if memoize, let codes = dictionaryCodes(c, n) {
            // Each distinct value's result once, in `memo`; `at[code]` is its index there.
            var memo = ByteStrings()
            var at = [Int32](repeating: -1, count: c.dictionarySize)
            var scratch: [UInt8] = []
            s.bytes.withUnsafeBufferPointer { b in
                for i in 0..<n {
                    let code = Int(truncatingIfNeeded: codes[i])
                    if at[code] < 0 {
                        scratch.removeAll(keepingCapacity: true)
                        f(UnsafeBufferPointer(rebasing: b[s.range(c.row(i))]), &scratch, i)
                        at[code] = Int32(memo.count) // checked: at most one memo entry per dictionary code, and codes are Int32
                        memo.append(scratch)
                    }
                    out.bytes.append(contentsOf: memo.bytes[memo.range(Int(truncatingIfNeeded: at[code]))])
                    out.offsets.append(out.bytes.count)
                }
            }
            // Equal codes still mean equal bytes, so a group-by on the result keys by code. (Two
            // codes may now share a value, "A" and "a" lowered; the group table looks a code's
            // group up by its bytes, so they meet in one group.)
            var c2 = Column.strings(out)
            c2.dictionaryCodes = codes; c2.dictionarySize = c.dictionarySize
            return c2
        }
        let valid = c.validity
        s.bytes.withUnsafeBufferPointer { b in
            for i in 0..<n {
                if let v = valid, v[i] == 0 { f(UnsafeBufferPointer(start: nil, count: 0), &out.bytes, i) }
                else { f(UnsafeBufferPointer(rebasing: b[s.range(c.row(i))]), &out.bytes, i) }
                out.offsets.append(out.bytes.count)
            }
        }
        return .strings(out)
    }

    @inline(__always) static func isASCII(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var high: UInt8 = 0
        for x in p { high |= x }
        return high < 0x80
    }

    /// Swift's (and Kusto's) character count: a grapheme cluster is one character. In ASCII text
    /// every byte is one, except that "\r\n" is a single character.
    @inline(__always) static func characterCount(_ p: UnsafeBufferPointer<UInt8>) -> Int64 {
        var high: UInt8 = 0, crlf = 0
        var prev: UInt8 = 0
        for x in p {
            high |= x
            if x == 0x0A && prev == 0x0D { crlf &+= 1 }
            prev = x
        }
        if high < 0x80 { return Int64(p.count &- crlf) } // checked: a byte count
        return Int64(String(decoding: p, as: UTF8.self).count) // checked: a character count
    }

    static func strlen(_ a: [Operand], _ n: Int) throws -> Column {
        let c = a[0].column
        guard !a[0].isConstant, isText(c) else { return try rowwise(.long, Rowwise.strlen, a, n) }
        var out = [Int64](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { o in
            forEachString(c, n, characterCount) { i, len in o[i] = len }
        }
        return .ints(.long, out)
    }

    static func tolower(_ a: [Operand], _ n: Int) throws -> Column {
        let c = a[0].column
        guard !a[0].isConstant, isText(c) else { return try rowwise(.string, Rowwise.tolower, a, n) }
        return mapStrings(c, n) { p, out, _ in
            if isASCII(p) { for x in p { out.append(x &- 0x41 < 26 ? x | 0x20 : x) } }
            else { out.append(contentsOf: String(decoding: p, as: UTF8.self).lowercased().utf8) }
        }
    }

    static func toupper(_ a: [Operand], _ n: Int) throws -> Column {
        let c = a[0].column
        guard !a[0].isConstant, isText(c) else { return try rowwise(.string, Rowwise.toupper, a, n) }
        return mapStrings(c, n) { p, out, _ in
            if isASCII(p) { for x in p { out.append(x &- 0x61 < 26 ? x & 0xDF : x) } }
            else { out.append(contentsOf: String(decoding: p, as: UTF8.self).uppercased().utf8) }
        }
    }

    /// substring(s, start [, length]) in characters; an ASCII row without "\r" slices its bytes.
    static func substring(_ a: [Operand], _ n: Int) throws -> Column {
        let c = a[0].column
        guard !a[0].isConstant, isText(c), a.dropFirst().allSatisfy({ isIntLike($0.column) }) else {
            return try rowwise(.string, Rowwise.substring, a, n)
        }
        let starts = a[1].column, ss = a[1].step
        let lens = a.count > 2 ? a[2].column : nil, ls = a.count > 2 ? a[2].step : 0
        @inline(__always) func slice(_ p: UnsafeBufferPointer<UInt8>, _ out: inout [UInt8], _ i: Int) {
            // The same arithmetic as the row-wise definition, on the row's characters.
            guard starts.validity.map({ $0[i &* ss] != 0 }) ?? true else { return }
            var start = starts.int64Values[i &* ss]
            if start < 0 { start = 0 }
            let simple = isASCII(p) && !p.contains(0x0D)
            let chars: [Character] = simple ? [] : Array(String(decoding: p, as: UTF8.self))
            let count = Int64(simple ? p.count : chars.count) // checked: a count
            var len = count
            if let l = lens, l.validity.map({ $0[i &* ls] != 0 }) ?? true { len = l.int64Values[i &* ls] }
            guard start < count, len > 0 else { return }
            let end = len >= count - start ? count : start + len // checked: 0 <= start < count; start + len could pass Int64.max
            if simple { out.append(contentsOf: UnsafeBufferPointer(rebasing: p[Int(start)..<Int(end)])) } // checked: 0 <= start < end <= count
            else { out.append(contentsOf: String(chars[Int(start)..<Int(end)]).utf8) } // checked: 0 <= start < end <= count
        }
        return mapStrings(c, n, memoize: a.dropFirst().allSatisfy(\.isConstant)) { p, out, i in slice(p, &out, i) }
    }

    /// int64 storage that `Value.asInt` reads as the stored number (every int64-backed type).
    static func isIntLike(_ c: Column) -> Bool {
        if case .int64 = c.storage { return true }
        return false
    }

    /// strcat: every argument as text, concatenated; a constant's text is computed once.
    static func strcat(_ a: [Operand], _ n: Int) throws -> Column {
        let parts = a.map { $0.column.type == .string ? $0.column : $0.column.converted(to: .string) }
        let steps = a.map(\.step)
        var total = 0
        for (p, st) in Swift.zip(parts, steps) { total &+= st == 0 ? p.byteStrings.length(0) &* n : p.byteStrings.bytes.count }
        // A constant repeated over every row (or nested calls) multiplies sizes: refused by the
        // query's memory budget before it is built.
        if total >= Budget.smallAllocation, let b = Budget.current { try b.reserve(total, "strcat's result") }
        var out = ByteStrings()
        out.reserve(rows: n, bytes: total)
        let strings = parts.map(\.byteStrings)
        for i in 0..<n {
            for k in 0..<strings.count {
                let s = strings[k]
                out.bytes.append(contentsOf: s.bytes[s.range(parts[k].row(i &* steps[k]))])
            }
            out.offsets.append(out.bytes.count)
        }
        return .strings(out)
    }

    /// isempty / isnotempty: a string is empty when it has no bytes, anything else when it is null.
    static func isEmpty(_ a: [Operand], _ n: Int, negate: Bool) -> Column {
        let c = a[0].column, st = a[0].step
        let yes: Int64 = negate ? 0 : 1, no: Int64 = negate ? 1 : 0
        var out = [Int64](repeating: 0, count: n)
        if case .bytes(let s) = c.storage {
            s.offsets.withUnsafeBufferPointer { o in
                for i in 0..<n { let k = i &* st; out[i] = o[k + 1] == o[k] ? yes : no }
            }
        } else {
            for i in 0..<n { out[i] = c.isNull(i &* st) ? yes : no }
        }
        return .ints(.bool, out)
    }

    /// isnull / isnotnull: validity, and for dynamic an empty JSON text.
    static func isNull(_ a: [Operand], _ n: Int, negate: Bool) -> Column {
        let c = a[0].column, st = a[0].step
        let yes: Int64 = negate ? 0 : 1, no: Int64 = negate ? 1 : 0
        var out = [Int64](repeating: no, count: n)
        if let v = c.validity {
            for i in 0..<n where v[i &* st] == 0 { out[i] = yes }
        } else if c.type == .dynamic, case .bytes(let s) = c.storage {
            for i in 0..<n where s.length(c.row(i &* st)) == 0 { out[i] = yes }
        }
        return .ints(.bool, out)
    }
}
