// swift-tools-version:6.1
// The benchmarks live in their own package so that `make test` and the release build never
// fetch or compile the benchmark framework. Run with `make bench` (see ../README.md).
import PackageDescription

let package = Package(
    name: "logq-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "logq", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "QueryBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LogStore", package: "logq"),
                .product(name: "QueryLang", package: "logq"),
                .product(name: "TelemetryGenerator", package: "logq"),
            ],
            path: "Benchmarks/QueryBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v5]
)
