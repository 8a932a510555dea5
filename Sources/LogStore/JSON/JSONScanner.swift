import Foundation

/// A byte-level JSON scanner over a contiguous buffer.
///
/// Why hand-written: ingest is bound by JSON parsing, and Foundation's `JSONSerialization`
/// (~64 MB/s here) and `JSONDecoder` (~109 MB/s) build objects per value. This scanner never
/// allocates per value: strings are decoded straight into the caller's column buffer, numbers
/// are parsed in place, and nested values are skipped and kept as their raw bytes.
public struct JSONScanner {
    public let base: UnsafePointer<UInt8>
    public var pos: Int
    public let end: Int

    public init(_ base: UnsafePointer<UInt8>, start: Int = 0, end: Int) {
        self.base = base; self.pos = start; self.end = end
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public let offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    @inline(__always) func fail(_ m: String) -> Failure { Failure(message: m, offset: pos) }

    @inline(__always) public var atEnd: Bool { pos >= end }
    @inline(__always) public func peek() -> UInt8 { pos < end ? base[pos] : 0 }

    @inline(__always) public mutating func skipWhitespace() {
        while pos < end {
            let c = base[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos &+= 1 } else { return }
        }
    }

    @inline(__always) public mutating func expect(_ c: UInt8, _ what: String) throws {
        skipWhitespace()
        guard pos < end, base[pos] == c else {
            throw fail(pos < end ? "expected \(what), found '\(Character(Unicode.Scalar(base[pos])))'" : "expected \(what), found end of input")
        }
        pos &+= 1
    }

    /// Decodes a JSON string (cursor on the opening quote) and appends its UTF-8 bytes to `out`.
    /// Invalid UTF-8 and bad escapes are errors. Returns whether the string was pure ASCII.
    @discardableResult
    public mutating func readString(into out: inout [UInt8]) throws -> Bool {
        guard pos < end, base[pos] == 0x22 else { throw fail("expected a string") }
        pos &+= 1
        var ascii = true
        while true {
            // Copy a run of plain bytes at once.
            let runStart = pos
            while pos < end {
                let c = base[pos]
                if c == 0x22 || c == 0x5C || c < 0x20 || c >= 0x80 { break }
                pos &+= 1
            }
            if pos > runStart { out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: pos - runStart)) }
            guard pos < end else { throw fail("unterminated string") }
            let c = base[pos]
            if c == 0x22 { pos &+= 1; return ascii }
            if c == 0x5C {
                pos &+= 1
                guard pos < end else { throw fail("unterminated escape") }
                let e = base[pos]; pos &+= 1
                switch e {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x2F: out.append(0x2F)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    var scalar = try readHex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        guard pos + 1 < end, base[pos] == 0x5C, base[pos + 1] == 0x75 else { throw fail("unpaired surrogate in \\u escape") }
                        pos &+= 2
                        let low = try readHex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw fail("invalid low surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        throw fail("unpaired surrogate in \\u escape")
                    }
                    if scalar >= 0x80 { ascii = false }
                    appendUTF8(scalar, to: &out)
                default:
                    pos -= 1
                    throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
                }
            } else if c < 0x20 {
                throw fail("control character in string")
            } else {
                ascii = false
                let n = try validateUTF8Sequence()
                out.append(contentsOf: UnsafeBufferPointer(start: base + pos, count: n))
                pos &+= n
            }
        }
    }

    /// Length of the valid UTF-8 sequence starting at `pos` (a byte >= 0x80), or an error.
    @inline(__always) mutating func validateUTF8Sequence() throws -> Int {
        let b0 = base[pos]
        let need: Int
        var minScalar: UInt32
        if b0 & 0xE0 == 0xC0 { need = 2; minScalar = 0x80 }
        else if b0 & 0xF0 == 0xE0 { need = 3; minScalar = 0x800 }
        else if b0 & 0xF8 == 0xF0 { need = 4; minScalar = 0x10000 }
        else { throw fail("invalid UTF-8 byte 0x\(String(b0, radix: 16))") }
        guard pos + need <= end else { throw fail("truncated UTF-8 sequence") }
        var scalar = UInt32(b0) & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07)
        for k in 1..<need {
            let b = base[pos + k]
            guard b & 0xC0 == 0x80 else { throw fail("invalid UTF-8 sequence") }
            scalar = (scalar << 6) | UInt32(b & 0x3F)
        }
        guard scalar >= minScalar, scalar <= 0x10FFFF, !(scalar >= 0xD800 && scalar < 0xE000) else { throw fail("invalid UTF-8 sequence") }
        minScalar = 0
        return need
    }

    @inline(__always) mutating func readHex4() throws -> UInt32 {
        guard pos + 4 <= end else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = base[pos]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            pos &+= 1
        }
        return v
    }

    public enum Number { case integer(Int64), real(Double) }

    /// Parses a JSON number in place. Integers that overflow Int64 become reals.
    public mutating func readNumber() throws -> Number {
        let start = pos
        var neg = false
        if pos < end && base[pos] == 0x2D { neg = true; pos &+= 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var overflow = false
        while pos < end, base[pos] &- 0x30 < 10 {
            let d = UInt64(base[pos] &- 0x30)
            let (m1, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(d)
            if o1 || o2 { overflow = true } else { mantissa = m2 }
            digits &+= 1; pos &+= 1
        }
        guard digits > 0 else { pos = start; throw fail("invalid number") }
        var isReal = false
        if pos < end && base[pos] == 0x2E {
            isReal = true; pos &+= 1
            var fd = 0
            while pos < end, base[pos] &- 0x30 < 10 { pos &+= 1; fd &+= 1 }
            guard fd > 0 else { throw fail("invalid number") }
        }
        if pos < end && (base[pos] == 0x65 || base[pos] == 0x45) {
            isReal = true; pos &+= 1
            if pos < end && (base[pos] == 0x2B || base[pos] == 0x2D) { pos &+= 1 }
            var ed = 0
            while pos < end, base[pos] &- 0x30 < 10 { pos &+= 1; ed &+= 1 }
            guard ed > 0 else { throw fail("invalid number") }
        }
        if !isReal && !overflow {
            if neg {
                if mantissa <= UInt64(Int64.max) { return .integer(-Int64(mantissa)) }
                if mantissa == UInt64(Int64.max) + 1 { return .integer(Int64.min) }
            } else if mantissa <= UInt64(Int64.max) {
                return .integer(Int64(mantissa))
            }
        }
        return .real(JSONScanner.parseDouble(base + start, count: pos - start))
    }

    static func parseDouble(_ p: UnsafePointer<UInt8>, count: Int) -> Double {
        // strtod needs a terminated buffer; numbers are short, so copy to the stack.
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buf in
            for i in 0..<count { buf[i] = CChar(bitPattern: p[i]) }
            buf[count] = 0
            return strtod(buf.baseAddress!, nil)
        }
    }

    @inline(__always) mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard pos + n <= end, memcmp(base + pos, word.utf8Start, n) == 0 else { throw fail("invalid literal") }
        pos &+= n
    }

    /// Skips one value of any kind, validating its syntax; returns the byte range it spanned.
    @discardableResult
    public mutating func skipValue(depth: Int = 0) throws -> Range<Int> {
        skipWhitespace()
        guard pos < end else { throw fail("expected a value, found end of input") }
        guard depth < 512 else { throw fail("nesting deeper than 512 levels") }
        let start = pos
        switch base[pos] {
        case 0x22: try skipString()
        case 0x7B:
            pos &+= 1; skipWhitespace()
            if peek() == 0x7D { pos &+= 1; break }
            while true {
                skipWhitespace()
                guard peek() == 0x22 else { throw fail("expected a key string") }
                try skipString()
                try expect(0x3A, "':'")
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if peek() == 0x2C { pos &+= 1; continue }
                if peek() == 0x7D { pos &+= 1; break }
                throw fail("expected ',' or '}' in object")
            }
        case 0x5B:
            pos &+= 1; skipWhitespace()
            if peek() == 0x5D { pos &+= 1; break }
            while true {
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if peek() == 0x2C { pos &+= 1; continue }
                if peek() == 0x5D { pos &+= 1; break }
                throw fail("expected ',' or ']' in array")
            }
        case 0x74: try literal("true")
        case 0x66: try literal("false")
        case 0x6E: try literal("null")
        case 0x2D, 0x30...0x39: _ = try readNumber()
        default: throw fail("unexpected character '\(Character(Unicode.Scalar(base[pos])))'")
        }
        return start..<pos
    }

    /// Skips a string, validating escapes and UTF-8 without copying.
    public mutating func skipString() throws {
        pos &+= 1
        while pos < end {
            let c = base[pos]
            if c == 0x22 { pos &+= 1; return }
            if c == 0x5C {
                pos &+= 1
                guard pos < end else { break }
                let e = base[pos]
                if e == 0x75 { pos &+= 1; _ = try readHex4(); continue }
                guard e == 0x22 || e == 0x5C || e == 0x2F || e == 0x62 || e == 0x66 || e == 0x6E || e == 0x72 || e == 0x74 else {
                    pos -= 1; throw fail("invalid escape")
                }
                pos &+= 1
            } else if c < 0x20 {
                throw fail("control character in string")
            } else if c >= 0x80 {
                pos &+= try validateUTF8Sequence()
            } else {
                pos &+= 1
            }
        }
        throw fail("unterminated string")
    }
}

