import ArgumentParser
import Foundation
import QueryLang

/// Exit codes (documented in the README and in `logq --help`).
enum ExitCodes {
    static let dataError: Int32 = 1       // data, I/O or store error
    static let usageError: Int32 = 2      // query or usage error
    static let rejected: Int32 = 3        // ingest finished but rejected lines
    static let internalError: Int32 = 70  // a bug in logq (sysexits' EX_SOFTWARE)

    static func forPhase(_ p: DiagnosticPhase) -> Int32 {
        switch p {
        case .syntax, .semantic, .runtime: return usageError
        case .storage: return dataError
        case .internal: return internalError
        }
    }

    /// Several diagnostics (a compile failure): the most serious one decides, logq's own bugs first.
    static func forDiagnostics(_ ds: [Diagnostic]) -> Int32 {
        if ds.contains(where: { $0.phase == .internal }) { return internalError }
        if ds.contains(where: { $0.phase == .storage }) { return dataError }
        return usageError
    }
}

@main
struct Logq: ParsableCommand {
    static let version = QueryEngine.version
    // Every command names itself: otherwise ArgumentParser derives names with String(describing:),
    // a scan of the binary's protocol conformances that cost about 1 ms of each process start.
    static let configuration = CommandConfiguration(
        commandName: "logq",
        abstract: "Ingest exported Application Insights / Azure Monitor telemetry and answer KQL over it, offline.",
        discussion: """
        Exit codes:
          0  success
          1  data, I/O or store error
          2  query or usage error
          3  ingest finished but rejected lines
          70 internal error (a bug in logq: please report it)
        Store: --store DIR, else $LOGQ_STORE, else ./.logq

        Examples:
          logq generate --out /tmp/telemetry --rows 100000
          logq ingest --store /tmp/store /tmp/telemetry
          logq query --store /tmp/store 'requests | summarize count() by resultCode'
          logq run --store /tmp/store queries/01-request-histogram.kql
          logq report --store /tmp/store --incident -o incident.html
          logq compact --store /tmp/store; logq drop --store /tmp/store --before 30d
          logq verify --store /tmp/store; logq repair --store /tmp/store
        """,
        version: version,
        subcommands: [Init.self, Generate.self, Ingest.self, Query.self, Run.self, Tables.self, Schema.self, Explain.self, Rejects.self,
                      Compact.self, Drop.self, Verify.self, Repair.self, Report.self, Functions.self]
    )

    /// Usage errors exit with 2 (ArgumentParser's default is 64), as the README documents.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write((fullMessage(for: error) + "\n").data(using: .utf8)!)
                Foundation.exit(ExitCodes.usageError)
            }
            exit(withError: error)
        }
    }
}

func fail(_ error: Error, code: Int32) -> Never {
    FileHandle.standardError.write(("logq: error: \(error)\n").data(using: .utf8)!)
    Foundation.exit(code)
}

func stderr(_ s: String) { FileHandle.standardError.write(s.data(using: .utf8)!) }

var stdoutIsTerminal: Bool { isatty(1) != 0 }
var stderrIsTerminal: Bool { isatty(2) != 0 }

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
