import Foundation
import CZlib
import LogStore

/// Deterministic synthetic telemetry: a week of Application Insights (classic schema) and Log
/// Analytics records with a 20-minute incident, for demos, tests and load tests. The same seed
/// and row count give the same bytes, whatever the thread count: each table is cut into fixed
/// chunks, each with its own RNG.
public struct TelemetryGenerator {
    public struct Options: Sendable {
        public var seed: UInt64 = 42
        public var rows = 100_000
        public var start: Int64 = Ticks.from(year: 2025, month: 3, day: 3)
        public var days = 7
        public var gzip = false
        public init() {}
    }

    public struct Manifest: Sendable {
        public var rows: [String: Int]
        public var bytes: [String: Int]
        public var start: Int64, end: Int64
        public var incidentStart: Int64, incidentEnd: Int64
        public var needleOperationId: String
        public var badInstances: [String]
        public var seconds: Double
    }

    public static let tables = ["requests", "dependencies", "exceptions", "customEvents", "traces",
                                "AppServiceConsoleLogs", "AppServiceAuthenticationLogs", "AzureDiagnostics"]
    static let scale: [String: Double] = ["requests": 1, "dependencies": 1, "exceptions": 0.1, "customEvents": 0.4, "traces": 0.4,
                                          "AppServiceConsoleLogs": 0.2, "AppServiceAuthenticationLogs": 0.05, "AzureDiagnostics": 0.1]
    static let chunkRows = 20_000

    let options: Options
    let world: World

    public init(options: Options) {
        self.options = options
        self.world = World(seed: options.seed, start: options.start, days: options.days)
    }

    public func rowCount(_ table: String) -> Int { max(1, Int((Double(options.rows) * Self.scale[table]!).rounded())) }

    /// Writes one file per table into `directory` plus `manifest.json`.
    public func write(to directory: String) throws -> Manifest {
        let t0 = Date()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var bytes: [String: Int] = [:]
        var failure: Error? = nil
        let lock = NSLock()
        let tables = Self.tables
        DispatchQueue.concurrentPerform(iterations: tables.count) { ti in
            let t = tables[ti]
            do {
                let n = try writeTable(t, to: directory + "/" + t + ".jsonl" + (options.gzip ? ".gz" : ""))
                lock.lock(); bytes[t] = n; lock.unlock()
            } catch {
                lock.lock(); failure = error; lock.unlock()
            }
        }
        if let f = failure { throw f }
        let m = Manifest(rows: Dictionary(uniqueKeysWithValues: tables.map { ($0, rowCount($0)) }), bytes: bytes,
                         start: world.start, end: world.start + Int64(world.minutes) * Ticks.perMinute,
                         incidentStart: world.incidentStart, incidentEnd: world.incidentEnd,
                         needleOperationId: world.operationId(Int(Double(rowCount("requests")) * 0.613)),
                         badInstances: world.badInstances.sorted(), seconds: Date().timeIntervalSince(t0))
        try manifestJSON(m).write(toFile: directory + "/manifest.json", atomically: true, encoding: .utf8)
        return m
    }

    func manifestJSON(_ m: Manifest) -> String {
        let rows = Self.tables.map { "    \"\($0)\": \(m.rows[$0]!)" }.joined(separator: ",\n")
        let bytes = Self.tables.map { "    \"\($0)\": \(m.bytes[$0] ?? 0)" }.joined(separator: ",\n")
        return """
        {
          "generator": "logq generate",
          "seed": \(options.seed),
          "rows": {
        \(rows)
          },
          "bytes": {
        \(bytes)
          },
          "start": "\(Ticks.formatDatetime(m.start))",
          "end": "\(Ticks.formatDatetime(m.end))",
          "incident_start": "\(Ticks.formatDatetime(m.incidentStart))",
          "incident_end": "\(Ticks.formatDatetime(m.incidentEnd))",
          "needle_operation_id": "\(m.needleOperationId)",
          "bad_instances": [\(m.badInstances.map { "\"\($0)\"" }.joined(separator: ", "))]
        }

        """
    }

    /// Generates one table chunk by chunk and streams it to the file; returns bytes written (uncompressed).
    func writeTable(_ table: String, to path: String) throws -> Int {
        let n = rowCount(table)
        var total = 0
        if options.gzip {
            guard let gz = gzopen(path, "wb6") else { throw StoreError.io(path: path, reason: "cannot create") }
            defer { gzclose(gz) }
            for lo in stride(from: 0, to: n, by: Self.chunkRows) {
                let out = chunk(table, lo, min(n, lo + Self.chunkRows), n)
                total += out.count
                let w = out.withUnsafeBytes { gzwrite(gz, $0.baseAddress, UInt32($0.count)) }
                guard Int(w) == out.count else { throw StoreError.io(path: path, reason: "gzip write failed") }
            }
        } else {
            guard FileManager.default.createFile(atPath: path, contents: nil), let fh = FileHandle(forWritingAtPath: path) else {
                throw StoreError.io(path: path, reason: "cannot create")
            }
            defer { try? fh.close() }
            for lo in stride(from: 0, to: n, by: Self.chunkRows) {
                let out = chunk(table, lo, min(n, lo + Self.chunkRows), n)
                total += out.count
                try fh.write(contentsOf: out)
            }
        }
        return total
    }

