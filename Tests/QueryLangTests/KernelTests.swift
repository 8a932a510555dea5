import Foundation
import XCTest
@testable import LogStore
@testable import QueryLang

/// Each typed kernel against the row-at-a-time definition it replaces (`Rowwise`, or the column
/// code it was before), whole columns compared: nulls, empty strings, non-ASCII text, "\r\n",
/// invalid UTF-8, dictionary-coded input (codes beside the rows, and codes only), and constants on
/// either side.
final class KernelTests: XCTestCase {
    static let texts: [String] = [
        "", "abc", "ABC def", "Ünïcödé ÀÉ", "STRASSE straße", "a\r\nb", "\r\n", "x\ry", "日本語テキスト", "MiXeD 123",
        "  42 ", "42", "-17", "+5", "-0", "007", "3.5", "1e3", "9223372036854775807", "99999999999999999999",
        "abc123def456", "0x10", "e\u{301}te\u{301}", "👩‍👩‍👧 family", "true", "FALSE",
    ]
    static let n = texts.count * 3
    /// Row i's text: every distinct text three times, in a shuffled order.
    static let order: [Int] = (0..<n).map { ($0 * 7 + 3) % texts.count }

    static func textColumn() -> Column {
        var s = ByteStrings()
        for k in order { s.append(texts[k]) }
        return .strings(s)
    }
    /// The same rows, with the dictionary codes a dictionary-encoded segment gives them.
    static func codedColumn() -> Column {
        var c = textColumn()
        c.dictionaryCodes = order.map { Int32($0) }
        c.dictionarySize = texts.count
        return c
    }
    /// Codes only: storage holds each distinct text once (as group-by keys are read).
    static func codesOnlyColumn() -> Column {
        var c = Column.strings(ByteStrings(texts))
        c.dictionaryCodes = order.map { Int32($0) }
        c.dictionarySize = texts.count
        c.dictionaryOnly = true
        return c
    }
    /// Bytes that are not UTF-8 (a lone continuation byte, a truncated sequence) between text.
    static func brokenColumn() -> Column {
        var s = ByteStrings()
        for i in 0..<n { s.append(i % 3 == 0 ? [0x41, 0xFF, 0x42] : i % 3 == 1 ? [0xE6, 0x97, 0x61, 0x31] : Array("ok\(i)".utf8)) }
        return .strings(s)
    }
    static func cycle<T>(_ values: [T]) -> [T] { (0..<n).map { values[$0 % values.count] } }
    static func validity(every k: Int, offset: Int = 0) -> [UInt8] { (0..<n).map { ($0 + offset) % k == 0 ? 0 : 1 } }

    static let batch: Batch = {
        let ints = cycle([0, 1, -1, 5, Int64.max, Int64.min, 2_147_483_647, 2_147_483_648, -2_147_483_649, 42, 100, 7, 3])
        let starts = cycle([0, 1, 2, -3, 5, 100, 3, Int64(Int32.max)] as [Int64])
        let lengths = cycle([2, 0, -1, 3, 1_000, 1, 4] as [Int64])
        let reals = cycle([0, -0.0, 1.5, -2.5, .nan, .infinity, -.infinity, 1e300, 3.9999, 9.3e18, -7.25, 42.0, 2_147_483_648.5])
        let bools = cycle([1, 0, 1, 1, 0] as [Int64])
        let base = Ticks.from(year: 2024, month: 2, day: 29, hour: 13, minute: 5, second: 9, fraction: 1_234_500)
        let times = cycle([base, 0, base + 3_600 * 10_000_000 * 11, Ticks.from(year: 1999, month: 12, day: 31, hour: 23, minute: 59, second: 59, fraction: 9_999_999),
                           Ticks.from(year: 9999, month: 1, day: 1), base + 7, Ticks.unixEpoch])
        var json = ByteStrings()
        for (i, t) in cycle(["\"text\"", "42", "-1.5", "true", "null", "", "{\"a\":1}", "[1,2]", "\"  7 \"", "\"\""]).enumerated() { json.append(i == 5 ? "" : t) }
        var guids = ByteStrings()
        for i in 0..<n { guids.append(i % 4 == 0 ? "" : String(format: "%08x-0000-4000-8000-%012x", i, i * 31)) }
        var cols: [(String, Column)] = [
            ("s", textColumn()), ("d", codedColumn()), ("o", codesOnlyColumn()), ("x", brokenColumn()),
            ("i", .ints(.long, ints, validity: validity(every: 4))), ("i2", .ints(.long, ints.reversed())),
            ("n32", .ints(.int, ints.map { $0 & 0xFFFF }, validity: validity(every: 5, offset: 1))),
            ("st", .ints(.long, starts, validity: validity(every: 6))), ("ln", .ints(.long, lengths, validity: validity(every: 9, offset: 2))),
            ("r", .reals(reals, validity: validity(every: 5))), ("r2", .reals(reals.reversed())),
            ("b", .ints(.bool, bools, validity: validity(every: 7))), ("b2", .ints(.bool, bools.map { 1 - $0 }, validity: validity(every: 3))),
            ("t", .ints(.datetime, times, validity: validity(every: 8))), ("ts", .ints(.timespan, ints.map { $0 % 1_000_000_000 }, validity: validity(every: 4))),
            ("j", .strings(json, type: .dynamic)), ("g", .strings(guids, type: .guid)),
        ]
        cols.append(("sn", { var c = textColumn(); c.validity = validity(every: 4); return c }()))
        return Batch(names: cols.map(\.0), columns: cols.map(\.1), count: n)
    }()

