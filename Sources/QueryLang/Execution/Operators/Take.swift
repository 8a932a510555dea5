import Foundation
import LogStore

/// The first `count` rows; stops its input as soon as it has them.
struct TakeOperator: PhysicalOperator {
    let input: any PhysicalOperator
    let count: Int

    func run(_ emit: (Batch) throws -> Void) throws {
        var left = count
        if left == 0 { return }
        do {
            try input.run { b in
                if b.count <= left { left -= b.count; try emit(b) }
                else {
                    let sel = (0..<left).map { Int32($0) }
                    try emit(Batch(names: b.names, columns: b.columns.map { $0.gather(sel) }, count: left))
                    left = 0
                }
                if left == 0 { throw StopPipeline() }
            }
        } catch is StopPipeline {}
    }
}

/// take over a table: decodes only the rows it keeps, segment by segment.
struct TakeScanOperator: PhysicalOperator {
    let ex: QueryExecutor
    let scan: ScanNode
    let count: Int

    func run(_ emit: (Batch) throws -> Void) throws {
        var left = count
        let (schema, request) = (scan.schema, scan.request)
        let cols = scan.columns
        for seg in try ex.keptSegments(scan.table, request) where left > 0 {
            let s = try ex.openScan(seg, schema, request, countRows: false)
            let n = min(left, s.rowCount)
            // Rows read: those kept, and the time column's when the window was worked out from it.
            try ex.countRowsRead(n + (s.window != nil ? s.open.rows : 0), segment: nil)
            if n == 0 { continue }
            let b = try ex.read(s, cols, rows: n == s.rowCount ? nil : (0..<Int32(n)).map { $0 })
            left -= b.count
            try emit(b)
        }
    }
}
