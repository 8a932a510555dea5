import ArgumentParser

/// `--repeat N`: the compiled query runs N times in one process and each run is timed, so that
/// logq's in-process time can be set beside DuckDB's warm time (its `.timer`) from the command line.
struct RepeatOption: ParsableArguments {
    @Option(name: .customLong("repeat"),
            help: ArgumentHelp("Compile once, run the query N times in this process, print each run's time and the median on stderr (the result once).",
                               valueName: "N"))
    var count: Int?

    func validate() throws {
        if let n = count, n < 1 { throw ValidationError("--repeat must be at least 1") }
    }
}
