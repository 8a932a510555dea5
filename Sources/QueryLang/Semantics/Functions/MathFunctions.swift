import Foundation
import LogStore

/// Numbers: rounding, powers and logarithms, sign, min_of/max_of, random numbers.
enum MathFunctions: FunctionFamily {
    static func register(into r: inout FunctionRegistry) {
        r.def(["abs"], 1, 1) { a, r in call("abs", a, a[0].type, r) { v in
            // abs(long.min) and abs of the minimum timespan have no answer in 64 bits: null.
            switch v[0] {
            case .long(let x): return Checked.abs(x).map { .long($0) } ?? .null
            case .real(let x): return .real(abs(x))
            case .timespan(let x): return Checked.abs(x).map { .timespan($0) } ?? .null
            default: return .null
            }
        } }
        r.def(["round"], 1, 2) { a, r in call("round", a, .real, r) { v in
            guard let x = v[0].asDouble else { return .null }
            let p = v.count > 1 ? Double(v[1].asInt ?? 0) : 0
            let m = pow(10, p)
            return .real((x * m).rounded(.toNearestOrAwayFromZero) / m)
        } }
        r.def(["ceiling"], 1, 1) { a, r in call("ceiling", a, a[0].type == .real ? .real : .long, r) { v in
            if case .long = v[0] { return v[0] }; return v[0].asDouble.map { .real($0.rounded(.up)) } ?? .null
        } }
        for (n, f) in [("exp", { (x: Double) in Foundation.exp(x) }), ("log", { Foundation.log($0) }), ("log10", { Foundation.log10($0) }),
                       ("log2", { Foundation.log2($0) }), ("sqrt", { $0.squareRoot() }), ("exp2", { Foundation.exp2($0) }), ("exp10", { Foundation.pow(10, $0) })] as [(String, (Double) -> Double)] {
            r.def([n], 1, 1) { a, r in call(n, a, .real, r) { v in v[0].asDouble.map { .real(f($0)) } ?? .null } }
        }
        r.def(["pow"], 2, 2) { a, r in call("pow", a, .real, r) { v in
            guard let x = v[0].asDouble, let y = v[1].asDouble else { return .null }; return .real(Foundation.pow(x, y))
        } }
        r.def(["sign"], 1, 1) { a, r in call("sign", a, a[0].type == .real ? .real : .long, r) { v in
            if case .long(let x) = v[0] { return .long(x.signum()) }
            return v[0].asDouble.map { .real($0 > 0 ? 1 : $0 < 0 ? -1 : 0) } ?? .null
        } }
        for (n, isMin) in [("min_of", true), ("max_of", false)] {
            r.def([n], 1, 64) { a, r in
                var t = a[0].type
                for x in a.dropFirst() where x.type != t {
                    if t.isNumeric && x.type.isNumeric { t = [t, x.type].contains(where: { $0 == .real || $0 == .decimal }) ? .real : .long }
                    else { t = try commonType(a[0], x, n, r) }
                }
                return call(n, a, t, r) { v in
                    var best: Value = .null
                    for x in v where !x.isNull {
                        if best.isNull || (ValueOrder.compare(x, best) < 0) == isMin && ValueOrder.compare(x, best) != 0 { best = x }
                    }
                    return best
                }
            }
        }
        r.def(["rand"], 0, 1) { a, r in call("rand", a, a.isEmpty ? .real : .long, r) { v in
            if let m = v.first?.asInt, m > 0 { return .long(Int64.random(in: 0..<m)) }
            return .real(Double.random(in: 0..<1))
        } }
    }
}
