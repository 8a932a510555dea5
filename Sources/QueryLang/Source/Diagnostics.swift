/// A range of the query text, in UTF-8 byte offsets.
public struct SourceRange: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) { self.start = start; self.end = max(start, end) }
    public static func + (a: SourceRange, b: SourceRange) -> SourceRange { SourceRange(min(a.start, b.start), max(a.end, b.end)) }
}

/// Where in a query's life a diagnostic arises; callers act on it (the CLI picks its exit code
/// from it) instead of parsing the code's text.
public enum DiagnosticPhase: Sendable {
    /// Lexing and parsing (LQ1xxx).
    case syntax
    /// Names, types and constants, found while binding (LQ2xxx).
    case semantic
    /// While running: budgets, limits and runtime failures (LQ3001, LQ3002, LQ3004).
    case runtime
    /// The store could not be read (LQ3003).
    case storage
    /// A broken invariant of logq itself, never the query's fault (LQ9xxx).
    case `internal`
}

/// A diagnostic's stable code. The raw value is the text users see and search for (`LQ2002`);
/// it never changes once released, so a new kind of error gets a new case.
public enum DiagnosticCode: String, Sendable, CaseIterable, CustomStringConvertible {
    case unexpectedToken = "LQ1001"
    case unterminatedString = "LQ1002"
    case badCharacter = "LQ1003"
    case badLiteral = "LQ1004"
    case unknownOperator = "LQ1005"
    case unsupportedOperator = "LQ1006"
    case literalOutOfRange = "LQ1007"
    case nestingTooDeep = "LQ1008"
    /// A `hint.NAME=` that the operator does not take.
    case unknownHint = "LQ1010"
    case unknownTable = "LQ2001"
    case unknownColumn = "LQ2002"
    case unknownFunction = "LQ2003"
    case argumentCount = "LQ2004"
    case argumentType = "LQ2005"
    case operandTypes = "LQ2006"
    case notBoolean = "LQ2007"
    case aggregateOutside = "LQ2008"
    case notAggregate = "LQ2009"
    case duplicateColumn = "LQ2010"
    case constantRequired = "LQ2011"
    case missingParameter = "LQ2012"
    case notSerialized = "LQ2013"
    case invalidRegex = "LQ2014"
    case makeSeriesStep = "LQ2015"
    case recursiveDefinition = "LQ2016"
    /// A constant argument is of the right type but outside the values it may take (a zero step, a percentile above 100).
    case valueOutOfRange = "LQ2017"
    /// A query parameter's supplied value does not parse as the parameter's declared type.
    case invalidParameterValue = "LQ2018"
    /// A tabular argument does not fit its parameter (not a table, or lacking a declared column or its type).
    case tabularArgument = "LQ2019"
    /// A datatable's values do not fill whole rows of its columns.
    case datatableShape = "LQ2020"
    /// A datatable value does not fit its column's type.
    case datatableValue = "LQ2021"
    /// A join condition is neither a column name nor `$left.a == $right.b`.
    case joinCondition = "LQ2022"
    /// The two sides of a join key have different types.
    case joinKeyTypes = "LQ2023"
    /// A property or index access (`x.k`, `x[0]`) or mv-expand applied to a value that is not dynamic.
    case notDynamic = "LQ2024"
    /// make-series's `on` axis is not a datetime, timespan or number.
    case makeSeriesAxis = "LQ2025"
    /// A make-series aggregate does not produce a number.
    case makeSeriesAggregate = "LQ2026"
    /// A KQL feature logq recognizes but does not implement, found while binding.
    case unsupportedFeature = "LQ2027"
    /// A name argument is not one of those accepted (a join kind, a datetime part, a type name).
    case unknownKeyword = "LQ2028"
    /// `(a, b) = f(…)` names a different number of columns than the aggregate produces.
    case tupleArity = "LQ2040"
    case budgetExceeded = "LQ3001"
    case runtime = "LQ3002"
    case storage = "LQ3003"
    /// make-series would make more than 2^20 bins (a fixed limit, not a budget one can raise).
    case tooManyBins = "LQ3004"
    case internalError = "LQ9001"

    public var description: String { rawValue }

    public var phase: DiagnosticPhase {
        switch self {
        case .unexpectedToken, .unterminatedString, .badCharacter, .badLiteral, .unknownOperator, .unsupportedOperator,
             .literalOutOfRange, .nestingTooDeep, .unknownHint:
            return .syntax
        case .unknownTable, .unknownColumn, .unknownFunction, .argumentCount, .argumentType, .operandTypes, .notBoolean,
             .aggregateOutside, .notAggregate, .duplicateColumn, .constantRequired, .missingParameter, .notSerialized,
             .invalidRegex, .makeSeriesStep, .recursiveDefinition, .valueOutOfRange, .invalidParameterValue, .tabularArgument,
             .datatableShape, .datatableValue, .joinCondition, .joinKeyTypes, .notDynamic, .makeSeriesAxis, .makeSeriesAggregate,
             .unsupportedFeature, .unknownKeyword, .tupleArity:
            return .semantic
        case .budgetExceeded, .runtime, .tooManyBins:
            return .runtime
        case .storage:
            return .storage
        case .internalError:
            return .internal
        }
    }
}

