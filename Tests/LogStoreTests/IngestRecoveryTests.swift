import Foundation
import XCTest
@testable import LogStore

/// Issue 11, "ingest that loses or blocks": each reproducer, with the rows kept and the rejects reported.
final class IngestRecoveryTests: XCTestCase {
    var dir = ""
    override func setUp() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-recovery-\(UUID())").path
        try? FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = dir + "/in/" + name
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }
    @discardableResult
    func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }

    func store() throws -> Store { try Store(path: dir + "/store", create: true) }

    /// The values of `column` in `table`, in stored order.
    func values(_ s: Store, _ table: String, _ column: String) throws -> [V] {
        var st = ScanStats()
        var out: [V] = []
        try s.scan(table, ScanRequest(), stats: &st) { b in
            let c = b.column(named: column)!
            for i in 0..<b.count { out.append(c.v(i)) }
        }
        return out
    }

    func reasons(_ r: FileIngestReport) -> [String] { r.firstRejects.map { "\($0.line): \($0.reason)" } }

    // MARK: documents recover at the next record

    func testMalformedArrayElementIsRejectedAndTheRestKept() throws {
        let f = write("arr.json", """
        [
          {"n": 1, "s": "a"},
          {"n": 2, "s": tru},
          {"n": 3 "s": "c"},
          {"n": 4, "s": "d"}
        ]
        """)
        let g = write("after.jsonl", "{\"n\": 5}\n")
        let s = try store()
        let r = try s.ingest(paths: [f, g], options: IngestOptions(table: "T"))
        XCTAssertEqual(r.count, 2)
        XCTAssertEqual(r[0].rows, 2)
        XCTAssertEqual(r[0].rejected, 2)
        XCTAssertEqual(r[0].firstRejects.map(\.line), [3, 4])
        XCTAssertEqual(r[0].firstRejects.map(\.file), [f, f])
        XCTAssertTrue(r[0].firstRejects[0].reason.contains("invalid literal"), reasons(r[0]).description)
        XCTAssertEqual(r[1].rows, 1, "the rest of the run goes on")
        XCTAssertEqual(try values(s, "T", "n").sorted { $0.asString < $1.asString }, [.long(1), .long(4), .long(5)])
    }

    func testArrayElementCutShortResumesAtTheNextElementLine() throws {
        // The second element's string is never closed: bracket balance is lost, the indentation is not.
        let f = write("cut.json", "[\n  {\"n\": 1},\n  {\"n\": 2, \"s\": \"never closed\n  {\"n\": 3},\n  {\"n\": 4}\n]\n")
        let s = try store()
        let r = try s.ingest(paths: [f], options: IngestOptions(table: "T"))
        XCTAssertEqual(r[0].rejected, 1, reasons(r[0]).description)
        XCTAssertEqual(r[0].firstRejects[0].line, 3)
        XCTAssertEqual(try values(s, "T", "n"), [.long(1), .long(3), .long(4)])
    }

    func testPrettyPrintedRecordsRecoverAfterABadOne() throws {
        let f = write("pretty.json", """
        {
          "n": 1
        }
        {
          "n": 2,
          "bad": [1, 2,
        }
        {
          "n": 3
        }
        {
          "n": 4,
          "s": "x
        }
        {
          "n": 5
        }
        """)
        let s = try store()
        let r = try s.ingest(paths: [f], options: IngestOptions(table: "P"))
        XCTAssertEqual(r[0].firstRejects.map(\.line), [4, 11], reasons(r[0]).description)
        XCTAssertEqual(reasons(r[0]), ["4: malformed JSON: unexpected character '}' (line 7, column 1)", "11: malformed JSON: control character in string (line 13, column 10)"])
        XCTAssertEqual(try values(s, "P", "n"), [.long(1), .long(3), .long(5)])
    }

    func testByteOrderMarkIsSkipped() throws {
        let s = try store()
        let nd = try s.ingest(paths: [write("bom.jsonl", [0xEF, 0xBB, 0xBF] + Array("{\"n\":1}\n{\"n\":2}\n".utf8))], options: IngestOptions(table: "B"))
        XCTAssertEqual(nd[0].rows, 2)
        XCTAssertEqual(nd[0].rejected, 0, reasons(nd[0]).description)
        let arr = try s.ingest(paths: [write("bom.json", [0xEF, 0xBB, 0xBF] + Array("[{\"n\":3}]".utf8))], options: IngestOptions(table: "B"))
        XCTAssertEqual(arr[0].rows, 1)
        XCTAssertEqual(try values(s, "B", "n"), [.long(1), .long(2), .long(3)])
    }

    // MARK: gzip damage keeps what came before it

    func testGzipWithAFlippedByteKeepsTheLinesBeforeTheDamage() throws {
        let lines = (0..<2000).map { "{\"i\":\($0),\"pad\":\"\(String(repeating: "x", count: ($0 * 7919) % 50))\"}" }
        let p = write("g.jsonl", lines.joined(separator: "\n") + "\n")
        XCTAssertEqual(system("gzip -n -f \(p)"), 0)
        var gz = [UInt8](FileManager.default.contents(atPath: p + ".gz")!)
        gz[gz.count * 3 / 4] ^= 0x55
        let damaged = write("damaged.jsonl.gz", gz)
        let s = try store()
        let r = try s.ingest(paths: [damaged], options: IngestOptions(table: "G"))
        XCTAssertGreaterThan(r[0].rows, 1000, "lines decompressed before the damage are kept")
        XCTAssertLessThan(r[0].rows, 2000)
        // Damage may decode into garbled lines (rejected) before zlib detects it; the last reject is zlib's.
        var st = ScanStats()
        var rejects: [(line: V, reason: V)] = []
        try s.scan(Store.rejectsTable, ScanRequest(), stats: &st) { b in
            for i in 0..<b.count { rejects.append((b.column(named: "Line")!.v(i), b.column(named: "Reason")!.v(i))) }
        }
        XCTAssertEqual(rejects.count, r[0].rejected)
        let gzipError = rejects.last!
        XCTAssertTrue(gzipError.reason.asString.hasPrefix("corrupt gzip stream ("), gzipError.reason.asString)
        guard case .long(let line) = gzipError.line else { return XCTFail("\(gzipError.line)") }
        XCTAssertGreaterThanOrEqual(Int(line), r[0].rows, "the report names the line where decoding stopped")
        // Every row kept is an original line, in order.
        let kept = try values(s, "G", "i")
        XCTAssertEqual(kept.prefix(1000), ArraySlice((0..<1000).map { V.long(Int64($0)) }))
    }

    func testGzipWithABadChecksumKeepsEveryLineAndSaysSo() throws {
        let p = write("c.jsonl", (0..<100).map { "{\"i\":\($0)}" }.joined(separator: "\n") + "\n")
        XCTAssertEqual(system("gzip -n -f \(p)"), 0)
        var gz = [UInt8](FileManager.default.contents(atPath: p + ".gz")!)
        gz[gz.count - 8] ^= 0xFF   // the CRC32 in the trailer
        let damaged = write("crc.jsonl.gz", gz)
        let r = try store().ingest(paths: [damaged], options: IngestOptions(table: "C"))
        XCTAssertEqual(r[0].rows, 100)
        XCTAssertEqual(reasons(r[0]), ["101: corrupt gzip stream (incorrect data check) after \(gz.count - 4) compressed bytes"])
    }

    func testConcatenatedGzipMembersAreAllRead() throws {
        let a = write("a.jsonl", "{\"n\":1}\n"), b = write("b.jsonl", "{\"n\":2}\n")
        XCTAssertEqual(system("gzip -n -c \(a) > \(dir)/in/ab.jsonl.gz && gzip -n -c \(b) >> \(dir)/in/ab.jsonl.gz"), 0)
        let s = try store()
        let r = try s.ingest(paths: [dir + "/in/ab.jsonl.gz"], options: IngestOptions(table: "Z"))
        XCTAssertEqual(r[0].rows, 2)
        XCTAssertEqual(r[0].rejected, 0)
    }

    // MARK: --max-line-bytes holds in every mode

    func testFirstLineOverTheReadSizeIsRejectedAndTheRestKept() throws {
        // 5 MiB on one line, starting with '{' and no line break in the first read: was read whole.
        var big = Array("{\"n\":0,\"s\":\"".utf8) + [UInt8](repeating: 0x61, count: 5 << 20) + Array("\"}\n".utf8)
        big += Array("{\"n\":1}\n{\"n\":2}\n".utf8)
        let f = write("big.jsonl", big)
        let s = try store()
        var o = IngestOptions(table: "L")
        o.maxLineBytes = 1 << 20
        let r = try s.ingest(paths: [f], options: o)
        XCTAssertEqual(r[0].rows, 2)
        XCTAssertEqual(r[0].rejected, 1)
        XCTAssertEqual(r[0].firstRejects[0].line, 1)
        XCTAssertTrue(r[0].firstRejects[0].reason.contains("longer than 1048576 bytes"), r[0].firstRejects[0].reason)
        XCTAssertEqual(try values(s, "L", "n"), [.long(1), .long(2)])
    }

    func testTooLongRecordsInDocumentsAreRejectedByLine() throws {
        let s = try store()
        var o = IngestOptions(table: "D")
        o.maxLineBytes = 100
        let long = String(repeating: "y", count: 300)
        let arr = try s.ingest(paths: [write("a.json", "[\n{\"n\":1},\n{\"n\":2,\"s\":\"\(long)\"},\n{\"n\":3}\n]")], options: o)
        XCTAssertEqual(arr[0].rows, 2)
        XCTAssertEqual(arr[0].firstRejects.map(\.line), [3])
        XCTAssertTrue(arr[0].firstRejects[0].reason.contains("record longer than 100 bytes"), arr[0].firstRejects[0].reason)
        let pretty = try s.ingest(paths: [write("p.json", "{\n \"n\": 4\n}\n{\n \"n\": 5,\n \"s\": \"\(long)\"\n}\n{\n \"n\": 6\n}\n")], options: o)
        XCTAssertEqual(pretty[0].rows, 2)
        XCTAssertEqual(pretty[0].firstRejects.map(\.line), [4])
        let qr = try s.ingest(paths: [write("q.json", """
        {"tables":[{"name":"PrimaryResult","columns":[{"name":"n","type":"long"},{"name":"s","type":"string"}],
        "rows":[
        [7,"a"],
        [8,"\(long)"],
        [9,"c"]]}]}
        """)], options: o)
        XCTAssertEqual(qr[0].rows, 2)
        XCTAssertEqual(qr[0].firstRejects.map(\.line), [4])
        XCTAssertEqual(try values(s, "D", "n"), [.long(1), .long(3), .long(4), .long(6), .long(7), .long(9)])
    }

    func testLargeDocumentStreamsWithinTheLineLimit() throws {
        // A 6 MiB array with a 64 KiB limit: every record is small, so all are kept.
        let rec = "{\"n\":0,\"s\":\"" + String(repeating: "z", count: 1000) + "\"}"
        let f = write("huge.json", "[" + Array(repeating: rec, count: 6000).joined(separator: ",") + "]")
        let s = try store()
        var o = IngestOptions(table: "H")
        o.maxLineBytes = 64 << 10
        let r = try s.ingest(paths: [f], options: o)
        XCTAssertEqual(r[0].rows, 6000)
        XCTAssertEqual(r[0].rejected, 0)
    }

    // MARK: files that cannot be read are reported and skipped

    func testMissingFifoAndDirectoryInputsAreReportedAndTheRunGoesOn() throws {
        let fifo = dir + "/in/pipe.jsonl"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let good = write("good.jsonl", "{\"n\":1}\n")
        let s = try store()
        // A FIFO with no writer used to block here forever, holding the writer lock.
        let r = try s.ingest(paths: [dir + "/in/missing.jsonl", fifo, good], options: IngestOptions(table: "F"))
        XCTAssertEqual(r.count, 3)
        XCTAssertEqual(r[0].failure, "cannot open: No such file or directory")
        XCTAssertEqual(r[1].failure, "not a regular file (a FIFO)")
        XCTAssertNil(r[2].failure)
        XCTAssertEqual(r[2].rows, 1)
        // A folder walk meets the FIFO too.
        let walked = try s.ingest(paths: [dir + "/in"], options: IngestOptions(table: "W", force: true))
        XCTAssertEqual(walked.compactMap(\.failure), ["not a regular file (a FIFO)"])
        XCTAssertEqual(walked.map(\.rows).reduce(0, +), 1)
    }

    // MARK: what was read is recorded exactly

    func testDuplicateDetectionHashesTheWholeContent() throws {
        // Same size, same first and last MiB, different middle: two different files.
        let head = [UInt8](repeating: 0x0A, count: 1 << 20), tail = [UInt8](repeating: 0x0A, count: 1 << 20)
        let a = write("a.jsonl", head + Array("{\"n\":1}\n".utf8) + tail)
        let b = write("b.jsonl", head + Array("{\"n\":2}\n".utf8) + tail)
        let s = try store()
        XCTAssertEqual(try s.ingest(paths: [a], options: IngestOptions(table: "X"))[0].rows, 1)
        let second = try s.ingest(paths: [b], options: IngestOptions(table: "X"))[0]
        XCTAssertFalse(second.skipped)
        XCTAssertEqual(second.rows, 1)
        XCTAssertTrue(try s.ingest(paths: [a], options: IngestOptions(table: "X"))[0].skipped, "the same content again is a no-op")
        XCTAssertEqual(try values(s, "X", "n"), [.long(1), .long(2)])
    }

    func testAFileRecordedByAnOlderStoreIsStillRecognized() throws {
        // A store made before whole-content hashing recorded `size:FNV-1a(first and last MiB)`:
        // re-ingesting the same folder after an upgrade must not add its rows a second time.
        let p = write("old.jsonl", "{\"n\":1}\n")
        let s = try store()
        _ = try s.commit(source: p, size: 8, fingerprint: LegacyFingerprint.of(path: p)!, segments: [], rejects: [], rejectedTotal: 0)
        XCTAssertTrue(try s.ingest(paths: [p], options: IngestOptions(table: "O"))[0].skipped)
        let other = write("new.jsonl", "{\"n\":2}\n")
        XCTAssertFalse(try s.ingest(paths: [other], options: IngestOptions(table: "O"))[0].skipped)
        XCTAssertEqual(try values(s, "O", "n"), [.long(2)])
    }

    func testAFileAppendedToAfterIngestIsNotTakenAsIngested() throws {
        let p = write("grow.jsonl", "{\"n\":1}\n")
        let s = try store()
        XCTAssertEqual(try s.ingest(paths: [p], options: IngestOptions(table: "A"))[0].rows, 1)
        let h = FileHandle(forWritingAtPath: p)!
        h.seekToEndOfFile(); h.write(Data("{\"n\":2}\n".utf8)); h.closeFile()
        let again = try s.ingest(paths: [p], options: IngestOptions(table: "A"))[0]
        XCTAssertFalse(again.skipped)
    }

    func testAFileAppendedToWhileReadIsReportedAndNotDuplicatedNextTime() throws {
        let p = write("live.jsonl", "{\"n\":1}\n{\"n\":2}\n")
        let s = try store()
        var o = IngestOptions(table: "L")
        o.afterFirstRead = { path in
            let h = FileHandle(forWritingAtPath: path)!
            h.seekToEndOfFile(); h.write(Data("{\"n\":3}\n".utf8)); h.closeFile()
        }
        let r = try s.ingest(paths: [p], options: o)[0]
        XCTAssertEqual(r.rows, 3, "what was appended before the end was reached is read")
        XCTAssertEqual(reasons(r), ["4: the file changed while it was read (size 16 → 24 bytes); the 24 bytes read were ingested and recorded"])
        // What was recorded is what was read: the same content is not ingested twice.
        let again = try s.ingest(paths: [p], options: IngestOptions(table: "L"))[0]
        XCTAssertTrue(again.skipped)
        XCTAssertEqual(try values(s, "L", "n"), [.long(1), .long(2), .long(3)])
    }

    func testContentHashIsXXH64() {
        XCTAssertEqual(ContentHash.of([]), 0xEF46_DB37_51D8_E999)
        XCTAssertEqual(ContentHash.of(Array("a".utf8)), 0xD24E_C4F1_A98C_6E5B)
        XCTAssertEqual(ContentHash.of(Array("abc".utf8)), 0x44BC_2CF5_AD77_0999)
        // Fed in pieces of any size, the hash is the same.
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var h = ContentHash()
        var i = 0
        for n in [1, 7, 31, 32, 33, 100, 796] {
            data[i..<i + n].withUnsafeBytes { h.update($0) }; i += n
        }
        XCTAssertEqual(h.finish(), ContentHash.of(data))
    }

    // MARK: routing

    func testQueryResultRowsWithItemTypeGoToTheirTable() throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/samples").standardized.path
        let file = samples + "/appinsights-rest-api/requests_take10.response.json"
        guard FileManager.default.fileExists(atPath: file) else { throw XCTSkip("shared/samples not present") }
        let s = try store()
        let r = try s.ingest(paths: [file])
        XCTAssertEqual(r[0].rowsByTable, ["requests": 10])
        XCTAssertEqual(r[0].rejected, 0)
        XCTAssertNil(try s.schema(of: "requests_take10.response"))
        XCTAssertEqual(try s.schema(of: "requests")?.column(named: "success")?.type, .bool)
    }

    // MARK: names and keys reject the record, never the file

    func testBadTableNamesAndKeysRejectTheRecordOnly() throws {
        let long = String(repeating: "T", count: 300), tooLong = String(repeating: "U", count: 1025)
        let f = write("names.jsonl", """
        {"Type":"\(long)","n":1}
        {"Type":"\(tooLong)","n":2}
        {"Type":"ingest_rejects","n":3}
        {"Type":"bad\\u0001name","n":4}
        {"a\\u0000":5,"a":6}
        {"a\\u001fb":7}
        {"Type":"ok","n":8,"a":9}
        """)
        let s = try store()
        let r = try s.ingest(paths: [f])
        XCTAssertEqual(r[0].rowsByTable, [long: 1, "ok": 1])
        XCTAssertEqual(reasons(r[0]), [
            "2: table name of 1025 characters (at most 1024)",
            "3: table name 'ingest_rejects' is reserved for the built-in table of rejected lines",
            "4: table name 'bad?name' holds control character U+0001",
            "5: key \"a\\u0000\" holds control character U+0000; the record is rejected",
            "6: key \"a\\u001fb\" holds control character U+001F; the record is rejected",
        ])
        // A 300-character table is a table like any other.
        XCTAssertEqual(try values(s, long, "n"), [.long(1)])
        XCTAssertEqual(try s.schema(of: "ok")?.columns.map(\.name), ["Type", "n", "a"])
        // The built-in table still answers with the rejects.
        XCTAssertEqual(try values(s, Store.rejectsTable, "Line"), [.long(2), .long(3), .long(4), .long(5), .long(6)])
    }

    // MARK: converters never trap

    func testQueryResultTimespanExtremesAreExactOrNull() throws {
        let f = write("ts.json", """
        {"tables":[{"name":"PrimaryResult","columns":[{"name":"i","type":"long"},{"name":"d","type":"timespan"}],"rows":[
        [1,"nan"],[2,1e19],[3,"-10675199.02:48:05.4775808"],[4,"10675199.02:48:05.4775807"],[5,"10675199.02:48:05.4775808"],
        [6,"1e19"],[7,"00:00:01.5"],[8,"Infinity"],[9,"not a timespan"]]}]}
        """)
        let s = try store()
        let r = try s.ingest(paths: [f], options: IngestOptions(table: "S"))
        XCTAssertEqual(r[0].rows, 8)
        XCTAssertEqual(reasons(r[0]), ["3: column 'd': expected timespan, found \"not a timespan\" (column 28)"])
        XCTAssertEqual(try values(s, "S", "d"), [.null, .null, .long(Int64.min), .long(Int64.max), .null, .null, .long(15_000_000), .null])
    }

    func testContinuousExportWithATinySamplingRateKeepsTheRecord() throws {
        let line = #"{"request":[{"id":"r1","name":"GET /","responseCode":200,"success":true,"durationMetric":{"value":10000.0}}],"context":{"data":{"eventTime":"2025-01-01T00:00:00Z","samplingRate":1e-300},"operation":{"id":"op"}}}"#
        let s = try store()
        let r = try s.ingest(paths: [write("ce.json", line + "\n")])
        XCTAssertEqual(r[0].rowsByTable, ["requests": 1])
        XCTAssertEqual(r[0].rejected, 0)
        XCTAssertEqual(try values(s, "requests", "itemCount"), [.null])
    }

    func testTimespanTextConversions() {
        XCTAssertEqual(TimespanText.parse(Array("-10675199.02:48:05.4775808".utf8)), .ticks(Int64.min))
        XCTAssertEqual(TimespanText.parse(Array("1.02:03:04.5".utf8)), .ticks(Ticks.perDay + 2 * Ticks.perHour + 3 * Ticks.perMinute + 4 * Ticks.perSecond + 5_000_000))
        XCTAssertEqual(TimespanText.parse(Array("2".utf8)), .ticks(2 * Ticks.perDay))
        XCTAssertEqual(TimespanText.parse(Array("99999999999999999999.00:00".utf8)), .null)
        XCTAssertEqual(TimespanText.parse(Array("1e300".utf8)), .null)
        XCTAssertEqual(TimespanText.parse(Array("-nan".utf8)), .null)
        XCTAssertEqual(TimespanText.parse(Array("1:x".utf8)), .invalid)
    }

    // MARK: many distinct keys are bounded

    func testKeysPastTheColumnLimitGoToTheOverflowBag() throws {
        let n = TableBuilder.maxColumns + 500
        let lines = (0..<n).map { "{\"n\":\($0),\"k\(String(format: "%05d", $0))\":\"v\($0)\"}" }
        let s = try store()
        let r = try s.ingest(paths: [write("wide.jsonl", lines.joined(separator: "\n"))], options: IngestOptions(table: "W"))
        XCTAssertEqual(r[0].rows, n)
        XCTAssertEqual(r[0].rejected, 0)
        let schema = try s.schema(of: "W")!
        XCTAssertEqual(schema.columns.count, TableBuilder.maxColumns + 1)
        XCTAssertEqual(schema.columns.last?.name, TableBuilder.overflowColumn)
        XCTAssertEqual(schema.columns.last?.type, .dynamic)
        // Every value is kept: in its column below the limit, in the bag past it.
        let extra = try values(s, "W", TableBuilder.overflowColumn)
        let first = try values(s, "W", "k00000")
        XCTAssertEqual(first[0], .string("v0"))
        XCTAssertEqual(extra[0], .null)
        XCTAssertEqual(extra[TableBuilder.maxColumns - 1], .string("{\"k00999\":\"v999\"}"))
        XCTAssertEqual(extra[n - 1], .string("{\"k\(String(format: "%05d", n - 1))\":\"v\(n - 1)\"}"))
        XCTAssertEqual(extra.filter { $0 != .null }.count, n - (TableBuilder.maxColumns - 1))
    }
}
