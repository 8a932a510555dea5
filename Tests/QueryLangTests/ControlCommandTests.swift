import Foundation
import XCTest
import LogStore
@testable import QueryLang

/// `.show` commands answer with Kusto's column sets (learn.microsoft.com/kusto/management/
/// show-tables-command, show-table-schema-command, show-function); anything else is a located error.
final class ControlCommandTests: XCTestCase {
    var fixture: BinderFixture!
    override func setUpWithError() throws { fixture = try BinderFixture() }
    override func tearDown() { fixture = nil }

    func table(_ text: String) throws -> (names: [String], rows: [[String]]) {
        let r = try QueryEngine.compile(text, store: fixture.store).run()
        let rows = (0..<r.rowCount).map { i in (0..<r.names.count).map { r.value(row: i, column: $0).asString } }
        return (r.names, rows)
    }

    func testShowTables() throws {
        let t = try table(".show tables")
        XCTAssertEqual(t.names, ["TableName", "DatabaseName", "Folder", "DocString", "RowCount"])
        XCTAssertEqual(t.rows, [["T", "logq", "", "", "3"]])
        XCTAssertEqual(try table(".show tables (T)").rows, [["T", "logq", "", "", "3"]])
    }

    func testShowTableSchemaAsJSON() throws {
        let t = try table(".show table T schema as json")
        XCTAssertEqual(t.names, ["TableName", "Schema", "DatabaseName", "Folder", "DocString"])
        XCTAssertEqual(t.rows.count, 1)
        XCTAssertEqual(t.rows[0][0], "T")
        XCTAssertEqual(t.rows[0][1], #"{"Name":"T","OrderedColumns":[{"Name":"timestamp","Type":"System.DateTime","CslType":"datetime"},{"Name":"name","Type":"System.String","CslType":"string"},{"Name":"duration","Type":"System.Double","CslType":"real"},{"Name":"resultCode","Type":"System.Int64","CslType":"long"},{"Name":"success","Type":"System.SByte","CslType":"bool"},{"Name":"props","Type":"System.Object","CslType":"dynamic"}]}"#)
        XCTAssertEqual(Array(t.rows[0][2...]), ["logq", "", ""])
        let csl = try table(".show table T cslschema")
        XCTAssertEqual(csl.rows[0][1], "timestamp:datetime,name:string,duration:real,resultCode:long,success:bool,props:dynamic")
    }

    func testShowFunctionsAndVersion() throws {
        let f = try table(".show functions")
        XCTAssertEqual(f.names, ["Name", "Parameters", "Body", "Folder", "DocString"])
        XCTAssertEqual(f.rows, [])
        let v = try table(".show version")
        XCTAssertEqual(v.names, ["BuildVersion", "BuildTime", "ServiceType", "ProductVersion", "ServiceOffering"])
        XCTAssertEqual(v.rows, [[QueryEngine.version, "", "logq", "logq \(QueryEngine.version)", "logq"]])
    }

    func testBadCommandsAreLocated() throws {
        func diag(_ text: String) -> (String, Int, Int, String)? {
            fixture.diagnostics(text).first.map { ("\($0.code)", $0.range.start, $0.range.end, $0.message) }
        }
        let drop = diag(".drop table T")
        XCTAssertEqual(drop?.0, "LQ1006")
        XCTAssertEqual(drop.map { [$0.1, $0.2] }, [0, 11])
        XCTAssertTrue(drop?.3.hasPrefix("the control command '.drop table T' is not supported by logq (it answers .show tables, ") == true, drop?.3 ?? "")
        let missing = diag(".show table Nope schema as json")
        XCTAssertEqual(missing?.0, "LQ2001")
        XCTAssertEqual(missing.map { [$0.1, $0.2] }, [12, 16])
        XCTAssertEqual(missing?.3, "unknown table or tabular expression 'Nope'")
        let missingInList = diag(".show tables (T, Gone)")
        XCTAssertEqual(missingInList.map { [$0.0, "\($0.1)", "\($0.2)"] }, ["LQ2001", "17", "21"])
        let form = diag(".show table T schema as xml")
        XCTAssertEqual(form?.0, "LQ1001")
        XCTAssertEqual(form.map { [$0.1, $0.2] }, [14, 27])
        XCTAssertEqual(diag(".show")?.0, "LQ1006")
        XCTAssertEqual(diag(".show table")?.0, "LQ1001")
    }
}
