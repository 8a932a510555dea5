import Foundation
import LogStore

/// Kusto's management commands that read the catalog (`.show …`), answered as tables with the
/// columns Kusto gives (learn.microsoft.com/kusto/management/show-tables-command,
/// show-table-schema-command, show-function). Commands that change the database (`.create`,
/// `.drop`, `.ingest`, …) are logq's CLI commands instead, and are a located LQ1006 here.
enum ControlCommands {
    /// logq's version, which `.show version` reports (the CLI prints the same).
    static let version = "0.1.0"

    /// One word of the command with its byte range, for located errors.
    struct Word { let text: String; let range: SourceRange }

    /// Splits the command into words and the punctuation `( ) ,` (names may be `['quoted']`).
    static func words(_ text: String) -> [Word] {
        let bytes = Array(text.utf8)
        var out: [Word] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1; continue }
            if b == 0x28 || b == 0x29 || b == 0x2C {
                out.append(Word(text: String(UnicodeScalar(b)), range: SourceRange(i, i + 1))); i += 1; continue
            }
            if b == 0x5B, i + 1 < bytes.count, bytes[i + 1] == 0x27 || bytes[i + 1] == 0x22 {
                // ['name with spaces'] or ["name"]
                let quote = bytes[i + 1]
                var j = i + 2
                while j < bytes.count && bytes[j] != quote { j += 1 }
                let name = String(decoding: bytes[min(i + 2, bytes.count)..<min(j, bytes.count)], as: UTF8.self)
                let end = min(j + 2, bytes.count)
                out.append(Word(text: name, range: SourceRange(i, end))); i = end; continue
            }
            var j = i
            while j < bytes.count, ![0x20, 0x09, 0x0A, 0x0D, 0x28, 0x29, 0x2C].contains(bytes[j]) { j += 1 }
            out.append(Word(text: String(decoding: bytes[i..<j], as: UTF8.self), range: SourceRange(i, j)))
            i = j
        }
        return out
    }

    static let known = ".show tables, .show tables (T1, T2), .show table T schema as json, .show table T cslschema, .show functions, .show version"

    /// The command's answer, or nil when `text` is not a control command (it doesn't start with `.`).
    static func run(_ text: String, store: Store) throws -> CompiledQuery? {
        let src = SourceText(text)
        let w = words(text)
        guard let first = w.first, first.text.hasPrefix(".") else { return nil }
        func fail(_ d: (DiagnosticCode, String), _ r: SourceRange) -> CompileFailure { CompileFailure(source: src, diagnostics: [Diagnostic(d, r)]) }
        func unsupported() -> CompileFailure {
            let r = w.prefix(2).map(\.range).reduce(first.range, +)
            return fail(Msg.unsupportedControlCommand(w.prefix(3).map(\.text).joined(separator: " "), known), r)
        }
        func answer(_ names: [String], _ columns: [[String]]) -> CompiledQuery {
            let rows = columns.first?.count ?? 0
            let b = Batch(names: names, columns: columns.map { .strings(ByteStrings($0)) }, count: rows)
            return CompiledQuery(plan: ValuesNode(batch: b), store: store, source: src, renderKind: nil)
        }
        let lower = w.map { $0.text.lowercased() }
        guard lower[0] == ".show", lower.count >= 2 else { throw unsupported() }
        func schema(_ name: Word) throws -> TableSchema {
            guard let s = try store.schema(of: name.text) else { throw fail(Msg.unknownTable(name.text), name.range) }
            return s
        }
        switch lower[1] {
        case "tables":
            var names = try store.tableNames()
            if lower.count > 2 {
                // .show tables (T1, T2, …): the named tables, each of which must exist.
                guard lower[2] == "(", lower.last == ")" else { throw fail(Msg.controlCommandSyntax(".show tables (T1, T2, …)"), w[2].range) }
                var wanted: [String] = []
                for x in w[3..<(w.count - 1)] where x.text != "," {
                    guard names.contains(x.text) else { throw fail(Msg.unknownTable(x.text), x.range) }
                    wanted.append(x.text)
                }
                names = wanted
            }
            let rows = try names.map { Int64(try store.rowCount(of: $0)) }
            // RowCount is logq's addition (see the README): Kusto's four columns come first.
            let b = Batch(names: ["TableName", "DatabaseName", "Folder", "DocString", "RowCount"],
                          columns: [.strings(ByteStrings(names)), .strings(ByteStrings(names.map { _ in "logq" })),
                                    .strings(ByteStrings(names.map { _ in "" })), .strings(ByteStrings(names.map { _ in "" })), .ints(.long, rows)],
                          count: names.count)
            return CompiledQuery(plan: ValuesNode(batch: b), store: store, source: src, renderKind: nil)
        case "table":
            guard w.count >= 4 else { throw fail(Msg.controlCommandSyntax(".show table T schema as json"), w.last!.range) }
            let s = try schema(w[2])
            let rest = lower[3...].joined(separator: " ")
            let text: String
            switch rest {
            case "schema as json": text = jsonSchema(s)
            case "cslschema": text = s.columns.map { "\(cslName($0.name)):\($0.type.name)" }.joined(separator: ",")
            default: throw fail(Msg.controlCommandSyntax(".show table T schema as json' or '.show table T cslschema"), w[3].range + w.last!.range)
            }
            return answer(["TableName", "Schema", "DatabaseName", "Folder", "DocString"], [[s.name], [text], ["logq"], [""], [""]])
        case "functions":
            guard lower.count == 2 else { throw unsupported() }
            // logq keeps no stored functions (saved queries are files, run by `logq run`): the
            // documented columns, no rows.
            return answer(["Name", "Parameters", "Body", "Folder", "DocString"], [[], [], [], [], []])
        case "version":
            guard lower.count == 2 else { throw unsupported() }
            return answer(["BuildVersion", "BuildTime", "ServiceType", "ProductVersion", "ServiceOffering"],
                          [[version], [""], ["logq"], ["logq \(version)"], ["logq"]])
        default:
            throw unsupported()
        }
    }

    /// Kusto's JSON schema: `{"Name":…,"OrderedColumns":[{"Name":…,"Type":"System.…","CslType":…}]}`.
    static func jsonSchema(_ s: TableSchema) -> String {
        func quoted(_ x: String) -> String { JSONValue.string(x).jsonText }
        let cols = s.columns.map { c in
            "{\"Name\":\(quoted(c.name)),\"Type\":\(quoted(storageTypeName(c.type))),\"CslType\":\(quoted(c.type.name))}"
        }
        return "{\"Name\":\(quoted(s.name)),\"OrderedColumns\":[\(cols.joined(separator: ","))]}"
    }

    /// The .NET storage type Kusto's schema commands report; a bool column is stored as SByte there.
    static func storageTypeName(_ t: KustoType) -> String { t == .bool ? "System.SByte" : Binder.dotNetName(t) }

    /// A column name as a `.create table` schema writes it: bracket-quoted unless it is an identifier.
    static func cslName(_ n: String) -> String {
        let ok = !n.isEmpty && n.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" }
            && !(n.unicodeScalars.first.map { CharacterSet.decimalDigits.contains($0) } ?? true)
        return ok ? n : "['\(n.replacingOccurrences(of: "'", with: "\\'"))']"
    }
}
