import Foundation

public struct IngestOptions: Sendable {
    /// Put every record in this table instead of the one the record or file name says.
    public var table: String?
    /// Ingest files whose content was ingested before.
    public var force = false
    public var maxLineBytes = 1 << 20
    /// When set, string values longer than this are cut (at a character boundary) and the record is
    /// kept with a note, and lines longer than `maxLineBytes` are kept too (up to `hardLineBytes`).
    public var maxStringBytes: Int? = nil
    /// Lines longer than this are rejected even when strings are truncated (memory bound).
    public var hardLineBytes = 256 << 20
    var lineLimit: Int { maxStringBytes == nil ? maxLineBytes : max(maxLineBytes, hardLineBytes) }
    /// Rows per segment; at most 1,048,576 (a segment's documented maximum, docs/FORMAT.md): more is taken as that.
    public var segmentRows = 131_072
    public var segmentBytes = 192 << 20
    /// How many rejected lines per file keep their text in `ingest_rejects`.
    public var keptRejectsPerFile = 10_000
    /// Files ingested at once (each holds up to `segmentBytes` of builders in memory).
    public var parallelism = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
    /// Tests only: runs after the first bytes of a file are read (to change the file meanwhile).
    var afterFirstRead: (@Sendable (String) -> Void)? = nil
    public init(table: String? = nil, force: Bool = false) { self.table = table; self.force = force }
}

public struct IngestReject: Sendable {
    public var file: String
    public var line: Int
    public var offset: Int
    public var reason: String
    public var text: String
}

public struct FileIngestReport: Sendable {
    public var path: String
    public var bytes: Int
    public var rowsByTable: [String: Int]
    public var rejected: Int
    /// Set when the content was ingested before and `force` was off.
    public var skipped: Bool
    public var firstRejects: [IngestReject]
    /// Records kept with a string value cut (see `IngestOptions.maxStringBytes`): how many, and the first notes.
    public var truncated: Int = 0
    public var firstTruncations: [IngestReject] = []
    /// Why the file was not ingested at all (it could not be opened or read, or is not a regular file); nil otherwise.
    public var failure: String? = nil
    public var rows: Int { rowsByTable.values.reduce(0, +) }
}

public struct IngestProgress: Sendable {
    public var file: String
    public var filesDone: Int
    public var filesTotal: Int
    public var bytes: Int
    public var rows: Int
    public var rejected: Int
}
