/// A range of the query text, in UTF-8 byte offsets.
public struct SourceRange: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) { self.start = start; self.end = max(start, end) }
    public static func + (a: SourceRange, b: SourceRange) -> SourceRange { SourceRange(min(a.start, b.start), max(a.end, b.end)) }
}

/// Query errors are values: a stable code, a message, where, and optional notes.
/// Codes: LQ1xxx syntax, LQ2xxx names and types, LQ3xxx runtime.
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var range: SourceRange
    public var notes: [String]
    public init(_ code: String, _ message: String, _ range: SourceRange, notes: [String] = []) {
        self.code = code; self.message = message; self.range = range; self.notes = notes
    }
    public var description: String { "\(code): \(message)" }
}

/// Every message text, in one place, with its code.
enum Msg {
    static func unexpectedToken(_ found: String, expected: String) -> (String, String) { ("LQ1001", "expected \(expected), found \(found)") }
    static func unterminatedString() -> (String, String) { ("LQ1002", "unterminated string literal") }
    static func badCharacter(_ c: String) -> (String, String) { ("LQ1003", "unexpected character '\(c)'") }
    static func badLiteral(_ what: String, _ text: String) -> (String, String) { ("LQ1004", "invalid \(what) literal '\(text)'") }
    static func unknownOperator(_ name: String) -> (String, String) { ("LQ1005", "unknown tabular operator '\(name)'") }
    static func unsupportedOperator(_ name: String) -> (String, String) { ("LQ1006", "the '\(name)' operator is not supported by logq yet") }
    static func unknownTable(_ name: String) -> (String, String) { ("LQ2001", "unknown table or tabular expression '\(name)'") }
    static func unknownColumn(_ name: String) -> (String, String) { ("LQ2002", "unknown column '\(name)'") }
    static func unknownFunction(_ name: String) -> (String, String) { ("LQ2003", "unknown function '\(name)'") }
    static func argumentCount(_ name: String, _ expected: String, _ got: Int) -> (String, String) {
        ("LQ2004", "function '\(name)' expects \(expected) argument\(expected == "1" ? "" : "s"), got \(got)")
    }
    static func argumentType(_ name: String, _ detail: String) -> (String, String) { ("LQ2005", "function '\(name)': \(detail)") }
    static func makeSeriesStep(_ axis: String, _ expected: String, _ found: String) -> (String, String) {
        ("LQ2015", "the step of make-series on a \(axis) axis must be a \(expected), found \(found)")
    }
    static func invalidRegex(_ detail: String) -> (String, String) { ("LQ2014", "invalid regular expression (RE2 syntax): \(detail)") }
    static func operandTypes(_ op: String, _ a: String, _ b: String) -> (String, String) { ("LQ2006", "operator '\(op)' cannot be applied to \(a) and \(b)") }
    static func notBoolean(_ what: String, _ t: String) -> (String, String) { ("LQ2007", "\(what) must be a bool expression, found \(t)") }
    static func aggregateOutside(_ name: String) -> (String, String) { ("LQ2008", "aggregate function '\(name)' can only be used in summarize (or make-series)") }
    static func notAggregate(_ name: String) -> (String, String) { ("LQ2009", "summarize needs aggregate functions; '\(name)' is not one") }
    static func duplicateColumn(_ name: String) -> (String, String) { ("LQ2010", "column '\(name)' is defined more than once") }
    static func constantRequired(_ what: String) -> (String, String) { ("LQ2011", "\(what) must be a constant") }
    static func missingParameter(_ name: String) -> (String, String) { ("LQ2012", "query parameter '\(name)' has no value and no default") }
    static func notSerialized(_ name: String) -> (String, String) { ("LQ2013", "function '\(name)' cannot be used here: the row set must be serialized (use 'serialize', 'order by' or 'top' first)") }
    static func budget(_ what: String) -> (String, String) { ("LQ3001", what) }
    static func runtime(_ what: String) -> (String, String) { ("LQ3002", what) }
    static func storage(_ what: String) -> (String, String) { ("LQ3003", what) }
}

extension Diagnostic {
    init(_ m: (String, String), _ range: SourceRange, notes: [String] = []) { self.init(m.0, m.1, range, notes: notes) }
}

/// The query text with line starts, to turn byte offsets into line:column and render carets.
public struct SourceText: Sendable {
    public let text: String
    public let bytes: [UInt8]
    let lineStarts: [Int]

    public init(_ text: String) {
        self.text = text
        bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        lineStarts = starts
    }

    /// 1-based line and column (in characters) of a byte offset.
    public func location(_ offset: Int) -> (line: Int, column: Int) {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi { let mid = (lo + hi + 1) / 2; if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 } }
        let start = lineStarts[lo]
        let col = String(decoding: bytes[start..<min(offset, bytes.count)], as: UTF8.self).count + 1
        return (lo + 1, col)
    }

    public func line(_ n: Int) -> String {
        let s = lineStarts[n - 1]
        var e = n < lineStarts.count ? lineStarts[n] - 1 : bytes.count
        if e > s && bytes[e - 1] == 0x0D { e -= 1 }
        return String(decoding: bytes[s..<max(s, e)], as: UTF8.self)
    }

    /// `name:line:col: error LQ2002: message`, the source line, and a caret under the range.
    public func render(_ d: Diagnostic, name: String = "<query>") -> String {
        let (l, c) = location(d.range.start)
        let lineText = line(l)
        let endLoc = location(d.range.end)
        let width = endLoc.line == l ? max(1, endLoc.column - c) : max(1, lineText.count - c + 1)
        var out = "\(name):\(l):\(c): error \(d.code): \(d.message)\n"
        out += "  \(lineText)\n"
        out += "  " + String(repeating: " ", count: c - 1) + "^" + String(repeating: "~", count: max(0, width - 1)) + "\n"
        for n in d.notes { out += "  note: \(n)\n" }
        return out
    }
}

/// Damerau–Levenshtein-ish distance for "did you mean".
func suggestion(for name: String, among candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
    let lower = Array(name.lowercased())
    var best: (String, Int)? = nil
    for c in candidates {
        let d = distance(lower, Array(c.lowercased()))
        if d <= max(1, name.count / 3), best == nil || d < best!.1 { best = (c, d) }
    }
    return best?.0
}
