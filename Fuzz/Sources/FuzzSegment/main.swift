import CLibFuzzer
import Foundation
import LogStore

// libFuzzer target: a segment file's bytes through the segment reader (footer, every encoding,
// row selections, dictionary-only reads, the string and time-range selections). Block and footer
// CRCs are recomputed first (`_Fuzz.repairSegmentChecksums`) so that mutations reach the decoders;
// the checksum checks themselves are simple comparisons.
// A damaged segment must throw `StoreError.corruptSegment`, never crash.

let scratchPath: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return base + "/logq-fuzz-segment-\(getpid()).seg"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _Fuzz.repairSegmentChecksums(&bytes)
    let fd = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { fatalError("cannot write \(scratchPath)") }
    var done = 0
    bytes.withUnsafeBytes { b in
        while done < b.count {
            let n = write(fd, b.baseAddress! + done, b.count - done)
            if n <= 0 { fatalError("cannot write \(scratchPath)") }
            done += n
        }
    }
    close(fd)
    do { _ = try _Fuzz.readSegment(path: scratchPath) }
    catch let e as StoreError { _ = "\(e)" }
    catch { fatalError("the segment reader threw something other than StoreError: \(error)") }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data!, size) })
