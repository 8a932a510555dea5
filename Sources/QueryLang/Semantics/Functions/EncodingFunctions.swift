import Foundation
import LogStore

/// URLs, base64, GUIDs and hashes.
enum EncodingFunctions: FunctionFamily {
    static func register(into r: inout FunctionRegistry) {
        r.def(["parse_urlquery"], 1, 1) { a, r in call("parse_urlquery", a, .dynamic, r) { v in
            var params: [(String, JSONValue)] = []
            for pair in v[0].asString.split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (x: Substring) in String(x).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(x) }
                params.append((decode(kv[0]), .string(kv.count > 1 ? decode(kv[1]) : "")))
            }
            return .dynamic(.object([("Query Parameters", .object(params))]))
        } }
        r.def(["url_encode", "url_encode_component"], 1, 1) { a, r in call("url_encode", a, .string, r) { v in
            .string(v[0].asString.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? "")
        } }
        r.def(["url_decode"], 1, 1) { a, r in call("url_decode", a, .string, r) { v in .string(v[0].asString.removingPercentEncoding ?? "") } }
        r.def(["base64_encode_tostring", "base64_encodestring"], 1, 1) { a, r in call("base64_encode_tostring", a, .string, r) { v in .string(Data(v[0].asString.utf8).base64EncodedString()) } }
        r.def(["base64_decode_tostring", "base64_decodestring"], 1, 1) { a, r in call("base64_decode_tostring", a, .string, r) { v in
            Data(base64Encoded: v[0].asString).map { .string(String(decoding: $0, as: UTF8.self)) } ?? .string("")
        } }
        // GUIDs as bytes in .NET's order (Guid.ToByteArray: the first three groups little-endian), as Kusto does.
        r.def(["base64_encode_fromguid"], 1, 1) { a, r in call("base64_encode_fromguid", a, .string, r) { v in
            guard let bytes = StringFns.guidBytes(v[0].asString) else { return .null }
            return .string(Data(bytes).base64EncodedString())
        } }
        r.def(["base64_decode_toguid"], 1, 1) { a, r in call("base64_decode_toguid", a, .guid, r) { v in
            guard let d = Data(base64Encoded: v[0].asString), d.count == 16 else { return .null }
            return .string(StringFns.guidString(Array(d)))
        } }
        r.def(["base64_decode_toarray"], 1, 1) { a, r in call("base64_decode_toarray", a, .dynamic, r) { v in
            guard let d = Data(base64Encoded: v[0].asString) else { return .null }
            return .dynamic(.array(d.map { .int(Int64(truncatingIfNeeded: $0)) }))
        } }
        r.def(["hash"], 1, 2) { a, r in call("hash", a, .long, r) { v in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in v[0].asString.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            let x = Int64(bitPattern: h & 0x7FFF_FFFF_FFFF_FFFF)
            if v.count > 1, let m = v[1].asInt, m > 0 { return .long(x % m) }
            return .long(x)
        } }
        r.def(["parse_url"], 1, 1) { a, r in call("parse_url", a, .dynamic, r) { v in .dynamic(StringFns.parseURL(v[0].asString)) } }
        r.def(["new_guid"], 0, 0) { a, r in call("new_guid", a, .guid, r) { _ in .string(UUID().uuidString.lowercased()) } }
    }
}
