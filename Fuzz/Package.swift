// swift-tools-version:6.0
// libFuzzer targets, in their own package so that `make test` and the release build never
// compile them with the fuzzer's instrumentation. Build and run through the Makefile
// (`make fuzz-short`, `make fuzz`); see README.md here.
import PackageDescription

let package = Package(
    name: "logq-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "logq", path: ".."),
    ],
    targets: [
        // The declaration of libFuzzer's driver (see its header).
        .target(name: "CLibFuzzer"),
        // KQL text: lexer, parser and binder against a fixed schema (a small generated store).
        .executableTarget(name: "FuzzQuery", dependencies: [
            "CLibFuzzer", .product(name: "QueryLang", package: "logq"),
            .product(name: "LogStore", package: "logq"),
            .product(name: "TelemetryGenerator", package: "logq"),
        ]),
        // The byte-level JSON scanner and JSONValue's parser and writer.
        .executableTarget(name: "FuzzJSON", dependencies: ["CLibFuzzer", .product(name: "LogStore", package: "logq")]),
        // A file through the whole ingest path (reader, gzip, sniffer, every format, shredder, writer, publish).
        .executableTarget(name: "FuzzIngest", dependencies: ["CLibFuzzer", .product(name: "LogStore", package: "logq")]),
        // A segment file's bytes through the segment reader and every decoder.
        .executableTarget(name: "FuzzSegment", dependencies: ["CLibFuzzer", .product(name: "LogStore", package: "logq")]),
    ],
    swiftLanguageModes: [.v5]
)
