import CLibFuzzer
import Foundation
import LogStore
import QueryLang
import TelemetryGenerator

// libFuzzer target: query text through the lexer, parser and binder (`QueryEngine.compile`)
// against a fixed schema: a small generated store with the demo's tables (requests,
// dependencies, exceptions, traces, …). Diagnostics are fine; crashes and hangs are not.
// With LOGQ_FUZZ_RUN=1 each compiled query also runs, under tight budgets.

let store: Store = {
    let root = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let dir = root + "/logq-fuzz-query-\(getpid())"
    let fm = FileManager.default
    try? fm.removeItem(atPath: dir)
    atexit { try? FileManager.default.removeItem(atPath: "/dev/shm/logq-fuzz-query-\(getpid())") }
    do {
        var o = TelemetryGenerator.Options()
        o.rows = 400
        o.days = 2
        _ = try TelemetryGenerator(options: o).write(to: dir + "/data")
        let s = try Store(path: dir + "/store", create: true)
        _ = try s.ingest(paths: [dir + "/data"])
        return s
    } catch { fatalError("cannot build the fuzz store: \(error)") }
}()
let runQueries = ProcessInfo.processInfo.environment["LOGQ_FUZZ_RUN"] == "1"

func budgets() -> ExecutionOptions {
    var e = ExecutionOptions()
    e.deadline = Date().addingTimeInterval(2)
    e.maxMemoryBytes = 256 << 20
    e.maxRowsScanned = 1_000_000
    e.maxResultRows = 10_000
    return e
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var options = CompileOptions()
    options.subqueryBudgets = budgets()
    options.parameters = ["window_start": .string("2025-03-03T00:00:00Z"), "window_end": .string("2025-03-04T00:00:00Z")]
    do {
        let q = try QueryEngine.compile(text, store: store, options: options)
        _ = try q.explain(options: budgets())
        if runQueries { _ = try q.run(options: budgets()) }
    } catch let f as CompileFailure {
        _ = f.render()
    } catch {
        _ = "\(error)"
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data!, size) })
