import Foundation
import XCTest
import LogStore
@testable import QueryLang

/// Golden tests: each `Golden/NAME.kql` runs against an empty store; its result must equal
/// `Golden/NAME.expected` exactly: a header of `name:type` cells, then one line per row (cells
/// tab-separated, null as `<null>`), or the rendered diagnostics after a line `error`.
/// Set LOGQ_UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change.
final class GoldenTests: XCTestCase {
    static func render(_ text: String, store: Store) -> String {
        do {
            let q = try QueryEngine.compile(text, store: store)
            let r = try q.run()
            var out = zip(r.names, r.types).map { "\($0):\($1.name)" }.joined(separator: "\t") + "\n"
            for i in 0..<r.rowCount {
                out += r.columns.map { c in c.isNull(i) ? "<null>" : ResultFormatter.text(c, i) }.joined(separator: "\t") + "\n"
            }
            return out
        } catch let f as CompileFailure {
            return "error\n" + f.render()
        } catch let d as Diagnostic {
            return "error\n" + SourceText(text).render(d)
        } catch {
            return "error\n\(error)\n"
        }
    }

    func testGoldenQueries() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
        let storeDir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-golden-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: storeDir) }
        let store = try Store(path: storeDir, create: true)
        let update = ProcessInfo.processInfo.environment["LOGQ_UPDATE_GOLDEN"] == "1"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".kql") }.sorted()
        XCTAssertGreaterThan(files.count, 20)
        for f in files {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            let got = GoldenTests.render(text, store: store)
            let expectedURL = dir.appendingPathComponent(String(f.dropLast(4)) + ".expected")
            if update { try got.write(to: expectedURL, atomically: true, encoding: .utf8); continue }
            let expected = (try? String(contentsOf: expectedURL, encoding: .utf8)) ?? "<missing \(expectedURL.lastPathComponent)>"
            XCTAssertEqual(got, expected, "golden \(f)")
        }
    }
}

/// The README's list of functions must match the catalog.
final class ReadmeTests: XCTestCase {
    func testReadmeListsEveryFunction() throws {
        let readme = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md").path, encoding: .utf8)
        for f in QueryEngine.functionNames + QueryEngine.aggregateNames {
            XCTAssertTrue(readme.contains("`\(f)`"), "README does not list \(f)")
        }
    }
}