/// Query errors are values: a stable code, a message, where, and optional notes.
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
    public var code: DiagnosticCode
    public var message: String
    public var range: SourceRange
    public var notes: [String]
    public init(_ code: DiagnosticCode, _ message: String, _ range: SourceRange, notes: [String] = []) {
        self.code = code; self.message = message; self.range = range; self.notes = notes
    }
    public var phase: DiagnosticPhase { code.phase }
    public var description: String { "\(code): \(message)" }
}

/// Every message text, in one place, with its code.
enum Msg {
    static func unexpectedToken(_ found: String, expected: String) -> (DiagnosticCode, String) { (.unexpectedToken, "expected \(expected), found \(found)") }
    static func unterminatedString() -> (DiagnosticCode, String) { (.unterminatedString, "unterminated string literal") }
    static func badCharacter(_ c: String) -> (DiagnosticCode, String) { (.badCharacter, "unexpected character '\(c)'") }
    static func badLiteral(_ what: String, _ text: String) -> (DiagnosticCode, String) { (.badLiteral, "invalid \(what) literal '\(text)'") }
    static func literalOutOfRange(_ what: String, _ text: String) -> (DiagnosticCode, String) {
        (.literalOutOfRange, "\(what) literal '\(text)' is out of range")
    }
    static func unknownHint(_ hint: String, _ op: String, known: [String]) -> (DiagnosticCode, String) {
        (.unknownHint, known.isEmpty ? "'\(op)' takes no hints, found '\(hint)'"
            : "unknown hint '\(hint)' for '\(op)' (it takes \(known.map { "hint.\($0)" }.joined(separator: ", ")))")
    }
    static func tupleArity(_ fn: String, names: Int, columns: Int) -> (DiagnosticCode, String) {
        (.tupleArity, "\(names) name(s) for \(columns) column(s) of \(fn): give one name per column")
    }
    static func nestingTooDeep(_ limit: Int) -> (DiagnosticCode, String) {
        (.nestingTooDeep, "query nests too deeply: more than \(limit) levels")
    }
    static func recursiveDefinition(_ name: String) -> (DiagnosticCode, String) {
        (.recursiveDefinition, "'\(name)' refers to itself: recursive let definitions are not supported")
    }
    static func unknownOperator(_ name: String) -> (DiagnosticCode, String) { (.unknownOperator, "unknown tabular operator '\(name)'") }
    static func unsupportedControlCommand(_ words: String, _ known: String) -> (DiagnosticCode, String) {
        (.unsupportedOperator, "the control command '\(words)' is not supported by logq (it answers \(known); the CLI's commands ingest, drop and compact)")
    }
    static func controlCommandSyntax(_ form: String) -> (DiagnosticCode, String) { (.unexpectedToken, "expected '\(form)'") }
    static func unsupportedOperator(_ name: String) -> (DiagnosticCode, String) { (.unsupportedOperator, "the '\(name)' operator is not supported by logq yet") }
    static func unknownTable(_ name: String) -> (DiagnosticCode, String) { (.unknownTable, "unknown table or tabular expression '\(name)'") }
    static func unknownColumn(_ name: String) -> (DiagnosticCode, String) { (.unknownColumn, "unknown column '\(name)'") }
    static func unknownFunction(_ name: String) -> (DiagnosticCode, String) { (.unknownFunction, "unknown function '\(name)'") }
    static func argumentCount(_ name: String, _ expected: String, _ got: Int) -> (DiagnosticCode, String) {
        (.argumentCount, "function '\(name)' expects \(expected) argument\(expected == "1" ? "" : "s"), got \(got)")
    }
    static func argumentType(_ name: String, _ detail: String) -> (DiagnosticCode, String) { (.argumentType, "function '\(name)': \(detail)") }
    static func makeSeriesStep(_ axis: String, _ expected: String, _ found: String) -> (DiagnosticCode, String) {
        (.makeSeriesStep, "the step of make-series on a \(axis) axis must be a \(expected), found \(found)")
    }
    static func invalidRegex(_ detail: String) -> (DiagnosticCode, String) { (.invalidRegex, "invalid regular expression (RE2 syntax): \(detail)") }
    static func operandTypes(_ op: String, _ a: String, _ b: String) -> (DiagnosticCode, String) { (.operandTypes, "operator '\(op)' cannot be applied to \(a) and \(b)") }
    static func operandType(_ op: String, _ a: String) -> (DiagnosticCode, String) { (.operandTypes, "operator '\(op)' cannot be applied to a \(a)") }
    static func notBoolean(_ what: String, _ t: String) -> (DiagnosticCode, String) { (.notBoolean, "\(what) must be a bool expression, found \(t)") }
    static func aggregateOutside(_ name: String) -> (DiagnosticCode, String) { (.aggregateOutside, "aggregate function '\(name)' can only be used in summarize (or make-series)") }
    static func notAggregate(_ name: String) -> (DiagnosticCode, String) { (.notAggregate, "summarize needs aggregate functions; '\(name)' is not one") }
    static func duplicateColumn(_ name: String) -> (DiagnosticCode, String) { (.duplicateColumn, "column '\(name)' is defined more than once") }
    static func constantRequired(_ what: String) -> (DiagnosticCode, String) { (.constantRequired, "\(what) must be a constant") }
    static func missingParameter(_ name: String) -> (DiagnosticCode, String) { (.missingParameter, "query parameter '\(name)' has no value and no default") }
    static func notSerialized(_ name: String) -> (DiagnosticCode, String) { (.notSerialized, "function '\(name)' cannot be used here: the row set must be serialized (use 'serialize', 'order by' or 'top' first)") }
    static func argumentPairs(_ name: String, _ what: String) -> (DiagnosticCode, String) { (.argumentCount, "function '\(name)' expects \(what)") }
    /// `subject` names what took the value: "function 'range'", "make-series".
    static func valueOutOfRange(_ subject: String, _ detail: String) -> (DiagnosticCode, String) { (.valueOutOfRange, "\(subject): \(detail)") }
    static func invalidParameterValue(_ name: String, _ text: String, _ type: String) -> (DiagnosticCode, String) {
        (.invalidParameterValue, "query parameter '\(name)': '\(text)' is not a valid \(type)")
    }
    static func tabularArgument(_ name: String, _ detail: String) -> (DiagnosticCode, String) { (.tabularArgument, "function '\(name)': \(detail)") }
    static func datatableShape(_ values: Int, _ columns: Int) -> (DiagnosticCode, String) {
        (.datatableShape, "datatable: \(values) values do not fill rows of \(columns) columns")
    }
    static func datatableValue(_ from: String, _ to: String) -> (DiagnosticCode, String) { (.datatableValue, "datatable: a \(from) value in a \(to) column") }
    static func joinCondition() -> (DiagnosticCode, String) {
        (.joinCondition, "join: each condition is a column name or $left.column == $right.column")
    }
    static func joinKeyTypes(_ a: String, _ b: String) -> (DiagnosticCode, String) { (.joinKeyTypes, "join keys have different types: \(a) and \(b)") }
    static func notDynamic(_ what: String, _ t: String) -> (DiagnosticCode, String) { (.notDynamic, "\(what) needs a dynamic value, found \(t)") }
    static func makeSeriesAxis(_ t: String) -> (DiagnosticCode, String) {
        (.makeSeriesAxis, "the axis of make-series ('on') must be a datetime, timespan or number, found \(t)")
    }
    static func makeSeriesAggregate(_ t: String) -> (DiagnosticCode, String) { (.makeSeriesAggregate, "a make-series aggregate must produce a number, found \(t)") }
    static func unsupportedFeature(_ what: String) -> (DiagnosticCode, String) { (.unsupportedFeature, "\(what) is not supported by logq yet") }
    static func unknownKeyword(_ what: String, _ found: String, expected: String) -> (DiagnosticCode, String) {
        (.unknownKeyword, "unknown \(what) '\(found)'; expected \(expected)")
    }
    static func tooManyBins(_ wanted: String) -> (DiagnosticCode, String) {
        (.tooManyBins, "make-series would make \(wanted) bins; at most 1,048,576 (2^20) are allowed")
    }
    static func budget(_ what: String) -> (DiagnosticCode, String) { (.budgetExceeded, what) }
    static func runtime(_ what: String) -> (DiagnosticCode, String) { (.runtime, what) }
    static func storage(_ what: String) -> (DiagnosticCode, String) { (.storage, what) }
    /// A broken invariant (a column the plan promised is missing, …): logq's bug, not the query's.
    static func internalError(_ what: String) -> (DiagnosticCode, String) { (.internalError, "internal error: \(what)") }
}

extension Diagnostic {
    init(_ m: (DiagnosticCode, String), _ range: SourceRange, notes: [String] = []) { self.init(m.0, m.1, range, notes: notes) }
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
