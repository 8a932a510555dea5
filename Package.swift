// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "logq",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "LogStore", targets: ["LogStore"]),
        .library(name: "QueryLang", targets: ["QueryLang"]),
        .library(name: "LogqReport", targets: ["LogqReport"]),
        .library(name: "TelemetryGenerator", targets: ["TelemetryGenerator"]),
        .executable(name: "logq", targets: ["logq"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries come in through small module maps; no C type leaks past LogStore's internals.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        // RE2 (C++) behind a C surface: linear-time regular expressions with Kusto's syntax.
        .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2"), .linkedLibrary("stdc++")]),
        .target(name: "LogStore", dependencies: ["CSQLite", "CZlib", "CLZ4"]),
        // Tests only: a faulty SQLite VFS ("logq-fault") and the fault counter the tests share with it.
        .target(name: "CFaultVFS", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(name: "QueryLang", dependencies: ["LogStore", "CRE2"]),
        // Over the public API of LogStore and QueryLang only: reports, charts, the incident finder.
        .target(name: "LogqReport", dependencies: ["LogStore", "QueryLang"]),
        // Demo and test data over LogStore's public API (gzip through zlib).
        .target(name: "TelemetryGenerator", dependencies: ["LogStore", "CZlib"]),
        .executableTarget(name: "logq", dependencies: [
            "LogStore", "QueryLang", "LogqReport", "TelemetryGenerator",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "LogStoreTests", dependencies: ["LogStore", "TelemetryGenerator", "CFaultVFS"]),
        .testTarget(name: "QueryLangTests", dependencies: ["QueryLang", "LogStore", "TelemetryGenerator"],
                    resources: [.copy("Golden")]),
        .testTarget(name: "LogqReportTests", dependencies: ["LogqReport", "QueryLang", "LogStore", "TelemetryGenerator"]),
        .testTarget(name: "EndToEndTests", dependencies: ["LogStore", "QueryLang"]),
    ],
    swiftLanguageModes: [.v5],
    cxxLanguageStandard: .cxx17
)
