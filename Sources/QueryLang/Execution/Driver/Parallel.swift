import Foundation

extension QueryExecutor {
    static let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

    /// Runs `work` on up to `workers` items at once and hands the results to `body` in order;
    /// at most `workers` results are held at a time.
    func forEachParallel<T, R>(_ items: [T], _ work: @escaping (T) throws -> R, _ body: (R) throws -> Void) throws {
        let w = QueryExecutor.workers
        if w == 1 || items.count < 2 { for x in items { try body(try work(x)) }; return }
        var start = 0
        while start < items.count {
            let window = Array(items[start..<min(items.count, start + w)])
            var results = [Result<R, Error>?](repeating: nil, count: window.count)
            let lock = NSLock()
            let b = budget
            DispatchQueue.concurrentPerform(iterations: window.count) { k in
                let r = Result { try Budget.with(b) { try work(window[k]) } }
                lock.lock(); results[k] = r; lock.unlock()
            }
            for r in results { try body(try r!.get()) }
            start += w
        }
    }
}