@inline(__always)
func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
    if scalar < 0x80 { out.append(UInt8(scalar)) }
    else if scalar < 0x800 { out.append(UInt8(0xC0 | (scalar >> 6))); out.append(UInt8(0x80 | (scalar & 0x3F))) }
    else if scalar < 0x10000 {
        out.append(UInt8(0xE0 | (scalar >> 12))); out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F))); out.append(UInt8(0x80 | (scalar & 0x3F)))
    } else {
        out.append(UInt8(0xF0 | (scalar >> 18))); out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F))); out.append(UInt8(0x80 | (scalar & 0x3F)))
    }
}

/// Appends `s` as a JSON string literal (quoted, escaped).
public func appendJSONString<C: Collection>(_ s: C, to out: inout [UInt8]) where C.Element == UInt8 {
    out.append(0x22)
    for c in s {
        switch c {
        case 0x22: out.append(0x5C); out.append(0x22)
        case 0x5C: out.append(0x5C); out.append(0x5C)
        case 0x0A: out.append(0x5C); out.append(0x6E)
        case 0x0D: out.append(0x5C); out.append(0x72)
        case 0x09: out.append(0x5C); out.append(0x74)
        case 0..<0x20:
            out.append(contentsOf: Array("\\u00".utf8))
            let hex = Array("0123456789abcdef".utf8)
            out.append(hex[Int(c >> 4)]); out.append(hex[Int(c & 15)])
        default: out.append(c)
        }
    }
    out.append(0x22)
}

/// Shortest round-trip text of a double, as JSON allows (no NaN/Infinity: those become null).
public func appendJSONNumber(_ d: Double, to out: inout [UInt8]) {
    if d.isNaN || d.isInfinite { out.append(contentsOf: Array("null".utf8)); return }
    if d == d.rounded(), abs(d) < 1e15, let i = Checked.int64(truncating: d) {
        out.append(contentsOf: String(i).utf8)
        return
    }
    out.append(contentsOf: "\(d)".utf8)
}
