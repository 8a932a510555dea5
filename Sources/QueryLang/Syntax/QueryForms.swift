import LogStore

/// Forms of KQL that people paste from workbooks, community query packs and old saved searches:
/// deprecated spellings, `hint.*` parameters, tuple names, quoted names split into adjacent
/// literals. The parser reads them here, so its operator rules stay about the operators.
extension Parser {
    // MARK: deprecated spellings

    /// Operators Kusto still accepts under an old name (`mvexpand` is documented on the mv-expand
    /// page; `makeseries` is the same legacy spelling of make-series that old workbooks use).
    static let legacyOperators: [String: String] = ["mvexpand": "mv-expand", "makeseries": "make-series"]

    /// The limit the legacy `mvexpand` has when none is given (its documentation: 128 rows per row).
    static let legacyExpandLimit: Int64 = 128

    /// Functions' documented deprecated aliases ("Deprecated aliases:" on each function's page).
    /// `any()` is not here: it names its columns `any_x`, which the aggregate catalog does itself.
    static let legacyFunctions: [String: String] = [
        "makelist": "make_list", "makeset": "make_set", "make_dictionary": "make_bag",
        "argmax": "arg_max", "argmin": "arg_min", "anyif": "take_anyif",
        "arraylength": "array_length", "base64_decodestring": "base64_decode_tostring",
        "base64_encodestring": "base64_encode_tostring", "columnifexists": "column_ifexists",
        "datepart": "datetime_part", "extractall": "extract_all", "notempty": "isnotempty", "notnull": "isnotnull",
        "pack": "bag_pack", "pack_dictionary": "bag_pack", "parsejson": "parse_json", "toobject": "parse_json",
        "todynamic": "parse_json", "parseurl": "parse_url", "parseurlquery": "parse_url_query", "replace": "replace_regex",
        "totime": "totimespan", "to_utf8": "unicode_codepoints_from_string", "make_string": "unicode_codepoints_to_string",
        "weekofyear": "week_of_year",
    ]

    /// Functions the binder itself resolves (they read the input's schema, not values).
    static let binderFunctions: Set<String> = ["column_ifexists"]

    /// The legacy list and bag aggregates keep at most 128 values unless told otherwise (their pages say so).
    static let legacyMaxSize: Set<String> = ["makelist", "makeset", "make_dictionary"]

    /// The call as Kusto binds it: a deprecated alias becomes its function, with the legacy
    /// default size where the old spelling had one. An alias is rewritten only when logq knows
    /// the function it stands for and does not define the alias itself, so an unknown one is
    /// reported under the name the query wrote.
    static func canonicalCall(_ name: String, _ args: [Expr], _ range: SourceRange) -> (String, [Expr]) {
        guard let target = legacyFunctions[name], ScalarFunctions.table[name] == nil,
              ScalarFunctions.table[target] != nil || Aggregates.isAggregate(target) || binderFunctions.contains(target) else { return (name, args) }
        if legacyMaxSize.contains(name) && args.count == 1 {
            let end = SourceRange(range.end, range.end)
            return (target, args + [Expr(kind: .literal(.long(128)), range: end)])
        }
        return (target, args)
    }

    // MARK: hints

    /// The `hint.NAME` parameters each operator's documentation gives it. They guide Kusto's
    /// distributed execution; logq runs on one machine, so they are read and change nothing.
    static let operatorHints: [String: [String]] = [
        "join": ["strategy", "shufflekey", "num_partitions", "remote", "concurrency", "spread"],
        "lookup": ["strategy", "shufflekey", "num_partitions", "remote", "broadcast"],
        "summarize": ["strategy", "shufflekey", "num_partitions"],
        "make-series": ["strategy", "shufflekey", "num_partitions"],
        "union": ["concurrency", "spread", "remote"],
        "partition": ["strategy", "shufflekey", "num_partitions", "concurrency", "spread", "materialized"],
        "as": ["materialized"],
        "evaluate": ["distribution", "pass_filters", "pass_filters_column", "remote"],
    ]

    /// Is `hint.` next?
    var atHint: Bool { isWord("hint") && isPunct(".", peek()) }

    /// Reads one `hint.NAME = VALUE` of operator `op`. A name the operator does not take is a
    /// located error (LQ1010) over `hint.NAME`, as Kusto rejects unknown query parameters.
    mutating func hint(for op: String) throws {
        let start = advance().range.start
        _ = advance()
        let n = try identifier("a hint name after 'hint.'")
        let known = Parser.operatorHints[op] ?? []
        guard known.contains(n.text.lowercased()) else {
            diagnostics.append(Diagnostic(Msg.unknownHint("hint." + n.text, op, known: known), SourceRange(start, n.range.end)))
            throw Stop()
        }
        try expectPunct("=")
        // A strategy or side (`shuffle`, `broadcast`, `left`), a count, `true`, a key column
        // (also `['a b']`) or a string.
        switch tok.kind {
        case .integer, .string, .real: _ = advance()
        case .identifier: _ = advance()
        case .punct("["): _ = try identifier("a hint value")
        default: throw fail("a value for 'hint.\(n.text)'")
        }
    }

    /// Reads every `hint.…` at this point.
    mutating func hints(for op: String) throws {
        while atHint { try hint(for: op) }
    }

    // MARK: quoted names

    /// `['name']`, `["name"]`, and `["a" "b"]` (adjacent literals concatenate here too) starting
    /// `k` tokens ahead: the name and the number of tokens it spans, or nil.
    func quotedName(_ k: Int = 0) -> (String, Int)? {
        guard isPunct("[", peek(k)) else { return nil }
        var name = "", n = 1
        while case .string(let s) = peek(k + n).kind { name += s; n += 1 }
        guard n > 1, isPunct("]", peek(k + n)) else { return nil }
        return (name, n + 1)
    }

    // MARK: tuple names

    /// `(a, b, c) =` starting here: the names and their ranges, consumed with the `=`; nil (and
    /// nothing consumed) otherwise. Used where an aggregate of several columns is named.
    mutating func tupleNames() throws -> [(String, SourceRange)]? {
        guard isPunct("(") else { return nil }
        // Look ahead without consuming: names separated by commas, `)`, then `=` (not `==`).
        var k = 1
        while true {
            if peek(k).kind == .identifier { k += 1 } else if let (_, n) = quotedName(k) { k += n } else { return nil }
            if isPunct(",", peek(k)) { k += 1; continue }
            guard isPunct(")", peek(k)), isPunct("=", peek(k + 1)) else { return nil }
            break
        }
        _ = advance()
        var names: [(String, SourceRange)] = []
        repeat {
            let t = try identifier("a column name")
            names.append((t.text, t.range))
        } while acceptPunct(",")
        try expectPunct(")")
        try expectPunct("=")
        return names
    }
}

extension Parser {
    /// `kind=` spellings the join pages document besides the kinds' own names (`anti` and
    /// `leftantisemi` on join-leftanti, `rightantisemi` on join-rightanti); `left` was accepted before.
    static let joinKindAliases: [String: JoinKind] = [
        "left": .leftouter, "anti": .leftanti, "leftantisemi": .leftanti, "rightantisemi": .rightanti,
    ]
}
