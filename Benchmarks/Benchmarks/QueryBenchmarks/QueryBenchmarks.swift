import Benchmark
import Foundation
import LogStore
import QueryLang
import TelemetryGenerator

// In-process ("warm") timings of the runbook queries: the same measure as DuckDB's warm figure
// in ../shared/bench, which `bench.py` cannot take from logq because it runs logq as a process
// per query. The store is opened once; each iteration compiles and runs the query.
//
// Data: LOGQ_BENCH_STORE (a store made by `logq ingest`, e.g. /tmp/bench-work/logq from
// bench.py) with LOGQ_BENCH_MANIFEST (the generator's manifest.json, for the incident window and
// the needle). Without them, a store of LOGQ_BENCH_ROWS (default 200,000) generated requests is
// built once in a temporary folder.

struct BenchData {
    let store: Store
    let incidentStart: String
    let incidentEnd: String
    let needle: String
}

let benchData: BenchData = {
    let env = ProcessInfo.processInfo.environment
    if let path = env["LOGQ_BENCH_STORE"], !path.isEmpty {
        guard let manifestPath = env["LOGQ_BENCH_MANIFEST"],
              let data = FileManager.default.contents(atPath: manifestPath),
              let m = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let start = m["incident_start"] as? String, let end = m["incident_end"] as? String,
              let needle = m["needle_operation_id"] as? String
        else { fatalError("LOGQ_BENCH_STORE needs LOGQ_BENCH_MANIFEST naming the generator's manifest.json") }
        return BenchData(store: try! Store(path: path, readOnly: true), incidentStart: start, incidentEnd: end, needle: needle)
    }
    let rows = Int(env["LOGQ_BENCH_ROWS"] ?? "") ?? 200_000
    let dir = NSTemporaryDirectory() + "logq-bench-\(rows)"
    var options = TelemetryGenerator.Options()
    options.rows = rows
    let generator = TelemetryGenerator(options: options)
    let manifest: TelemetryGenerator.Manifest
    if !FileManager.default.fileExists(atPath: dir + "/store/catalog.sqlite") {
        try? FileManager.default.removeItem(atPath: dir)
        manifest = try! generator.write(to: dir + "/data")
        let store = try! Store(path: dir + "/store", create: true)
        _ = try! store.ingest(paths: [dir + "/data"])
    } else {
        manifest = try! generator.write(to: dir + "/data")
    }
    return BenchData(store: try! Store(path: dir + "/store", readOnly: true),
                     incidentStart: Ticks.formatDatetime(manifest.incidentStart),
                     incidentEnd: Ticks.formatDatetime(manifest.incidentEnd),
                     needle: manifest.needleOperationId)
}()

// The runbook queries of ../shared/bench/queries.json (Q1–Q8), with its placeholders filled.
func runbookQueries(_ d: BenchData) -> [(String, String)] {
    [
        ("Q1 5-minute request histogram", "requests | summarize TotalRequests=count(), FailedRequests=sum(itemCount) by bin(timestamp, 5m)"),
        ("Q2 avg/p95/p99 by name", "requests | summarize AvgDuration=avg(duration), P95=percentile(duration, 95), P99=percentile(duration, 99) by name"),
        ("Q3 dependencies by type, name", "dependencies | summarize AvgDuration=avg(duration), ErrorCount=count() by type, name"),
        ("Q4 exceptions by type, method", "exceptions | summarize ErrorCount=count() by type, method | order by ErrorCount desc"),
        ("Q5 events by eventId", "customEvents | where name == \"ProjectCreated\" or name == \"KnowledgeExtracted\" | summarize Count=count() by name, tostring(customDimensions.eventId)"),
        ("Q6 incident window failures", "requests | where timestamp between (datetime(\(d.incidentStart)) .. datetime(\(d.incidentEnd))) and success == false | summarize count() by resultCode, cloud_RoleInstance"),
        ("Q7 has timeout on traces", "traces | where message has \"timeout\" | count"),
        ("Q8 needle lookup", "requests | where operation_Id == \"\(d.needle)\""),
    ]
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
                                           timeUnits: .microseconds, warmupIterations: 2,
                                           maxDuration: .seconds(5), maxIterations: 200)
    let d = benchData
    for (name, text) in runbookQueries(d) {
        Benchmark(name) { benchmark in
            for _ in benchmark.scaledIterations {
                let q = try QueryEngine.compile(text, store: d.store)
                blackHole(try q.run())
            }
        }
    }
    Benchmark("compile only (Q5)") { benchmark in
        let text = runbookQueries(d)[4].1
        for _ in benchmark.scaledIterations { blackHole(try QueryEngine.compile(text, store: d.store)) }
    }
    Benchmark("open store and compile (Q6)") { benchmark in
        let text = runbookQueries(d)[5].1
        for _ in benchmark.scaledIterations {
            let store = try Store(path: d.store.path, readOnly: true)
            blackHole(try QueryEngine.compile(text, store: store))
        }
    }
}
