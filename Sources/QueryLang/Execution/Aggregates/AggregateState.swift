import Foundation
import LogStore

/// An aggregate's state for all groups at once: `update` takes a batch's argument columns and
/// each row's group id; `finish` produces one column per output. States grow with group count.
protocol AggregateState: AnyObject {
    func update(_ groups: [Int32], groupCount: Int, _ args: [Column])
    func finish(groupCount: Int) -> [Column]
}

@inline(__always) func grow<T>(_ a: inout [T], _ n: Int, _ v: T) { if a.count < n { a.append(contentsOf: repeatElement(v, count: n - a.count)) } }

/// A state that can absorb another's partial result: `summarize` over a table runs one partial
/// per worker on its own segments and merges them (`mapping[j]` is the merged id of the other's group j).
protocol MergeableState: AggregateState {
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int)
}
