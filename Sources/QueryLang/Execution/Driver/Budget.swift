import Foundation
import LogStore

/// The run's budgets: time (`--timeout`) and resident memory (`--max-memory`), shared by
/// everything that evaluates on the query's behalf: the operators, the binder's compile-time
/// evaluation (`print`, `range` bounds, constant folding, subqueries) and functions that build
/// large values (`strrep`).
///
/// Two kinds of check. `check` compares the clock and the process's resident memory with the
/// limits; it is cheap enough per batch, and inner loops that can run long without a batch
/// boundary (a cartesian key, an expanded array, a sort, make-series fill) call it every
/// `Budget.loopStride` iterations. `reserve` is asked BEFORE a large allocation with its size:
/// the allocation is refused when resident memory plus it would pass the limit, so a 10-GB grid
/// or string is a budget error, not an allocator abort after the fact.
final class Budget: @unchecked Sendable {
    let deadline: Date?
    let maxMemoryBytes: Int?

    init(deadline: Date?, maxMemoryBytes: Int?) { self.deadline = deadline; self.maxMemoryBytes = maxMemoryBytes }
    convenience init(_ o: ExecutionOptions) { self.init(deadline: o.deadline, maxMemoryBytes: o.maxMemoryBytes) }

    var isUnlimited: Bool { deadline == nil && maxMemoryBytes == nil }

    /// Inner loops check the budgets once per this many iterations (a clock read and a small
    /// read of /proc per check: well under 1% of a loop doing any work per iteration).
    static let loopStride = 1 << 14

    /// Allocations smaller than this are not worth a `reserve` (the per-batch check sees them).
    static let smallAllocation = 1 << 20

    /// The largest string value a function builds (`strrep`): 256 MB, far past any real one, and
    /// small enough that building and scanning it stays within seconds.
    static let maxStringBytes = 256 << 20

    func check(_ r: SourceRange = SourceRange(0, 0)) throws {
        if let d = deadline, Date() > d { throw Budget.timeError(r) }
        if let limit = maxMemoryBytes, let rss = QueryExecutor.residentBytes(), rss > limit {
            throw Diagnostic(Msg.budget("the query used more than \(Budget.mb(limit)) of memory (\(Budget.mb(rss)) resident; raise the limit with --max-memory)"), r)
        }
    }

    /// Refuses an allocation of `bytes` (nil: its size overflowed) when it would take resident
    /// memory past the limit; `what` names it in the message. Also checks the clock.
    func reserve(_ bytes: Int?, _ what: @autoclosure () -> String, _ r: SourceRange = SourceRange(0, 0)) throws {
        if let d = deadline, Date() > d { throw Budget.timeError(r) }
        guard let limit = maxMemoryBytes else {
            // Without a memory budget only a size that does not fit in a machine word is refused
            // (it can only end in an allocator abort).
            if bytes == nil { throw Diagnostic(Msg.budget("\(what()) would need more memory than can be addressed"), r) }
            return
        }
        let rss = QueryExecutor.residentBytes() ?? 0
        guard let b = bytes, let total = Checked.add(Int64(rss), Int64(b)), total <= Int64(limit) else {
            let size = bytes.map { Budget.mb($0) } ?? "more than can be addressed"
            throw Diagnostic(Msg.budget("\(what()) would need \(size) with \(Budget.mb(rss)) already resident, past the \(Budget.mb(limit)) memory budget (raise it with --max-memory)"), r)
        }
    }

    static func timeError(_ r: SourceRange) -> Diagnostic { Diagnostic(Msg.budget("the query ran past its time budget"), r) }

    static func mb(_ bytes: Int) -> String { bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes) bytes" }

    /// `count` items of `size` bytes each, nil when the product overflows.
    static func bytes(_ count: Int, _ size: Int) -> Int? {
        let (p, o) = count.multipliedReportingOverflow(by: size)
        return o || count < 0 ? nil : p
    }

    // MARK: the budget of the current thread

    /// Functions evaluated row by row (`strrep`) have no executor at hand: the budget of the query
    /// being evaluated on this thread is found here. `QueryExecutor.run`, compiling and
    /// `forEachParallel`'s workers install it.
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    static var current: Budget? {
        guard let p = pthread_getspecific(key) else { return nil }
        return Unmanaged<Budget>.fromOpaque(p).takeUnretainedValue()
    }

    /// Runs `body` with `budget` as the current thread's (the previous one restored after).
    static func with<T>(_ budget: Budget?, _ body: () throws -> T) rethrows -> T {
        let saved = pthread_getspecific(key)
        guard let b = budget else { return try body() }
        let me = Unmanaged.passRetained(b)
        pthread_setspecific(key, me.toOpaque())
        defer { pthread_setspecific(key, saved); me.release() }
        return try body()
    }
}

/// Counts inner-loop iterations and checks the budget every `Budget.loopStride` of them.
struct BudgetTicker {
    let budget: Budget?
    var n = 0
    init(_ b: Budget?) { budget = b?.isUnlimited == false ? b : nil }
    @inline(__always) mutating func tick(_ by: Int = 1) throws {
        guard let b = budget else { return }
        n &+= by  // checked: a count of loop iterations, far below Int.max
        if n >= Budget.loopStride { n = 0; try b.check() }
    }
}

extension QueryExecutor {
    func checkDeadline(_ r: SourceRange = SourceRange(0, 0)) throws { try budget.check(r) }

    /// See `Budget.reserve`.
    func reserve(_ bytes: Int?, _ what: @autoclosure () -> String) throws { try budget.reserve(bytes, what()) }

    /// Counts rows read against the budget (`--max-rows-scanned`).
    func countRowsRead(_ n: Int, segment: SegmentInfo?) throws {
        statsLock.lock()
        if let seg = segment { stats.scan.segmentsRead += 1; stats.scan.bytesRead += seg.bytes }
        stats.scan.rowsRead += n
        let rowsRead = stats.scan.rowsRead
        statsLock.unlock()
        if let lim = options.maxRowsScanned, rowsRead > lim {
            throw Diagnostic(Msg.budget("the query read more than \(lim) rows (raise the limit with --max-rows-scanned)"), SourceRange(0, 0))
        }
    }
}

extension Batch {
    /// Roughly the bytes this batch holds (8 per fixed-width value, string bytes, offsets,
    /// validity): what a copy of it costs.
    var approximateBytes: Int {
        var n = 0
        for c in columns {
            switch c.storage {
            case .int64(let v): n &+= v.count &* 8
            case .float64(let v): n &+= v.count &* 8
            case .bytes(let s): n &+= s.bytes.count &+ count &* 8
            }
            if c.validity != nil { n &+= count }
        }
        return n  // checked: sizes of arrays already in memory
    }
}
