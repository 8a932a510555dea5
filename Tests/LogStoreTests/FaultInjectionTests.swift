import CFaultVFS
import Foundation
import XCTest
@testable import LogStore

/// The store's file operations with faults: the N-th operation (counted together with SQLite's
/// writes, syncs and truncations through the "logq-fault" VFS, see CFaultVFS.h) fails with EIO or
/// ENOSPC, or tears (half a write lands, then EIO), or the machine loses power after it (every later
/// operation fails; `crash()` then drops what was not made durable, as the disk would).
final class FaultFileSystem: StoreFileSystem, @unchecked Sendable {
    let real = RealFileSystem.shared
    private let lock = NSLock()
    /// Size of each file (by its current name) at its last fsync: a power loss truncates it there.
    private var synced: [String: Int] = [:]
    private var open: [Int32: String] = [:]
    /// Name-space changes not yet made durable by an fsync of their folder, oldest first.
    private enum Change { case created(String, dir: Bool), renamed(String, String), unlinked(String, backup: String) }
    private var pending: [Change] = []
    private let backups: String

    init(backups: String) {
        self.backups = backups
        try? FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
    }

    /// Counts the operation; throws the injected fault, if it is this one's (or the power is off).
    private func step(_ path: String, write: (() -> Void)? = nil) throws {
        switch Int(logq_fault_next()) {
        case Int(LOGQ_FAULT_NONE): return
        case Int(LOGQ_FAULT_ENOSPC): throw StoreError.io(path: path, reason: String(cString: strerror(ENOSPC)))
        case Int(LOGQ_FAULT_TORN): write?(); throw StoreError.io(path: path, reason: String(cString: strerror(EIO)))
        default: throw StoreError.io(path: path, reason: String(cString: strerror(EIO)))
        }
    }

    private static func parent(_ p: String) -> String { (p as NSString).deletingLastPathComponent }

    func create(_ path: String) throws -> Int32 {
        try step(path)
        let existed = FileManager.default.fileExists(atPath: path)
        let fd = try real.create(path)
        lock.lock(); defer { lock.unlock() }
        open[fd] = path
        synced[path] = 0
        if !existed { pending.append(.created(path, dir: false)) }
        return fd
    }

    func write(_ fd: Int32, path: String, _ bytes: UnsafeRawBufferPointer) throws {
        try step(path) { try? self.real.write(fd, path: path, UnsafeRawBufferPointer(rebasing: bytes.prefix(bytes.count / 2))) }
        try real.write(fd, path: path, bytes)
    }

    // The disk is simulated (see `crash`): a real fsync would only make the sweep slow.
    func fsync(_ fd: Int32, path: String) throws {
        try step(path)
        var st = stat()
        guard fstat(fd, &st) == 0 else { return }
        lock.lock(); defer { lock.unlock() }
        if let p = open[fd] { synced[p] = Int(st.st_size) }
    }

    func close(_ fd: Int32) {
        lock.lock(); open[fd] = nil; lock.unlock()
        real.close(fd)
    }

    func rename(_ from: String, _ to: String) throws {
        try step(to)
        try real.rename(from, to)
        lock.lock(); defer { lock.unlock() }
        if let s = synced.removeValue(forKey: from) { synced[to] = s }
        for (fd, p) in open where p == from { open[fd] = to }
        pending.append(.renamed(from, to))
    }

    func unlink(_ path: String) throws {
        try step(path)
        let backup = backups + "/" + UUID().uuidString
        let kept = link(path, backup) == 0
        try real.unlink(path)
        lock.lock(); defer { lock.unlock() }
        if kept { pending.append(.unlinked(path, backup: backup)) }
    }

    func fsyncDirectory(_ path: String) throws {
        try step(path)
        let dir = (path as NSString).standardizingPath
        logq_fault_dir_synced(dir)
        lock.lock(); defer { lock.unlock() }
        pending.removeAll { c in
            switch c {
            case .created(let p, _), .renamed(_, let p), .unlinked(let p, _): return Self.parent(p) == dir
            }
        }
    }

    func makeDirectory(_ path: String) throws -> Bool {
        try step(path)
        let made = try real.makeDirectory(path)
        lock.lock(); defer { lock.unlock() }
        if made { pending.append(.created(path, dir: true)) }
        return made
    }

    /// The power loss: every file loses what was written after its last fsync, and every name-space
    /// change its folder's fsync did not cover is undone, newest first.
    func crash() {
        lock.lock(); defer { lock.unlock() }
        for (p, size) in synced where FileManager.default.fileExists(atPath: p) { _ = truncate(p, off_t(size)) }
        for c in pending.reversed() {
            switch c {
            case .created(let p, _): try? FileManager.default.removeItem(atPath: p)
            case .renamed(let from, let to): _ = Foundation.rename(to, from)
            case .unlinked(let p, let backup): _ = link(backup, p)
            }
        }
        pending = []; synced = [:]; open = [:]
    }
}

