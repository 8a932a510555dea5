import Foundation
import LogStore

/// The run's budgets: time (`--timeout`), resident memory (`--max-memory`) and rows read from
/// storage (`--max-rows-scanned`). Operators check them between batches, never per row.
extension QueryExecutor {
    func checkDeadline(_ r: SourceRange = SourceRange(0, 0)) throws {
        if let d = options.deadline, Date() > d { throw Diagnostic(Msg.budget("the query ran past its time budget"), r) }
        if let limit = options.maxMemoryBytes, let rss = QueryExecutor.residentBytes(), rss > limit {
            throw Diagnostic(Msg.budget("the query used more than \(limit >> 20) MB of memory (\(rss >> 20) MB resident; raise the limit with --max-memory)"), r)
        }
    }

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
