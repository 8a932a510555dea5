import LogStore

/// A kernel's argument: a column with one entry per row, or a constant, which is one value for
/// every row (DuckDB's constant vector). A constant keeps its value and a one-row column of it,
/// so a kernel reads it exactly as it reads a column, at row 0, and no per-batch copies are built.
enum Operand {
    case column(Column)
    case constant(Value, Column)

    /// The column to read (one row for a constant).
    var column: Column {
        switch self { case .column(let c), .constant(_, let c): return c }
    }
    var isConstant: Bool { if case .constant = self { return true }; return false }
    /// What a row index is multiplied by to read this operand: 1 for a column, 0 for a constant.
    var step: Int { isConstant ? 0 : 1 }
    var type: KustoType { column.type }

    /// The operand as a full column of `n` rows (for code that needs one).
    func expanded(_ n: Int) -> Column {
        switch self {
        case .column(let c): return c
        case .constant(let v, let c): return .constant(v, type: c.type, count: n)
        }
    }

    /// Validity per row (nil: all valid), a constant's broadcast to `n` rows.
    func validity(_ n: Int) -> [UInt8]? {
        let c = column
        guard let v = c.validity else { return nil }
        if isConstant { return v[0] == 0 ? [UInt8](repeating: 0, count: n) : nil }
        return v
    }
}
