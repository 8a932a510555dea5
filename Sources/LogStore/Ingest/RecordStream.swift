import Foundation

/// A window over a document that streams in (arrays, `{"records":[…]}`, query results, records one
/// after another), handing out one value at a time.
///
/// Why: a document can be far larger than memory, and one bad or huge record must not cost the
/// rest. The window holds at most about `limit` bytes of the value being read plus one read ahead,
/// so `--max-line-bytes` bounds memory in document modes as it does for lines: a value longer than
/// the limit is skipped (its brackets balanced as it streams past) and reported, never held.
/// Ranges handed out index `bytes` and are valid until the next call that reads on.
final class RecordStream {
    private(set) var bytes: [UInt8]
    /// Cursor into `bytes`.
    var pos: Int
    /// Stream offset of `bytes[0]`.
    private(set) var consumed = 0
    private(set) var eof: Bool
    let limit: Int
    private let fill: (inout [UInt8]) -> Bool   // appends; returns false at end of input
    /// Newlines are counted up to `counted`; `line` is the line there, `lineStart` that line's stream offset.
    private var counted = 0
    private var line: Int
    private var lineStart = 0

    init(bytes: [UInt8], pos: Int, firstLine: Int = 1, eof: Bool, limit: Int, fill: @escaping (inout [UInt8]) -> Bool) {
        self.bytes = bytes; self.pos = pos; self.eof = eof; self.limit = limit; self.fill = fill; self.line = firstLine
        // Lines before `pos` (a byte-order mark, leading white space) are counted once, here.
        _ = lineAt(pos)
    }

    /// The stream offset of `bytes[i]`.
    func offset(_ i: Int) -> Int { consumed + i }

    /// The line of `bytes[i]`; `i` never goes back past an earlier call's.
    func lineAt(_ i: Int) -> Int {
        if i > counted {
            bytes.withUnsafeBufferPointer { p in
                var k = counted
                while k < i, let q = memchr(p.baseAddress! + k, 0x0A, i - k) {
                    k = p.baseAddress!.distance(to: q.assumingMemoryBound(to: UInt8.self)) + 1
                    line += 1; lineStart = consumed + k
                }
            }
            counted = i
        }
        return line
    }

    /// The column (0-based) of `bytes[i]` in its line.
    func columnAt(_ i: Int) -> Int { _ = lineAt(i); return consumed + i - lineStart }

    /// Reads on; drops what is before `keep` first when that is most of the window. False at end of input.
    @discardableResult
    func more(keeping keep: Int) -> Bool {
        if eof { return false }
        if keep > 0 && keep >= bytes.count / 2 {
            _ = lineAt(keep)
            bytes.removeFirst(keep)
            consumed += keep; pos -= keep; counted -= keep
        }
        if !fill(&bytes) { eof = true; return false }
        return true
    }

    /// Skips white space, reading on as needed; returns the next byte, or nil at end of input.
    func peekSkippingWhitespace() -> UInt8? {
        while true {
            while pos < bytes.count {
                let c = bytes[pos]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos &+= 1 } else { return c }
            }
            if !more(keeping: pos) { return nil }
        }
    }

    enum Next {
        case value(Range<Int>, line: Int)
        /// Longer than `limit`: skipped.
        case tooLong(line: Int, offset: Int)
        /// `line` is where the value starts, `errorLine` where it went wrong.
        case malformed(line: Int, errorLine: Int, errorColumn: Int, offset: Int, message: String)
        case end
    }

    /// The next JSON value, validated, with the line it starts on.
    func next() -> Next {
        guard peekSkippingWhitespace() != nil else { return .end }
        var start = pos
        let line = lineAt(start)
        while true {
            let outcome: Result<Range<Int>, JSONScanner.Failure> = bytes.withUnsafeBufferPointer { p in
                var s = JSONScanner(p.baseAddress!, start: start, end: p.count)
                do { return .success(try s.skipValue()) } catch let f as JSONScanner.Failure { return .failure(f) } catch { fatalError("JSONScanner throws only Failure") }
            }
            switch outcome {
            case .success(let r):
                if r.count > limit { pos = r.upperBound; return .tooLong(line: line, offset: offset(start)) }
                pos = r.upperBound
                return .value(r, line: line)
            case .failure(let f):
                // Ran into the end of the window: read on, unless the value is already too long.
                if !eof && f.offset >= bytes.count - 16 {
                    if bytes.count - start > limit {
                        let at = offset(start)
                        pos = start
                        skipBalanced(resyncColumn: nil)
                        return .tooLong(line: line, offset: at)
                    }
                    pos = start
                    more(keeping: start)
                    start = pos
                    continue
                }
                pos = start
                let at = min(f.offset, bytes.count)
                let errorLine = line + bytes[start..<at].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                var lineBegin = at
                while lineBegin > start && bytes[lineBegin - 1] != 0x0A { lineBegin -= 1 }
                let errorColumn = lineBegin > start ? at - lineBegin + 1 : columnAt(start) + (at - start) + 1
                return .malformed(line: line, errorLine: errorLine, errorColumn: errorColumn, offset: offset(start), message: f.message)
            }
        }
    }

    /// Moves past the value starting at `pos` by bracket balance alone (strings honoured), holding
    /// none of it. With `resyncColumn`, also stops at the start of a line whose first character is
    /// `{` at that column (the next record of an indented document, after a record cut short).
    /// Returns whether it stopped at such a line start rather than after a balanced close.
    @discardableResult
    func skipBalanced(resyncColumn: Int?) -> Bool {
        var depth = 0
        var inString = false, escaped = false
        var atLineStart = false, column = 0
        var first = true
        while true {
            while pos < bytes.count {
                let c = bytes[pos]
                if atLineStart {
                    if c == 0x20 || c == 0x09 { column += 1; pos &+= 1; continue }
                    atLineStart = false
                    if c == 0x7B, let rc = resyncColumn, column == rc { return true }
                }
                pos &+= 1
                if c == 0x0A {
                    // JSON strings never span lines: a raw line break ends a string cut short.
                    inString = false; escaped = false
                    atLineStart = true; column = 0
                    continue
                }
                if inString {
                    if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 {
                        inString = false
                        if depth == 0 { return false }
                    }
                    continue
                }
                switch c {
                case 0x22: inString = true
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth <= 0 { return false }
                default:
                    // A scalar at depth 0 (a bare word or number): it ends at a delimiter.
                    if depth == 0 && first {
                        while pos < bytes.count, !",]}\n \t\r".utf8.contains(bytes[pos]) { pos &+= 1 }
                        if pos < bytes.count { return false }
                    }
                }
                first = false
            }
            // Nothing before `pos` is needed again.
            if !more(keeping: pos) { return false }
        }
    }

    /// After a malformed value at `pos` starting at column `column`: moves to where the next value
    /// may start. True when it stopped at the start of a new record (no separator to expect).
    func recover(column: Int) -> Bool {
        skipBalanced(resyncColumn: column)
    }

    /// Calls `body` with the window (ranges from `next` index it).
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer(body)
    }

    /// Up to `n` bytes of the window from `i`, for a reject's text.
    func sample(_ i: Int, _ n: Int = 200) -> [UInt8] { Array(bytes[min(i, bytes.count)..<min(bytes.count, i + n)]) }
}
