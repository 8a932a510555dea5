import ArgumentParser
import Foundation

/// Where `run` and `report` look for saved queries: --queries DIR, ./queries, ~/.config/logq/queries.
enum SavedQueries {
    static func dirs(_ explicit: String?) -> [String] {
        var d: [String] = []
        if let e = explicit { d.append(e) }
        d.append("queries")
        d.append(NSHomeDirectory() + "/.config/logq/queries")
        return d
    }

    static func resolve(_ name: String, dir: String?) throws -> String {
        if FileManager.default.fileExists(atPath: name) { return name }
        for d in dirs(dir) {
            for candidate in [d + "/" + name, d + "/" + name + ".kql"] where FileManager.default.fileExists(atPath: candidate) { return candidate }
            if let items = try? FileManager.default.contentsOfDirectory(atPath: d) {
                if let hit = items.sorted().first(where: { $0.hasSuffix(".kql") && ($0.dropLast(4).hasSuffix(name) || $0.contains(name)) }) { return d + "/" + hit }
            }
        }
        throw ValidationError("no saved query named '\(name)' in \(dirs(dir).joined(separator: ", "))")
    }
}