    let r = SourceRange(0, 0)
    func col(_ name: String) -> BoundExpr {
        let i = Self.batch.names.firstIndex(of: name)!
        return ColumnRef(name: name, type: Self.batch.columns[i].type, range: r)
    }
    func const(_ v: Value, _ t: KustoType) -> BoundExpr { Constant(v, type: t, range: r) }

    func bind(_ name: String, _ args: [BoundExpr]) throws -> BoundExpr { try ScalarFunctions.table[name]!.bind(args, r) }

    func assertSame(_ a: Column, _ b: Column, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.type, b.type, "\(what): type", file: file, line: line)
        XCTAssertEqual(a.count, b.count, "\(what): rows", file: file, line: line)
        for i in 0..<min(a.count, b.count) {
            let x = a.value(i), y = b.value(i)
            if case .real(let p) = x, case .real(let q) = y, p.bitPattern == q.bitPattern || (p.isNaN && q.isNaN) { continue }
            if case .real = x { XCTFail("\(what): row \(i): \(x) against \(y)", file: file, line: line); return }
            if x != y { XCTFail("\(what): row \(i): \(x) against \(y)", file: file, line: line); return }
        }
    }

    /// The bound call (its typed kernel, constants as operands) against `reference` applied row by
    /// row to the arguments as full columns.
    func check(_ name: String, _ args: [BoundExpr], _ reference: @escaping Rowwise.Fn, file: StaticString = #filePath, line: UInt = #line) throws {
        let call = try bind(name, args)
        let typed = try call.eval(Self.batch)
        let expanded = try args.map { try $0.eval(Self.batch) }
        let expected = try rowwise(call.type, reference)(expanded, Self.n)
        assertSame(typed, expected, "\(name)(\(args.map { ($0 as? ColumnRef)?.name ?? "\(($0 as? Constant)?.value ?? .null)" }.joined(separator: ", ")))", file: file, line: line)
    }

    static let textColumns = ["s", "d", "o", "x", "sn", "g"]
    static let otherColumns = ["i", "n32", "r", "b", "t", "ts", "j"]

    func testStrlenAndCaseMapping() throws {
        for c in Self.textColumns + Self.otherColumns {
            try check("strlen", [col(c)], Rowwise.strlen)
            try check("tolower", [col(c)], Rowwise.tolower)
            try check("toupper", [col(c)], Rowwise.toupper)
        }
    }

    /// tolower over dictionary codes keeps the codes (equal codes, equal bytes); codes that now
    /// share a value ("A" and "a") still make one group.
    func testCaseMappedCodesGroupByValue() throws {
        var c = Column.strings(ByteStrings(["A", "a", "B", "A", "a", "b", "B"]))
        c.dictionaryCodes = [0, 1, 2, 0, 1, 3, 2]
        c.dictionarySize = 4
        let lowered = try Kernels.tolower([.column(c)], 7)
        XCTAssertEqual(lowered.dictionaryCodes, c.dictionaryCodes)
        XCTAssertEqual((0..<7).map { lowered.byteStrings.string($0) }, ["a", "a", "b", "a", "a", "b", "b"])
        XCTAssertEqual(try GroupTable().assign([lowered], count: 7), [0, 0, 1, 0, 0, 1, 1])
    }

    func testSubstring() throws {
        let constants: [[BoundExpr]] = [[const(.long(0), .long)], [const(.long(2), .long)], [const(.long(-4), .long)], [const(.long(1), .long), const(.long(3), .long)],
                                        [const(.long(0), .long), const(.long(0), .long)], [const(.long(3), .long), const(.long(-1), .long)],
                                        [const(.long(50), .long), const(.long(2), .long)], [const(.null, .long)], [const(.long(1), .long), const(.null, .long)],
                                        [const(.real(1.7), .real)], [col("st")], [col("st"), col("ln")], [const(.long(1), .long), col("ln")], [col("st"), const(.long(2), .long)]]
        for c in Self.textColumns + ["i", "j"] {
            for rest in constants { try check("substring", [col(c)] + rest, Rowwise.substring) }
        }
        try check("substring", [const(.string("héllo wörld"), .string), col("st"), col("ln")], Rowwise.substring)
    }

    func testStrcat() throws {
        // The kernel before operands: every argument converted to text, bytes concatenated.
        let reference: ([Column], Int) -> Column = { c, n in
            let parts = c.map { $0.type == .string ? $0 : $0.converted(to: .string) }
            var out = ByteStrings()
            for i in 0..<n {
                for p in parts { out.bytes.append(contentsOf: p.byteStrings[i]) }
                out.offsets.append(out.bytes.count)
            }
            return .strings(out)
        }
        let argLists: [[BoundExpr]] = [[col("s")], [col("s"), const(.string("-"), .string), col("d")], [const(.string("<"), .string), col("i"), col("r"), col("b"), col("t")],
                                       [col("x"), col("sn"), col("g"), col("j"), col("ts")], [const(.long(7), .long), col("s"), const(.null, .long), const(.string("é"), .string)]]
        for args in argLists {
            let typed = try bind("strcat", args).eval(Self.batch)
            assertSame(typed, reference(try args.map { try $0.eval(Self.batch) }, Self.n), "strcat")
        }
    }

    func testConditionals() throws {
        let branches: [(BoundExpr, BoundExpr)] = [
            (col("s"), const(.string("else"), .string)), (const(.string("then"), .string), col("d")), (col("o"), col("sn")), (col("x"), col("s")), (col("g"), col("g")),
            (col("i"), const(.long(5), .long)), (col("i"), col("i2")), (col("n32"), col("i")), (col("i"), col("r")), (const(.long(2), .long), col("r2")),
            (col("r"), const(.null, .real)), (const(.null, .dynamic), col("i")), (col("t"), const(.datetime(0), .datetime)), (col("b"), col("b2")),
            (col("j"), col("j")), (col("s"), const(.null, .dynamic)), (col("ts"), const(.null, .timespan)), (col("i"), const(.real(2.5), .real)),
        ]
        for (x, y) in branches {
            for cond in [col("b"), col("b2"), const(.bool(true), .bool), const(.null, .bool)] {
                try check("iff", [cond, x, y], Rowwise.iff)
            }
            try check("case", [col("b"), x, col("b2"), y, x], Rowwise.case)
            try check("case", [col("b"), y, x], Rowwise.case)
            let coalesce = try bind("coalesce", [x, y])
            try check("coalesce", [x, y], Rowwise.coalesce(coalesce.type))
            try check("coalesce", [y, x, y], Rowwise.coalesce(coalesce.type))
        }
        for args in [[col("s")], [col("sn"), col("d"), const(.string("z"), .string)], [col("i"), col("i2")], [col("r"), col("r2"), const(.real(0), .real)]] {
            try check("coalesce", args, Rowwise.coalesce(try bind("coalesce", args).type))
        }
    }

    func testNullAndEmptyTests() throws {
        // The kernels before operands: validity (and an empty dynamic text), or no bytes.
        let isNull: ([Column], Int) -> Column = { c, n in .ints(.bool, (0..<n).map { c[0].isNull($0) ? 1 : 0 }) }
        let isEmpty: ([Column], Int) -> Column = { c, n in
            if case .bytes(let s) = c[0].storage { return .ints(.bool, (0..<n).map { s.length($0) == 0 ? 1 : 0 }) }
            return .ints(.bool, (0..<n).map { c[0].isNull($0) ? 1 : 0 })
        }
        let not: (Column) -> Column = { c in .ints(.bool, c.int64Values.map { 1 - $0 }) }
        for c in ["s", "d", "x", "sn", "g"] + Self.otherColumns {
            let arg = [try col(c).eval(Self.batch)]
            assertSame(try bind("isnull", [col(c)]).eval(Self.batch), isNull(arg, Self.n), "isnull(\(c))")
            assertSame(try bind("isnotnull", [col(c)]).eval(Self.batch), not(isNull(arg, Self.n)), "isnotnull(\(c))")
            assertSame(try bind("isempty", [col(c)]).eval(Self.batch), isEmpty(arg, Self.n), "isempty(\(c))")
            assertSame(try bind("isnotempty", [col(c)]).eval(Self.batch), not(isEmpty(arg, Self.n)), "isnotempty(\(c))")
        }
    }

    func testConversions() throws {
        for c in Self.textColumns + Self.otherColumns + ["i2", "r2", "b2"] {
            try check("toint", [col(c)], Rowwise.toint)
            try check("tolong", [col(c)], Rowwise.tolong)
            try check("todouble", [col(c)], Rowwise.todouble)
            try check("toreal", [col(c)], Rowwise.todouble)
        }
    }

    func testTostring() throws {
        // The kernel before: dynamic text unquoted, everything else as the column converts it.
        for c in Self.otherColumns + ["i2", "r2", "b2", "g"] {
            let arg = try col(c).eval(Self.batch)
            let typed = try bind("tostring", [col(c)]).eval(Self.batch)
            if c == "j" { try check("tostring", [col(c)], { v in .string(v[0].asString) }); continue }
            assertSame(typed, arg.converted(to: .string), "tostring(\(c))")
        }
        for v in [0, 7, -7, 10, -10, 99, 100, 123_456_789, Int64.max, Int64.min, Int64.min + 1] as [Int64] {
            for w in [0, 1, 2, 4, 7, 25] {
                var out: [UInt8] = []
                Kernels.appendDecimal(v, width: w, to: &out)
                XCTAssertEqual(String(decoding: out, as: UTF8.self), DateParts.pad(v, w), "\(v) in \(w)")
            }
        }
    }

    func testExtract() throws {
        for pattern in ["([a-z]+)([0-9]+)", "(\\d+)", "^(.)", "é(t)", "(x)?y", ""] {
            for c in Self.textColumns + ["i", "j"] {
                for g in [0, 1, 2, 5, -1] as [Int64] {
                    let re = try KQLRegex(pattern)
                    try check("extract", [const(.string(pattern), .string), const(.long(g), .long), col(c)], Rowwise.extract(re, .string))
                    let typed = [const(.string(pattern), .string), const(.long(g), .long), col(c), const(.null, .long)]
                    try check("extract", typed, Rowwise.extract(re, .long))
                }
                let re = try KQLRegex(pattern)
                try check("extract", [const(.string(pattern), .string), col("n32"), col(c)], Rowwise.extract(re, .string))
            }
        }
    }

    func testFormatDatetime() throws {
        let formats = ["yyyy-MM-dd HH:mm:ss.fffffff", "y yy yyyy yyy M MM d dd", "h hh H HH tt m mm s ss", "f ff fff FFFF FFFFFFF ffffffffff", "dd/MM/yyyy [ddd] Z é",
                       "", "literal only: - / , .", "yyyyy MMM HHH"]
        for f in formats {
            for c in ["t", "i", "ts", "s"] {
                try check("format_datetime", [col(c), const(.string(f), .string)], Rowwise.formatDatetime)
            }
        }
        try check("format_datetime", [col("t"), col("s")], Rowwise.formatDatetime)
    }

    /// Arithmetic and comparisons with a constant on either side read it once; the result is the
    /// one the same kernel gives over a full column of copies.
    func testConstantOperandsInArithmeticAndComparisons() throws {
        let b = Self.batch
        let ints = b.column(named: "i")!, reals = b.column(named: "r")!
        let intConstants = [Column.constant(.long(3), type: .long, count: 1), .constant(.long(0), type: .long, count: 1), .constant(.long(-1), type: .long, count: 1), .constant(.null, type: .long, count: 1)]
        let realConstants = [Column.constant(.real(2.5), type: .real, count: 1), .constant(.real(0), type: .real, count: 1), .constant(.null, type: .real, count: 1)]
        func op(_ c: Column) -> Operand { .constant(c.value(0), c) }
        func full(_ c: Column) -> Column { .constant(c.value(0), type: c.type, count: Self.n) }
        for k in intConstants {
            for o in ["+", "-", "*", "/", "%"] {
                assertSame(Kernels.arithmeticInts(o, .column(ints), op(k), Self.n, type: .long), Kernels.arithmeticInts(o, ints, full(k), Self.n, type: .long), "x \(o) k")
                assertSame(Kernels.arithmeticInts(o, op(k), .column(ints), Self.n, type: .long), Kernels.arithmeticInts(o, full(k), ints, Self.n, type: .long), "k \(o) x")
                assertSame(Kernels.arithmeticReals(o, .column(reals), op(k), Self.n), Kernels.arithmeticReals(o, reals, full(k), Self.n), "r \(o) k")
            }
            for c in [Kernels.CmpOp.eq, .ne, .lt, .le, .gt, .ge] {
                assertSame(Kernels.compareInts(c, .column(ints), op(k), Self.n), Kernels.compareInts(c, ints, full(k), Self.n), "x \(c) k")
                assertSame(Kernels.compareInts(c, op(k), .column(ints), Self.n), Kernels.compareInts(c, full(k), ints, Self.n), "k \(c) x")
            }
        }
        for k in realConstants {
            for o in ["+", "-", "*", "/", "%"] {
                assertSame(Kernels.arithmeticReals(o, op(k), .column(reals), Self.n), Kernels.arithmeticReals(o, full(k), reals, Self.n), "k \(o) r")
                assertSame(Kernels.arithmeticReals(o, .column(ints), op(k), Self.n), Kernels.arithmeticReals(o, ints, full(k), Self.n), "x \(o) k")
            }
            for c in [Kernels.CmpOp.eq, .ne, .lt, .le, .gt, .ge] {
                assertSame(Kernels.compareReals(c, .column(reals), op(k), Self.n), Kernels.compareReals(c, reals, full(k), Self.n), "r \(c) k")
                assertSame(Kernels.compareReals(c, op(k), .column(ints), Self.n), Kernels.compareReals(c, full(k), ints, Self.n), "k \(c) x")
            }
        }
        let text = b.column(named: "s")!, k = Column.constant(.string("abc"), type: .string, count: 1)
        for c in [Kernels.CmpOp.eq, .ne, .lt, .le, .gt, .ge] {
            for ci in [false, true] {
                assertSame(Kernels.compareStrings(c, caseInsensitive: ci, .column(text), op(k), Self.n), Kernels.compareStrings(c, caseInsensitive: ci, text, full(k), Self.n), "s \(c) k")
                assertSame(Kernels.compareStrings(c, caseInsensitive: ci, op(k), .column(text), Self.n), Kernels.compareStrings(c, caseInsensitive: ci, full(k), text, Self.n), "k \(c) s")
            }
        }
    }

    /// A constant argument reaches a kernel as one value, never as a column of copies.
    func testConstantsStayOneValue() throws {
        let e = const(.string("x"), .string)
        guard case .constant(let v, let c) = try e.evalOperand(Self.batch) else { return XCTFail("a constant is evaluated as a column") }
        XCTAssertEqual(v, .string("x"))
        XCTAssertEqual(c.count, 1)
        guard case .column(let rows) = try col("s").evalOperand(Self.batch) else { return XCTFail("a column is evaluated as a constant") }
        XCTAssertEqual(rows.count, Self.n)
    }
}
