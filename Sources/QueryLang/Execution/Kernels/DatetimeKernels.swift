import LogStore

extension Kernels {
    /// format_datetime with a constant format: the format is tokenized once, and each row renders
    /// its fields into the output bytes.
    static func formatDatetime(_ a: [Operand], _ n: Int) throws -> Column {
        let c = a[0].column
        guard case .constant(let f, _) = a[1], !a[0].isConstant, c.type == .datetime, case .int64(let v) = c.storage else {
            return try rowwise(.string, Rowwise.formatDatetime, a, n)
        }
        let fmt = DatetimeFormat(f.asString)
        var out = ByteStrings()
        out.reserve(rows: n, bytes: n * 24)
        let valid = c.validity
        for i in 0..<n {
            if valid.map({ $0[i] != 0 }) ?? true { fmt.render(v[i], into: &out.bytes) }
            out.offsets.append(out.bytes.count)
        }
        return .strings(out)
    }
}
