import Foundation
import XCTest
@testable import LogStore

/// Continuous Export and OTLP records are mapped to rows that go straight into the column builders:
/// whole rows pinned (names, types, values), and a value that does not convert rejected with the
/// offset it has in the row's JSON text.
final class MappedFormatsTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-mapped-\(UUID())").path }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ name: String, _ text: String) -> String {
        try? FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
        let p = dir + "/in/" + name
        FileManager.default.createFile(atPath: p, contents: text.data(using: .utf8))
        return p
    }

    /// Every row of `table` as (column, type, value) triples.
    func rows(_ store: Store, _ table: String) throws -> [[String]] {
        let schema = try store.schema(of: table)!
        var out: [[String]] = []
        for s in try store.segments(of: table) {
            let b = try store.read(s, columns: schema.columns.map(\.name), schema: schema)
            for i in 0..<b.count {
                out.append(zip(schema.columns, b.columns).map { c, col in "\(c.name):\(c.type.name)=\(col.v(i))" })
            }
        }
        return out
    }

    static let continuousExportLine = """
        {"request":[{"id":"q1","name":"GET /a","count":1,"responseCode":503,"success":false,"url":"https://x/a",\
        "durationMetric":{"value":1234567.0,"count":1.0}}],"internal":{"data":{"id":"item-1"}},\
        "context":{"data":{"eventTime":"2025-01-02T03:04:05.5Z","samplingRate":25.0,"isSynthetic":true},\
        "device":{"type":"PC","roleName":"web","roleInstance":"web-1"},"user":{"anonId":"u1"},\
        "session":{"id":"s1"},"operation":{"id":"op1","name":"GET /a","parentId":"p1"},\
        "location":{"clientip":"10.0.0.1","country":"France"},\
        "custom":{"dimensions":[{"k":"v"},{"n":2}],"metrics":[{"m":1.5}]}}}
        """

    func testContinuousExportLineBecomesOneWholeRequestRow() throws {
        let store = try Store(path: dir + "/store", create: true)
        let r = try store.ingest(paths: [write("ce.jsonl", Self.continuousExportLine + "\n")])
        XCTAssertEqual(r[0].rowsByTable, ["requests": 1])
        XCTAssertEqual(r[0].rejected, 0)
        XCTAssertEqual(try rows(store, "requests"), [[
            "timestamp:datetime=long(\(Ticks.parseDatetime("2025-01-02T03:04:05.5Z")!))",
            "id:string=string(\"q1\")", "source:string=string(\"\")", "name:string=string(\"GET /a\")",
            "url:string=string(\"https://x/a\")", "success:bool=bool(false)", "resultCode:string=string(\"503\")",
            "duration:real=real(123.4567)", "performanceBucket:string=string(\"\")", "itemType:string=string(\"request\")",
            "customDimensions:dynamic=string(\"{\\\"k\\\":\\\"v\\\",\\\"n\\\":2}\")",
            "customMeasurements:dynamic=string(\"{\\\"m\\\":1.5}\")",
            "operation_Name:string=string(\"GET /a\")", "operation_Id:string=string(\"op1\")",
            "operation_ParentId:string=string(\"p1\")", "operation_SyntheticSource:string=string(\"Synthetic\")",
            "session_Id:string=string(\"s1\")", "user_Id:string=string(\"u1\")", "user_AuthenticatedId:string=string(\"\")",
            "user_AccountId:string=string(\"\")", "application_Version:string=string(\"\")", "client_Type:string=string(\"PC\")",
            "client_Model:string=string(\"\")", "client_OS:string=string(\"\")", "client_IP:string=string(\"10.0.0.1\")",
            "client_City:string=string(\"\")", "client_StateOrProvince:string=string(\"\")",
            "client_CountryOrRegion:string=string(\"France\")", "client_Browser:string=string(\"\")",
            "cloud_RoleName:string=string(\"web\")", "cloud_RoleInstance:string=string(\"web-1\")",
            "appId:string=string(\"\")", "appName:string=string(\"\")", "iKey:string=string(\"\")", "sdkVersion:string=string(\"\")",
            "itemId:string=string(\"item-1\")", "itemCount:int=long(4)", "_ResourceId:string=string(\"\")",
        ]])
    }

    func testContinuousExportValueThatDoesNotConvertIsRejectedWithItsOffsetInTheRowText() throws {
        let store = try Store(path: dir + "/store", create: true)
        let bad = Self.continuousExportLine.replacingOccurrences(of: "\"success\":false", with: "\"success\":\"maybe\"")
        let r = try store.ingest(paths: [write("ce.jsonl", Self.continuousExportLine + "\n" + bad + "\n")])
        XCTAssertEqual(r[0].rowsByTable, ["requests": 1])
        XCTAssertEqual(r[0].rejected, 1)
        let reject = try XCTUnwrap(r[0].firstRejects.first)
        XCTAssertEqual(reject.line, 2)
        // The text is the mapped row as JSON; the column is where "maybe" ends in it.
        let marker = "\"success\":\"maybe\""
        let end = try XCTUnwrap(reject.text.range(of: marker)).upperBound
        XCTAssertEqual(reject.reason, "column 'success': expected bool, found \"maybe\" (column \(reject.text.utf8.distance(from: reject.text.startIndex, to: end) + 1))")
        XCTAssertTrue(reject.text.hasPrefix("{\"timestamp\":\"2025-01-02T03:04:05.5Z\",\"operation_Name\":\"GET /a\""), reject.text)
    }

    static let otlpDocument = """
        {
          "resourceLogs": [{
            "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
            "scopeLogs": [{
              "scope": {"name": "lib", "version": "2.0"},
              "logRecords": [{
                "timeUnixNano": "1700000000123456700",
                "observedTimeUnixNano": "1700000001000000000",
                "severityNumber": 9, "severityText": "Info",
                "body": {"kvlistValue": {"values": [{"key": "n", "value": {"intValue": "42"}},
                                                    {"key": "a", "value": {"arrayValue": {"values": [{"doubleValue": 1.0}, {"boolValue": true}]}}}]}},
                "traceId": "T1", "spanId": "S1",
                "attributes": [{"key": "x", "value": {"doubleValue": 2.5}}]
              }]
            }]
          }],
          "resourceSpans": [{
            "resource": {"attributes": []},
            "scopeSpans": [{
              "scope": {"name": "lib"},
              "spans": [{"traceId": "T1", "spanId": "S2", "parentSpanId": "", "name": "op", "kind": 2,
                         "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000250000000",
                         "status": {"code": 1}}]
            }]
          }]
        }
        """

    func testOTLPDocumentBecomesWholeLogAndSpanRows() throws {
        let store = try Store(path: dir + "/store", create: true)
        let r = try store.ingest(paths: [write("otlp.json", Self.otlpDocument + "\n")])
        XCTAssertEqual(r[0].rowsByTable, ["OTelLogs": 1, "OTelSpans": 1])
        XCTAssertEqual(r[0].rejected, 0)
        let t0 = Ticks.unixEpoch + 1_700_000_000_000_000_000 / 100
        XCTAssertEqual(try rows(store, "OTelLogs"), [[
            "TimeGenerated:datetime=long(\(t0 + 1_234_567))", "ObservedTime:datetime=long(\(t0 + 10_000_000))",
            "SeverityNumber:int=long(9)", "SeverityText:string=string(\"Info\")",
            "Body:dynamic=string(\"{\\\"n\\\":42,\\\"a\\\":[1,true]}\")",
            "TraceId:string=string(\"T1\")", "SpanId:string=string(\"S1\")",
            "Attributes:dynamic=string(\"{\\\"x\\\":2.5}\")", "Resource:dynamic=string(\"{\\\"service.name\\\":\\\"svc\\\"}\")",
            "ScopeName:string=string(\"lib\")", "ScopeVersion:string=string(\"2.0\")",
        ]])
        XCTAssertEqual(try rows(store, "OTelSpans"), [[
            "TimeGenerated:datetime=long(\(t0))", "EndTime:datetime=long(\(t0 + 2_500_000))",
            "DurationMs:real=real(250.0)", "Name:string=string(\"op\")", "Kind:int=long(2)",
            "TraceId:string=string(\"T1\")", "SpanId:string=string(\"S2\")", "ParentSpanId:string=string(\"\")",
            "StatusCode:int=long(1)", "StatusMessage:string=string(\"\")",
            "Attributes:dynamic=string(\"{}\")", "Resource:dynamic=string(\"{}\")", "ScopeName:string=string(\"lib\")",
        ]])
    }
}