final class FaultInjectionTests: XCTestCase {
    var dir = ""
    override func setUp() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("logq-fault-\(UUID())").path
        XCTAssertEqual(logq_fault_register(), 0)
    }
    override func tearDown() {
        logq_fault_arm(Int32(LOGQ_FAULT_NONE), 0)
        try? FileManager.default.removeItem(atPath: dir)
    }

    func write(_ name: String, _ lines: [String]) -> String {
        try? FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
        let p = dir + "/in/" + name
        FileManager.default.createFile(atPath: p, contents: lines.joined(separator: "\n").data(using: .utf8))
        return p
    }

    static func line(_ type: String, day: Int, _ i: Int) -> String {
        String(format: "{\"Type\":\"%@\",\"TimeGenerated\":\"2025-03-%02dT00:00:%02dZ\",\"n\":%d}", type, day, i % 60, i)
    }

    /// Rows per table of a store opened with the real file system.
    func counts(_ store: Store) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for t in try store.tableNames() { out[t] = try store.rowCount(of: t) }
        return out.filter { $0.value > 0 }
    }

    enum Outcome { case ok, failed }

    /// Runs `operation` on a copy of `base` for the clean count N and then every k in 1...N and
    /// every fault kind; after each, reopens the copy with the real file system and checks it:
    /// it opens, `verify` finds nothing, and `check` accepts its row counts.
    /// `base` nil: the store is created by the faulty run itself.
    func sweep(_ name: String, base: String?, operation: (Store) throws -> [Outcome],
               check: (_ acknowledged: [Outcome], _ counts: [String: Int], _ where: String) -> Void) throws {
        let fm = FileManager.default
        func copy(_ to: String) throws {
            try? fm.removeItem(atPath: to)
            if let base { try fm.copyItem(atPath: base, toPath: to) }
        }
        func faulty(_ path: String, _ fs: FaultFileSystem) throws -> Store {
            try Store(path: path, create: base == nil, unwritable: nil, fileSystem: fs, catalogVFS: "logq-fault")
        }
        // The clean run: counts the operations, and must succeed whole.
        let clean = dir + "/\(name)-clean"
        try copy(clean)
        logq_fault_arm(Int32(LOGQ_FAULT_NONE), 0)
        var acks: [Outcome] = []
        let cleanFS = FaultFileSystem(backups: dir + "/backups")
        do {
            let s = try faulty(clean, cleanFS)
            acks = try operation(s)
        }
        let n = Int(logq_fault_count())
        // Then the power goes: everything the clean run acknowledged must have been durable.
        cleanFS.crash()
        XCTAssertEqual(logq_fault_drop_unsynced(), 0)
        XCTAssertGreaterThan(n, 3, "\(name): the clean run should count its I/O operations")
        XCTAssert(acks.allSatisfy { if case .ok = $0 { return true } else { return false } }, "\(name): the clean run")
        try reopenAndCheck(clean, "\(name): clean run, then power loss", acks, check)

        // Each error also followed by a power loss once the operation has returned: what it
        // acknowledged after handling the error must have been made durable too.
        let kinds: [(Int32, String, crash: Bool)] = [
            (Int32(LOGQ_FAULT_EIO), "EIO", false), (Int32(LOGQ_FAULT_ENOSPC), "ENOSPC", false),
            (Int32(LOGQ_FAULT_TORN), "torn write", false), (Int32(LOGQ_FAULT_POWER), "power loss", true),
            (Int32(LOGQ_FAULT_EIO), "EIO then power loss", true), (Int32(LOGQ_FAULT_ENOSPC), "ENOSPC then power loss", true),
            (Int32(LOGQ_FAULT_TORN), "torn write then power loss", true)]
        for (kind, kindName, crash) in kinds {
            for k in 1...n {
                let path = dir + "/\(name)-run"
                try copy(path)
                let fs = FaultFileSystem(backups: dir + "/backups")
                logq_fault_arm(kind, k)
                var acks: [Outcome] = []
                do {
                    let s = try faulty(path, fs)
                    acks = try operation(s)
                } catch {
                    // The store did not open (a fault in its own housekeeping): nothing was acknowledged.
                }
                if crash {
                    fs.crash()
                    XCTAssertEqual(logq_fault_drop_unsynced(), 0)
                }
                logq_fault_arm(Int32(LOGQ_FAULT_NONE), 0)
                try reopenAndCheck(path, "\(name): \(kindName) at operation \(k) of \(n)", acks, check)
            }
        }
    }

    func reopenAndCheck(_ path: String, _ label: String, _ acks: [Outcome],
                        _ check: (_ acknowledged: [Outcome], _ counts: [String: Int], _ where: String) -> Void) throws {
        let store: Store
        if !FileManager.default.fileExists(atPath: path + "/" + Store.catalogName) {
            // A new store that was never made durable: then nothing may have been acknowledged.
            check(acks, [:], label + " (no store)")
            return
        }
        do { store = try Store(path: path) } catch { XCTFail("\(label): the store does not open: \(error)"); return }
        let report = try store.verify()
        XCTAssertEqual(report.problems.map(\.description), [], label)
        check(acks, try counts(store), label)
    }

    /// Operations one at a time, each acknowledged (`.ok`) only when it returned; a thrown fault
    /// ends the run (as it would end the process).
    static func steps(_ ops: [() throws -> Void]) -> [Outcome] {
        var out: [Outcome] = []
        for op in ops {
            do { try op(); out.append(.ok) } catch { out.append(.failed); break }
        }
        while out.count < ops.count { out.append(.failed) }
        return out
    }

    /// Two files, each one batch over two tables: a file's rows are all there (in both tables) or
    /// none; a file whose ingest returned is there.
    func testIngestSurvivesEveryFault() throws {
        let base = dir + "/base"
        _ = try Store(path: base, create: true)
        try ingestSweep(base: base)
    }

    /// The same into a store the faulty run creates: its folders and catalog must be durable too.
    func testIngestIntoNewStoreSurvivesEveryFault() throws {
        try ingestSweep(base: nil)
    }

    func ingestSweep(base: String?) throws {
        let f1 = write("one.jsonl", (0..<5).map { Self.line("Alpha", day: 1, $0) } + (0..<3).map { Self.line("Beta", day: 1, $0) })
        let f2 = write("two.jsonl", (0..<7).map { Self.line("Alpha", day: 2, $0) } + (0..<2).map { Self.line("Beta", day: 2, $0) })
        var o = IngestOptions(); o.parallelism = 1
        let perFile: [[String: Int]] = [["Alpha": 5, "Beta": 3], ["Alpha": 7, "Beta": 2]]
        try sweep(base == nil ? "new-store-ingest" : "ingest", base: base, operation: { s in
            Self.steps([{ _ = try s.ingest(paths: [f1], options: o) }, { _ = try s.ingest(paths: [f2], options: o) }])
        }, check: { acks, counts, label in
            // Which files are present: the counts must be a sum of whole files.
            var matched = false
            for present in [[false, false], [true, false], [false, true], [true, true]] {
                var want: [String: Int] = [:]
                for (i, p) in present.enumerated() where p { want.merge(perFile[i], uniquingKeysWith: +) }
                guard want == counts else { continue }
                matched = true
                for (i, a) in acks.enumerated() where a == .ok { XCTAssertTrue(present[i], "\(label): file \(i + 1) was acknowledged but is missing") }
            }
            XCTAssertTrue(matched, "\(label): rows \(counts) are not a set of whole files")
        })
    }

    /// Compaction rewrites rows, never adds or loses them, whatever fails.
    func testCompactionSurvivesEveryFault() throws {
        let base = dir + "/base"
        do {
            let s = try Store(path: base, create: true)
            for f in 0..<3 {
                _ = try s.ingest(paths: [write("c\(f).jsonl", (0..<4).map { Self.line("Alpha", day: 1 + f, $0) })])
            }
        }
        try sweep("compact", base: base, operation: { s in
            Self.steps([{ _ = try s.compact() }])
        }, check: { acks, counts, label in
            XCTAssertEqual(counts, ["Alpha": 12], label)
        })
        let s = try Store(path: dir + "/compact-clean")
        XCTAssertEqual(try s.segments(of: "Alpha").count, 1, "the clean compaction merged the three segments")
    }

    /// Retention takes whole segments: the old day's rows are all gone or all there, the new day's stay.
    func testDropSurvivesEveryFault() throws {
        let base = dir + "/base"
        do {
            let s = try Store(path: base, create: true)
            _ = try s.ingest(paths: [write("old.jsonl", (0..<4).map { Self.line("Alpha", day: 1, $0) })])
            _ = try s.ingest(paths: [write("new.jsonl", (0..<6).map { Self.line("Alpha", day: 5, $0) })])
        }
        let cutoff = try XCTUnwrap(Ticks.parseDatetime("2025-03-03T00:00:00Z"))
        try sweep("drop", base: base, operation: { s in
            Self.steps([{ _ = try s.drop(before: cutoff) }])
        }, check: { acks, counts, label in
            if acks == [.ok] { XCTAssertEqual(counts, ["Alpha": 6], label) }
            else { XCTAssert(counts == ["Alpha": 6] || counts == ["Alpha": 10], "\(label): \(counts)") }
        })
    }
}
