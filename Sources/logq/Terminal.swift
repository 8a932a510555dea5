import Foundation

/// What the terminal allows: colours (never when NO_COLOR is set or output is piped), its size, and
/// paging long output through $PAGER.
enum Terminal {
    static var color: Bool {
        stdoutIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"].map { $0.isEmpty } ?? true
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    static var size: (columns: Int, rows: Int) {
        var w = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0 { return (Int(w.ws_col), Int(w.ws_row)) }
        let env = ProcessInfo.processInfo.environment
        return (env["COLUMNS"].flatMap(Int.init) ?? 100, env["LINES"].flatMap(Int.init) ?? 40)
    }

    /// Writes `text` to stdout; on a terminal, text taller than the screen goes through `$PAGER`
    /// (default `less -FRX`: quits at once when it fits, keeps colours) unless `page` is false.
    static func show(_ text: String, page: Bool) {
        let lines = text.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
        if page, stdoutIsTerminal, lines >= size.rows - 1 {
            let pager = ProcessInfo.processInfo.environment["PAGER"].flatMap { $0.isEmpty ? nil : $0 } ?? "less -FRX"
            if let pipe = popen(pager, "w") {
                fputs(text, pipe)
                let status = pclose(pipe)
                // 127: the shell found no such pager; show the text directly instead.
                if status != -1 && (status >> 8) & 0xFF != 127 { return }
            }
        }
        FileHandle.standardOutput.write(text.data(using: .utf8)!)
    }
}

/// Queries allocate and free column buffers of a few megabytes per segment. glibc hands such
/// blocks back to the kernel on free (mmap/trim), so every segment pays fresh page faults and
/// zeroing; keeping them in the heap makes the next segment's buffers free of both (a group-by
/// over 2M rows ran in 35 ms instead of 60). Only for query commands: ingest bounds its memory.
func tuneAllocatorForQueries() {
    #if os(Linux)
    // mallopt is glibc's (malloc.h, which Swift's Glibc module does not import): looked up by name.
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(nil, "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
    _ = mallopt(-3, 256 << 20)  // M_MMAP_THRESHOLD: large blocks from the heap, not fresh mappings
    _ = mallopt(-1, 512 << 20)  // M_TRIM_THRESHOLD: keep freed memory for the next segment
    _ = mallopt(-2, 64 << 20)   // M_TOP_PAD
    #endif
}
