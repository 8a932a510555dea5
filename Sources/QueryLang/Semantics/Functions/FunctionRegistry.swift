import Foundation
import LogStore

/// The scalar function catalog: argument counts, type rules and the kernel each call runs.
/// Each family of functions lives in its own file and registers its definitions here; adding a
/// function is one `r.def` in its family (a typed kernel in `Execution/Kernels/` when it is hot).
/// The README's list of supported functions is generated from `ScalarFunctions.names`.
enum ScalarFunctions {
    typealias Binder = FunctionRegistry.Binder
    typealias Def = FunctionRegistry.Def

    static let families: [any FunctionFamily.Type] = [
        TimeFunctions.self, BinFunctions.self, ConversionFunctions.self, ConditionalFunctions.self, StringFunctions.self,
        EncodingFunctions.self, RegexFunctions.self, MathFunctions.self, GeoFunctions.self, DynamicFunctions.self,
    ]

    static let table: [String: Def] = {
        var r = FunctionRegistry()
        for f in families { f.register(into: &r) }
        return r.table
    }()

    static var names: [String] { table.keys.sorted() }

    /// A call whose kernel runs row by row over `Value`s (the long tail; see `rowwise`).
    static func call(_ name: String, _ args: [BoundExpr], _ type: KustoType, _ r: SourceRange, _ f: @escaping ([Value]) throws -> Value) -> BoundExpr {
        Call(name, args, type: type, range: r, operands: { ops, n in try rowwise(type, f, ops, n) })
    }

    static func typeError(_ name: String, _ detail: String, _ r: SourceRange) -> Diagnostic { Diagnostic(Msg.argumentType(name, detail), r) }

    static func compileRegex(_ pattern: String, _ r: SourceRange) throws -> KQLRegex {
        do { return try KQLRegex(pattern) }
        catch let e as KQLRegex.InvalidPattern { throw Diagnostic(Msg.invalidRegex(e.message), r) }
    }

    static func commonType(_ a: BoundExpr, _ b: BoundExpr, _ name: String, _ r: SourceRange) throws -> KustoType {
        if a.type == b.type { return a.type }
        if a.constant?.isNull == true && a.type != .string { return b.type }
        if b.constant?.isNull == true && b.type != .string { return a.type }
        if a.type.isNumeric && b.type.isNumeric { return (a.type == .real || b.type == .real) ? .real : .long }
        if a.type == .dynamic || b.type == .dynamic { return .dynamic }
        throw typeError(name, "arguments have different types (\(a.type.name) and \(b.type.name))", r)
    }
}

/// The definitions the families register, by name (aliases share one definition).
struct FunctionRegistry {
    typealias Binder = ([BoundExpr], SourceRange) throws -> BoundExpr

    struct Def { let min: Int; let max: Int; let bind: Binder }

    private(set) var table: [String: Def] = [:]

    mutating func def(_ names: [String], _ min: Int, _ max: Int, _ b: @escaping Binder) {
        for n in names {
            precondition(table[n] == nil, "scalar function '\(n)' is registered twice")
            table[n] = Def(min: min, max: max, bind: b)
        }
    }
}

/// One family of scalar functions (one file). The helpers below are what its definitions share.
protocol FunctionFamily {
    static func register(into r: inout FunctionRegistry)
}

extension FunctionFamily {
    static func call(_ name: String, _ args: [BoundExpr], _ type: KustoType, _ r: SourceRange, _ f: @escaping ([Value]) throws -> Value) -> BoundExpr {
        ScalarFunctions.call(name, args, type, r, f)
    }
    static func typeError(_ name: String, _ detail: String, _ r: SourceRange) -> Diagnostic { ScalarFunctions.typeError(name, detail, r) }
    static func compileRegex(_ pattern: String, _ r: SourceRange) throws -> KQLRegex { try ScalarFunctions.compileRegex(pattern, r) }
    static func commonType(_ a: BoundExpr, _ b: BoundExpr, _ name: String, _ r: SourceRange) throws -> KustoType {
        try ScalarFunctions.commonType(a, b, name, r)
    }
}
