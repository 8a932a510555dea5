import ArgumentParser
import Foundation
import LogStore
import TelemetryGenerator

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Write deterministic synthetic telemetry (a week with a 20-minute incident).",
        discussion: "Example: logq generate --out /tmp/telemetry --rows 100000 --seed 7 --gzip")
    @Option(help: "Output folder.") var out: String
    @Option(help: "Random seed: the same seed gives the same bytes.") var seed: UInt64 = 42
    @Option(help: "Request rows; other tables scale from it.") var rows: Int = 100_000
    @Option(help: "First day (UTC), ISO 8601.") var start: String = "2025-03-03"
    @Option(help: "Days of telemetry.") var days: Int = 7
    @Flag(help: "Write .jsonl.gz files.") var gzip = false

    func run() throws {
        var o = TelemetryGenerator.Options()
        o.seed = seed; o.rows = rows; o.days = days; o.gzip = gzip
        guard let s = Ticks.parseDatetime(start) else { throw ValidationError("--start '\(start)' is not a datetime") }
        guard days >= 1, rows >= 1 else { throw ValidationError("--days and --rows must be at least 1") }
        o.start = s
        let m = try TelemetryGenerator(options: o).write(to: out)
        let bytes = m.bytes.values.reduce(0, +)
        stderr(String(format: "wrote %@: %d rows, %.1f MB in %.2fs (%.0f MB/s); incident %@ .. %@\n", out, m.rows.values.reduce(0, +),
                      Double(bytes) / 1e6, m.seconds, Double(bytes) / 1e6 / max(m.seconds, 1e-9),
                      Ticks.formatDatetime(m.incidentStart), Ticks.formatDatetime(m.incidentEnd)))
    }
}
