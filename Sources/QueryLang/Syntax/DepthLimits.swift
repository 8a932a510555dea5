/// How deep a query may nest. The parser, the binder, the planner and lowering all recurse over
/// the tree or the plan, so without a bound a few kilobytes of parentheses overflow the stack
/// (a SIGSEGV, not a diagnostic). One limit counts every level: a parenthesis, a call, a unary
/// operator, an operand of a binary operator, a subquery, a `union` arm, a pipe operator (each
/// wraps the plan of the ones before it) and a `let` expansion.
///
/// The figure leaves ample stack in debug builds on a 512 KiB secondary thread
/// (`DepthLimitTests` runs queries at the limit on one), while no real query comes near it.
/// Long `and`/`or` chains are folded into balanced trees, so 20,000 terms are only ~15 levels.
enum DepthLimits {
    static let maxDepth = 256
}

import Foundation

/// Runs the recursive phases (parse, bind, optimize, execute) on a thread of its own with a
/// 64 MiB stack, whatever thread the caller is on. Debug builds spend ~25 KiB of stack per level
/// in the parser alone (large unoptimised frames), so a query at `DepthLimits.maxDepth` needs
/// ~10 MiB: more than an 8 MiB main thread, far more than a 512 KiB secondary thread. The stack is
/// reserved, not committed: only the pages a query touches cost memory. Nested calls (a subquery
/// run while binding) stay on the thread they are on.
enum DeepStack {
    static let stackSize = 64 << 20
    private static let marker = "logq.deepStack"

    static var onDeepStack: Bool { Thread.current.threadDictionary[marker] != nil }

    static func run<T>(_ body: () throws -> T) throws -> T {
        if onDeepStack { return try body() }
        return try withoutActuallyEscaping(body) { body in
            // The thread object outlives its block, so the block holds only this box, and the
            // box lets go of `body` before the call returns (it must not escape).
            let job = DeepStackJob<T>(body)
            // The query's budget is per thread (`Budget.current`): it goes along to the deep stack.
            let budget = Budget.current
            let t = Thread {
                Thread.current.threadDictionary[marker] = true
                job.result = Result { try Budget.with(budget) { try job.work!() } }
                job.work = nil
                job.done.signal()
            }
            t.stackSize = stackSize
            t.start()
            job.done.wait()
            return try job.result!.get()
        }
    }

    static func run<T>(_ body: () -> T) -> T {
        // `body` cannot throw, so neither can this.
        try! run { () throws -> T in body() }
    }
}

/// One call of `DeepStack.run`: the work, until it is done, and its result.
private final class DeepStackJob<T>: @unchecked Sendable {
    var work: (() throws -> T)?
    var result: Result<T, Error>?
    let done = DispatchSemaphore(value: 0)
    init(_ work: @escaping () throws -> T) { self.work = work }
}
