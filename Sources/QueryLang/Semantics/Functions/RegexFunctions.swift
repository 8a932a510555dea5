import Foundation
import LogStore

/// Regular expressions (RE2 syntax, compiled once at bind time): `extract`, `extract_all`, `replace_regex`, `replace`.
enum RegexFunctions: FunctionFamily {
    static func register(into r: inout FunctionRegistry) {
        r.def(["extract"], 3, 4) { a, r in
            guard let pattern = a[0].constant?.asString else { throw Diagnostic(Msg.constantRequired("the regex of extract"), a[0].range) }
            let re = try compileRegex(pattern, a[0].range)
            let t: KustoType = a.count > 3 ? (a[3].type) : .string
            return Call("extract", a, type: t, range: r, operands: Kernels.extract(re, t))
        }
        r.def(["extract_all"], 2, 3) { a, r in
            guard let pattern = a[0].constant?.asString else { throw Diagnostic(Msg.constantRequired("the regex of extract_all"), a[0].range) }
            let re = try compileRegex(pattern, a[0].range)
            return call("extract_all", a, .dynamic, r) { v in
                let s = v[v.count - 1].asString
                var out: [JSONValue] = []
                for m in re.allMatches(in: s) {
                    if m.count == 1 { out.append(.string(m[0] ?? "")) }
                    else if m.count == 2 { out.append(.string(m[1] ?? "")) }
                    else { out.append(.array((1..<m.count).map { .string(m[$0] ?? "") })) }
                }
                return out.isEmpty ? .dynamic(.null) : .dynamic(.array(out))
            }
        }
        r.def(["replace_regex"], 3, 3) { a, r in
            guard let pattern = a[1].constant?.asString else { throw Diagnostic(Msg.constantRequired("the regex of replace_regex"), a[1].range) }
            let re = try compileRegex(pattern, a[1].range)
            return call("replace_regex", a, .string, r) { v in
                .string(re.replaceAll(in: v[0].asString, with: v[2].asString))
            }
        }
        // The deprecated replace() takes its arguments in another order: regex, rewrite, text.
        r.def(["replace"], 3, 3) { a, r in
            guard let pattern = a[0].constant?.asString else { throw Diagnostic(Msg.constantRequired("the regex of replace"), a[0].range) }
            let re = try compileRegex(pattern, a[0].range)
            return call("replace", a, .string, r) { v in
                .string(re.replaceAll(in: v[2].asString, with: v[1].asString))
            }
        }
    }
}
