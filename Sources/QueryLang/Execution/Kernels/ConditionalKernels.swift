import LogStore

// iff, case and coalesce: each row picks one of its branch operands, and the branch's value is
// copied from its typed buffer. A branch whose storage differs from the result's (other than
// integers into a real) goes row by row through `Rowwise`, which converts values as `Value` does.
extension Kernels {
    /// A branch read as numbers of the result's storage.
    struct NumberLane<T> {
        let values: [T], validity: [UInt8]?, step: Int
        @inline(__always) func isValid(_ i: Int) -> Bool { validity.map { $0[i &* step] != 0 } ?? true }
        @inline(__always) func value(_ i: Int) -> T { values[i &* step] }
    }

    /// A branch read as text.
    struct TextLane {
        let column: Column, strings: ByteStrings, step: Int
        init(_ o: Operand) { column = o.column; strings = o.column.byteStrings; step = o.step }
        @inline(__always) func isValid(_ i: Int) -> Bool { column.validity.map { $0[i &* step] != 0 } ?? true }
        @inline(__always) func range(_ i: Int) -> Range<Int> { strings.range(column.row(i &* step)) }
    }

    /// The branches read in the result's storage.
    enum Lanes {
        case ints([NumberLane<Int64>]), reals([NumberLane<Double>]), text([TextLane])
    }

    /// Lanes for a result of type `t`, or nil when a branch needs `Value`'s conversions. A null
    /// constant of any type is a null lane. Integers become reals as `Value.asDouble` converts them
    /// (a datetime or timespan does not).
    static func lanes(_ t: KustoType, _ ops: ArraySlice<Operand>) -> Lanes? {
        @inline(__always) func isNullConstant(_ o: Operand) -> Bool { if case .constant(let v, _) = o { return v.isNull }; return false }
        switch t.physical {
        case .int64:
            var out: [NumberLane<Int64>] = []
            for o in ops {
                if isNullConstant(o) { out.append(NumberLane(values: [0], validity: [0], step: 0)); continue }
                guard case .int64(let v) = o.column.storage else { return nil }
                out.append(NumberLane(values: v, validity: o.column.validity, step: o.step))
            }
            return .ints(out)
        case .float64:
            var out: [NumberLane<Double>] = []
            for o in ops {
                let c = o.column
                if isNullConstant(o) { out.append(NumberLane(values: [0], validity: [0], step: 0)); continue }
                switch c.storage {
                case .float64(let v): out.append(NumberLane(values: v, validity: c.validity, step: o.step))
                case .int64(let v) where c.type == .int || c.type == .long || c.type == .bool:
                    out.append(NumberLane(values: v.map(Double.init), validity: c.validity, step: o.step))
                default: return nil
                }
            }
            return .reals(out)
        case .bytes:
            guard t != .dynamic else { return nil }
            var out: [TextLane] = []
            for o in ops {
                if isNullConstant(o) { out.append(TextLane(.constant(.null, .nulls(.string, count: 1)))); continue }
                guard isText(o.column) else { return nil }
                out.append(TextLane(o))
            }
            return .text(out)
        }
    }

    /// The result column of type `t` where row i takes branch `pick(i)` (-1: null, or "" for text).
    @inline(__always)
    static func select(_ t: KustoType, _ lanes: Lanes, _ n: Int, _ pick: (Int) -> Int) -> Column {
        switch lanes {
        case .ints(let l): return selectNumbers(l, n, pick) { .ints(t, $0, validity: $1) }
        case .reals(let l): return selectNumbers(l, n, pick) { .reals($0, validity: $1, type: t) }
        case .text(let lanes):
            var out = ByteStrings()
            out.reserve(rows: n, bytes: lanes.reduce(0) { max($0, $1.step == 0 ? $1.strings.bytes.count &* n : $1.strings.bytes.count) })
            for i in 0..<n {
                let k = pick(i)
                if k >= 0 {
                    let l = lanes[k]
                    if l.isValid(i) { out.bytes.append(contentsOf: l.strings.bytes[l.range(i)]) }
                }
                out.offsets.append(out.bytes.count)
            }
            return .strings(out, type: t)
        }
    }

    @inline(__always)
    static func selectNumbers<T: Numeric>(_ lanes: [NumberLane<T>], _ n: Int, _ pick: (Int) -> Int, _ make: ([T], [UInt8]?) -> Column) -> Column {
        var out = [T](repeating: 0, count: n)
        var valid = [UInt8](repeating: 1, count: n)
        var anyNull = false
        for i in 0..<n {
            let k = pick(i)
            if k >= 0, lanes[k].isValid(i) { out[i] = lanes[k].value(i) } else { valid[i] = 0; anyNull = true }
        }
        return make(out, anyNull ? valid : nil)
    }

    /// Row i of a bool operand is true (not false, not null).
    static func truth(_ o: Operand) -> NumberLane<Int64>? {
        guard case .int64(let v) = o.column.storage, o.column.type == .bool else { return nil }
        return NumberLane(values: v, validity: o.column.validity, step: o.step)
    }
    @inline(__always) static func isTrue(_ l: NumberLane<Int64>, _ i: Int) -> Bool { l.isValid(i) && l.value(i) != 0 }

    static func iff(_ t: KustoType) -> Call.OperandKernel {
        return { a, n in
            if let cond = truth(a[0]), let l = lanes(t, a[1...2]) { return select(t, l, n) { isTrue(cond, $0) ? 0 : 1 } }
            return try rowwise(t, Rowwise.iff, a, n)
        }
    }

    /// case(p1, v1, p2, v2, …, else): the value of the first true predicate, else the last argument.
    static func `case`(_ t: KustoType) -> Call.OperandKernel {
        return { a, n in
            var preds: [NumberLane<Int64>] = []
            for k in stride(from: 0, to: a.count - 1, by: 2) {
                guard let p = truth(a[k]) else { return try rowwise(t, Rowwise.case, a, n) }
                preds.append(p)
            }
            let values = stride(from: 1, to: a.count - 1, by: 2).map { a[$0] } + [a[a.count - 1]]
            guard let l = lanes(t, values[...]) else { return try rowwise(t, Rowwise.case, a, n) }
            let last = preds.count
            return select(t, l, n) { i in
                for k in 0..<preds.count where isTrue(preds[k], i) { return k }
                return last
            }
        }
    }

    /// coalesce: the first argument that is not null (nor an empty string).
    static func coalesce(_ t: KustoType) -> Call.OperandKernel {
        return { a, n in
            guard let l = lanes(t, a[...]) else { return try rowwise(t, Rowwise.coalesce(t), a, n) }
            switch l {
            case .ints(let ls): return select(t, l, n) { i in ls.firstIndex { $0.isValid(i) } ?? -1 }
            case .reals(let ls): return select(t, l, n) { i in ls.firstIndex { $0.isValid(i) } ?? -1 }
            case .text(let ls): return select(t, l, n) { i in ls.firstIndex { $0.isValid(i) && !$0.range(i).isEmpty } ?? -1 }
            }
        }
    }
}
