import Foundation

/// One run of a program as the end-to-end tests make it: exit status, whether a signal ended it,
/// its output and error text, and how long it took.
struct ProcessRun {
    let code: Int32
    let signaled: Bool
    let out: String
    let err: String
    let seconds: Double
}

/// Runs `executable` (the built `logq` unless told otherwise) with `args` from the repository's top
/// directory, with `stdin` as its input (none when nil), and waits for it.
func runProcess(_ args: [String], stdin: String? = nil, executable: String = CLITests.binary) throws -> ProcessRun {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: CLITests.repo)
    let o = Pipe(), e = Pipe()
    p.standardOutput = o; p.standardError = e
    let input = stdin.map { _ in Pipe() }
    p.standardInput = input ?? FileHandle.nullDevice
    let t0 = Date()
    try p.run()
    if let input, let s = stdin {
        input.fileHandleForWriting.write(Data(s.utf8))
        try input.fileHandleForWriting.close()
    }
    // Error output is read on its own thread: a child that fills one pipe while we wait on the
    // other would block forever.
    let err = ReadBox()
    let errDone = DispatchSemaphore(value: 0)
    DispatchQueue.global().async { err.data = e.fileHandleForReading.readDataToEndOfFile(); errDone.signal() }
    let out = o.fileHandleForReading.readDataToEndOfFile()
    errDone.wait()
    p.waitUntilExit()
    return ProcessRun(code: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal,
                      out: String(decoding: out, as: UTF8.self), err: String(decoding: err.data, as: UTF8.self),
                      seconds: Date().timeIntervalSince(t0))
}

/// What the error-reading thread read; the semaphore orders its write before the read.
private final class ReadBox: @unchecked Sendable { var data = Data() }