    func chunk(_ table: String, _ lo: Int, _ hi: Int, _ n: Int) -> [UInt8] {
        var rng = SplitMix64(seed: options.seed &* 1_000_003 &+ UInt64(Self.tables.firstIndex(of: table)!) &* 7919 &+ UInt64(lo / Self.chunkRows))
        var w = LineWriter()
        w.buf.reserveCapacity((hi - lo) * 1400)
        for i in lo..<hi {
            let t = world.rowTime(table, i, n, &rng)
            switch table {
            case "requests": world.request(i, t, &rng, &w)
            case "dependencies": world.dependency(t, &rng, &w, requests: rowCount("requests"))
            case "exceptions": world.exception(t, &rng, &w, requests: rowCount("requests"))
            case "customEvents": world.customEvent(t, &rng, &w, requests: rowCount("requests"))
            case "traces": world.trace(t, &rng, &w, requests: rowCount("requests"))
            case "AppServiceConsoleLogs": world.consoleLog(t, &rng, &w)
            case "AppServiceAuthenticationLogs": world.authLog(t, &rng, &w)
            default: world.postgresLog(t, &rng, &w)
            }
        }
        return w.buf
    }
}

/// splitmix64: tiny, fast, and the same on every platform.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    @inline(__always) mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix64(state)
    }
    @inline(__always) mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
    @inline(__always) mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func lognormal(median: Double, sigma: Double) -> Double {
        // Box–Muller
        let u1 = max(unit(), 1e-12), u2 = unit()
        let z = (-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return median * exp(sigma * z)
    }
}

@inline(__always) func mix64(_ v: UInt64) -> UInt64 {
    var x = v
    x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
    x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
    return x ^ (x >> 31)
}

/// Appends JSON fragments as bytes: the generator must write > 100 MB/s, so no String formatting per field.
struct LineWriter {
    var buf: [UInt8] = []
    @inline(__always) mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { buf.append(contentsOf: $0) }
    }
    @inline(__always) mutating func raw(_ b: [UInt8]) { buf.append(contentsOf: b) }
    mutating func str(_ s: String) {
        buf.append(0x22)
        for c in s.utf8 {
            if c == 0x22 || c == 0x5C { buf.append(0x5C); buf.append(c) }
            else if c == 0x0A { buf.append(0x5C); buf.append(0x6E) }
            else { buf.append(c) }
        }
        buf.append(0x22)
    }
    /// A pre-escaped, pre-quoted JSON string (see `World.q`).
    @inline(__always) mutating func q(_ b: [UInt8]) { buf.append(contentsOf: b) }
    mutating func int(_ v: Int) {
        if v < 0 { buf.append(0x2D); int(-v); return }
        if v >= 10 { int(v / 10) }
        buf.append(UInt8(48 + v % 10))
    }
    mutating func hex(_ v: UInt64, digits: Int) {
        let h: StaticString = "0123456789abcdef"
        h.withUTF8Buffer { hb in
            for k in stride(from: digits - 1, through: 0, by: -1) { buf.append(hb[Int((v >> UInt64(4 * k)) & 15)]) }
        }
    }
    /// A duration with 4 decimals, as App Insights prints milliseconds.
    mutating func fixed4(_ d: Double) {
        let scaled = Int((d * 10_000).rounded())
        int(scaled / 10_000)
        let f = scaled % 10_000
        if f != 0 {
            buf.append(0x2E)
            var digits = [UInt8(48 + f / 1000), UInt8(48 + f / 100 % 10), UInt8(48 + f / 10 % 10), UInt8(48 + f % 10)]
            while digits.last == 48 { digits.removeLast() }
            buf.append(contentsOf: digits)
        }
    }
    mutating func timestamp(_ t: Int64) {
        buf.append(0x22); Ticks.formatDatetime(t, into: &buf); buf.append(0x22)
    }
    mutating func guid(_ a: UInt64, _ b: UInt64) {
        buf.append(0x22)
        hex(a >> 32, digits: 8); buf.append(0x2D); hex((a >> 16) & 0xFFFF, digits: 4); buf.append(0x2D)
        hex(0x4000 | (a & 0x0FFF), digits: 4); buf.append(0x2D); hex(0x8000 | (b >> 50), digits: 4); buf.append(0x2D)
        hex(b & 0xFFFF_FFFF_FFFF, digits: 12)
        buf.append(0x22)
    }
}
