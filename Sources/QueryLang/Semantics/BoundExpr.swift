import LogStore

/// A name-resolved, typed expression that evaluates over a whole batch at once.
class BoundExpr {
    let type: KustoType
    let range: SourceRange
    init(type: KustoType, range: SourceRange) { self.type = type; self.range = range }
    func eval(_ b: Batch) throws -> Column { fatalError("abstract") }
    /// The expression as a kernel argument: a constant stays one value instead of a column of copies.
    func evalOperand(_ b: Batch) throws -> Operand { .column(try eval(b)) }
    /// The value when the expression does not depend on any row.
    var constant: Value? { nil }
    /// Column names this expression reads.
    func collectNames(into s: inout Set<String>) {}
    /// Column names read only as the subject of a string comparison with a constant (whose kernel
    /// takes dictionary codes: `Column.dictionaryOnly`), and those read any other way.
    func collectColumnUses(codeAware: inout Set<String>, other: inout Set<String>) { collectNames(into: &other) }
}

extension BoundExpr {
    /// Does each row's result depend only on that row's values? Not for random values, new
    /// GUIDs, or functions of the row order (row_number, prev, next, row_cumsum).
    var isRowwise: Bool {
        guard let c = self as? Call else { return true }
        if c.name == "rand" || c.name == "new_guid" || RowFunctions.names.contains(c.name) { return false }
        return c.args.allSatisfy(\.isRowwise)
    }

    /// String columns this expression can take as dictionary codes: each use is code-aware.
    var codeAwareColumns: Set<String> {
        var aware = Set<String>(), other = Set<String>()
        collectColumnUses(codeAware: &aware, other: &other)
        return aware.subtracting(other)
    }
}

final class ColumnRef: BoundExpr {
    let name: String
    init(name: String, type: KustoType, range: SourceRange) { self.name = name; super.init(type: type, range: range) }
    override func eval(_ b: Batch) throws -> Column {
        guard let i = b.names.firstIndex(of: name) else {
            throw Diagnostic(Msg.internalError("column '\(name)' is missing from the batch"), range)
        }
        let c = b.columns[i]
        return c.type == type ? c : c.converted(to: type)
    }
    override func collectNames(into s: inout Set<String>) { s.insert(name) }
}

final class Constant: BoundExpr {
    let value: Value
    /// The value as a one-row column, built once: what a typed kernel reads for every row.
    let one: Column
    init(_ value: Value, type: KustoType, range: SourceRange) {
        self.value = value; one = .constant(value, type: type, count: 1)
        super.init(type: type, range: range)
    }
    override func eval(_ b: Batch) throws -> Column { .constant(value, type: type, count: b.count) }
    override func evalOperand(_ b: Batch) throws -> Operand { .constant(value, one) }
    override var constant: Value? { value }
}

/// A function or operator applied to argument columns by a kernel chosen at bind time
/// (so dispatch on types happens once per query, and the kernel loops over typed buffers).
class Call: BoundExpr {
    typealias OperandKernel = ([Operand], Int) throws -> Column
    let name: String
    let args: [BoundExpr]
    let kernel: ([Column], Int) throws -> Column
    /// The same kernel over operands, when it takes constants as they are (`kernel` then wraps it).
    let operandKernel: OperandKernel?
    /// The constant right-hand side of a string operator (`has "x"`), which the kernel captured;
    /// the planner reads it to prune segments by their term filters.
    var needle: String? = nil
    init(_ name: String, _ args: [BoundExpr], type: KustoType, range: SourceRange, kernel: @escaping ([Column], Int) throws -> Column) {
        self.name = name; self.args = args; self.kernel = kernel; operandKernel = nil
        super.init(type: type, range: range)
    }
    init(_ name: String, _ args: [BoundExpr], type: KustoType, range: SourceRange, operands: @escaping OperandKernel) {
        self.name = name; self.args = args; operandKernel = operands
        kernel = { cols, n in try operands(cols.map { .column($0) }, n) }
        super.init(type: type, range: range)
    }
    override func eval(_ b: Batch) throws -> Column {
        if let k = operandKernel { return try k(try args.map { try $0.evalOperand(b) }, b.count) }
        let cols = try args.map { try $0.eval(b) }
        return try kernel(cols, b.count)
    }
    override func collectNames(into s: inout Set<String>) { for a in args { a.collectNames(into: &s) } }
    override func collectColumnUses(codeAware: inout Set<String>, other: inout Set<String>) {
        if needle != nil, name == "==" || name == "!=", args.count == 1, let c = args[0] as? ColumnRef, c.type == .string {
            codeAware.insert(c.name)
            return
        }
        for a in args { a.collectColumnUses(codeAware: &codeAware, other: &other) }
    }
}

/// Evaluates arguments row by row through `Value`s: for the long tail of scalar functions whose
/// cost is in the function itself (string formatting, regexes, JSON), not in dispatch.
func rowwise(_ type: KustoType, _ f: @escaping ([Value]) throws -> Value) -> ([Column], Int) throws -> Column {
    return { cols, n in try rowwise(type, f, cols.map { .column($0) }, n) }
}

/// `rowwise` over operands: a constant is read as its one value on every row.
func rowwise(_ type: KustoType, _ f: ([Value]) throws -> Value, _ ops: [Operand], _ n: Int) throws -> Column {
    var out: [Value] = []
    out.reserveCapacity(n)
    var args = [Value](repeating: .null, count: ops.count)
    let cols = ops.map(\.column), steps = ops.map(\.step)
    for i in 0..<n {
        for k in 0..<cols.count { args[k] = cols[k].value(i &* steps[k]) }
        out.append(try f(args))
    }
    return .from(out, type: type)
}
