import CLibFuzzer
import Foundation
import LogStore

// libFuzzer target: the bytes as one input file through the whole ingest path (plain or gzip
// reader, line cutting, the sniffer, every input format, routing, the shredder, the segment
// writer, publish), then every table read back. Bad input must become rejects or a thrown
// error, never a crash or a hang.
//
// The store lives on /dev/shm when there is one (publish fsyncs), and is replaced every
// `storeLifetime` inputs so that the catalog stays small and the speed steady.

let base: String = {
    let root = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let dir = root + "/logq-fuzz-ingest-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: "/dev/shm/logq-fuzz-ingest-\(getpid())") }
    return dir
}()
let storeLifetime = 256
var store: Store? = nil
var inputs = 0
// The file name takes part in routing (a table named after the file) and in discovery (the
// extensions `ingest` accepts); the first byte picks one, so the fuzzer can explore both.
let names = ["input.jsonl", "AppRequests.json", "input.ndjson", "telemetry.json.gz", "requests.json", "x.jsonl"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let fm = FileManager.default
    if store == nil || inputs % storeLifetime == 0 {
        store = nil
        try? fm.removeItem(atPath: base + "/store")
        do { store = try Store(path: base + "/store", create: true) }
        catch { fatalError("cannot create the fuzz store: \(error)") }
    }
    inputs += 1
    let name = names[size > 0 ? Int(data[0]) % names.count : 0]
    let file = base + "/" + name
    fm.createFile(atPath: file, contents: Data(bytes: data, count: size))
    defer { try? fm.removeItem(atPath: file) }
    var options = IngestOptions(force: true)
    options.parallelism = 1
    options.maxLineBytes = 64 << 10
    options.hardLineBytes = 1 << 20
    options.segmentRows = 64
    guard let s = store else { return 0 }
    do {
        _ = try s.ingest(paths: [file], options: options)
        for t in try s.tableNames() {
            var stats = ScanStats()
            try s.scan(t, ScanRequest(), stats: &stats) { b in _ = b.count }
        }
    } catch let e as StoreError {
        _ = "\(e)"
    } catch {
        _ = "\(error)"
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data!, size) })
