import ArgumentParser
import Foundation
import LogStore
import QueryLang
import LogqReport

/// Compiles, runs (`repeats` times, timing each run, when given) and prints; maps failures to exit codes.
func runQuery(_ text: String, name: String, store: Store, output: QueryOutputOptions, repeats: Int? = nil, title: String? = nil) throws {
    tuneAllocatorForQueries()
    let format = try output.outputFormat()
    let compiled: CompiledQuery
    // One deadline for compiling and running: --timeout bounds the whole query.
    let budgets = output.executionOptions()
    do {
        var co = try output.compileOptions()
        co.subqueryBudgets = budgets
        compiled = try QueryEngine.compile(text, store: store, options: co)
    } catch let f as CompileFailure {
        stderr(f.render(name: name)); throw ExitCode(ExitCodes.forDiagnostics(f.diagnostics))
    }
    let result: ResultTable
    do {
        if let n = repeats { result = try timedRuns(compiled, n, output) }
        else { result = try compiled.run(options: budgets) }
    } catch let d as Diagnostic {
        stderr(compiled.source.render(d, name: name)); throw ExitCode(ExitCodes.forPhase(d.phase))
    }
    var text = (title.map { $0 + "\n" } ?? "") + (format == .table ? ResultFormatter.table(result, width: stdoutIsTerminal ? Terminal.size.columns : nil, color: Terminal.color)
                                                                : ResultFormatter.render(result, as: format))
    if stdoutIsTerminal, format == .table, let chart = ChartData.from(result) {
        text += "\n" + ChartText.render(chart, width: Terminal.size.columns, color: Terminal.color)
    }
    Terminal.show(text, page: !output.noPager)
    if let path = output.chart {
        guard let chart = ChartData.from(result) ?? ChartData.from(result, kind: "auto") else {
            stderr("logq: error: --chart: the result has no numeric column to draw\n"); throw ExitCode(ExitCodes.usageError)
        }
        var o = ChartSVG.Options()
        o.title = title ?? (name == "<query>" ? nil : name)
        do { try ChartSVG.render(chart, options: o).write(toFile: path, atomically: true, encoding: .utf8) }
        catch { fail(CLIError("cannot write \(path): \(error.localizedDescription)"), code: ExitCodes.dataError) }
    }
    for w in result.warnings { stderr("logq: warning: \(w)\n") }
    if output.stats {
        let s = result.stats
        stderr(String(format: "rows scanned: %d, segments read: %d, pruned: %d of %d, bytes: %.1f MB, time: %.3fs, peak memory: %.0f MB\n",
                      s.scan.rowsRead, s.scan.segmentsRead, s.scan.segmentsPruned, s.scan.segmentsTotal, Double(s.scan.bytesRead) / 1e6, s.elapsed,
                      peakMemoryMB()))
    }
}

/// Runs the compiled query `n` times, each under its own budgets, printing `run i: T ms` as each
/// ends and the median at the end; returns the last result (the earlier ones are freed first, so
/// two results never share the memory budget).
func timedRuns(_ compiled: CompiledQuery, _ n: Int, _ output: QueryOutputOptions) throws -> ResultTable {
    var times: [Double] = []
    var last: ResultTable? = nil
    for i in 1...n {
        last = nil
        let opts = output.executionOptions()
        let t0 = DispatchTime.now().uptimeNanoseconds
        last = try compiled.run(options: opts)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        times.append(ms)
        stderr(String(format: "run %d: %.1f ms\n", i, ms))
    }
    let sorted = times.sorted()
    let median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    stderr(String(format: "median of %d: %.1f ms\n", n, median))
    return last!
}

func peakMemoryMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func readQuery(text: String?, file: String?) throws -> (String, String) {
    if let f = file {
        guard let s = try? String(contentsOfFile: f, encoding: .utf8) else { fail(CLIError("cannot read query file '\(f)'"), code: ExitCodes.usageError) }
        return (s, f)
    }
    if let t = text, t != "-" { return (t, "<query>") }
    let data = FileHandle.standardInput.readDataToEndOfFile()
    return (String(decoding: data, as: UTF8.self), "<stdin>")
}
