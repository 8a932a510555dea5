import LogStore

/// A physical operator: one node of a running plan. `run` is called once per run.
///
/// - Consumes: the batches its input operators push (it runs them from its own `run`), or, for
///   scans, segments read through the executor (which counts them against the budgets).
/// - Emits: column batches whose names and types are its plan node's schema, pushed to `emit`
///   in output order. Streaming operators may emit any number of batches and skip empty ones;
///   blocking operators (summarize, sort/top, count, serialize, sample, make-series) emit once,
///   when their input is exhausted.
/// - Ordering: streaming operators keep their input's row order; scans emit segments in catalog
///   order even when decoded in parallel; summarize emits groups in order of first appearance;
///   sort is stable; a hash join emits in the order of the streamed (probe) side.
/// - Memory: a streaming operator holds one batch (a parallel scan one per worker); a blocking
///   operator holds its whole input or its groups; a join holds its build side. Blocking
///   operators check the budgets (`checkDeadline`) per input batch and `reserve` what they build
///   from it before building it. An operator whose output can outgrow its input (join,
///   mv-expand) emits it in chunks with the budgets checked between them; a loop that can run
///   long inside one batch (a sort, make-series fill) ticks a `BudgetTicker`.
/// - Stopping: `emit` may throw `StopPipeline` to stop the input early; the operator that asked
///   for the stop (take) catches it. Budget errors are `Diagnostic`s and end the run.
///
/// The call through this protocol happens once per batch, never per row.
protocol PhysicalOperator {
    func run(_ emit: (Batch) throws -> Void) throws
}
