import Foundation
import LogStore

/// Rounding down to bins: `bin`/`floor` and `bin_at`, typed when the bin size is a constant.
enum BinFunctions: FunctionFamily {
    static func register(into r: inout FunctionRegistry) {
        r.def(["bin", "floor"], 2, 2) { a, r in try bindBin(a, origin: nil, r) }
        r.def(["bin_at"], 3, 3) { a, r in try bindBin([a[0], a[1]], origin: a[2], r) }
    }

    static func bindBin(_ a: [BoundExpr], origin: BoundExpr?, _ r: SourceRange) throws -> BoundExpr {
        let x = a[0], size = a[1]
        guard let sz = size.constant else {
            // A bin size from a column: row by row.
            let t: KustoType = x.type == .datetime || x.type == .timespan ? x.type
                : (x.type == .real || x.type == .decimal || size.type == .real || size.type == .decimal) ? .real : .long
            return call("bin", a, t, r) { v in
                switch (v[0], v[1]) {
                // A bin beyond Int64 (or the datetime range) is null, as the typed kernel gives.
                case (.datetime(let d), .timespan(let s)) where s > 0: return Checked.floor(d, toMultipleOf: s).flatMap { Checked.datetime($0) }.map { .datetime($0) } ?? .null
                case (.timespan(let d), .timespan(let s)) where s > 0: return Checked.floor(d, toMultipleOf: s).map { .timespan($0) } ?? .null
                case (.long(let d), .long(let s)) where s > 0 && t == .long: return Checked.floor(d, toMultipleOf: s).map { .long($0) } ?? .null
                default:
                    guard let d = v[0].asDouble, let s = v[1].asDouble, s > 0 else { return .null }
                    return .real(Kernels.binReal(d, size: s, origin: 0))
                }
            }
        }
        switch x.type {
        case .datetime, .timespan:
            guard case .timespan(let s) = sz else {
                if sz.isNull { return Constant(.null, type: x.type, range: r) }
                throw typeError("bin", "a \(x.type.name) is binned by a timespan", size.range)
            }
            let o = origin?.constant?.asInt ?? 0
            return Call("bin", [x], type: x.type, range: r) { c, n in Kernels.binInts(c[0], size: s, origin: o, type: x.type, n) }
        case .int, .long:
            if case .real(let d) = sz {
                return Call("bin", [x], type: .real, range: r) { c, n in Kernels.binReals(c[0], size: d, origin: origin?.constant?.asDouble ?? 0, n) }
            }
            guard let s = sz.asInt else { return Constant(.null, type: x.type, range: r) }
            let o = origin?.constant?.asInt ?? 0
            return Call("bin", [x], type: .long, range: r) { c, n in Kernels.binInts(c[0], size: s, origin: o, type: .long, n) }
        case .real, .decimal:
            guard let s = sz.asDouble else { return Constant(.null, type: .real, range: r) }
            return Call("bin", [x], type: .real, range: r) { c, n in Kernels.binReals(c[0], size: s, origin: origin?.constant?.asDouble ?? 0, n) }
        default:
            throw typeError("bin", "cannot bin a \(x.type.name)", x.range)
        }
    }
}
