import Foundation

/// Finds the `ticketsync` executable SwiftPM built next to the test bundle.
enum TicketSyncBinary {
    struct NotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "no ticketsync executable found next to the tests; build it with 'swift build --product ticketsync'. "
                + "Looked in: \(searched.joined(separator: ", "))"
        }
    }

    /// The executable: walking up from the test runner (`CommandLine.arguments[0]`) until a
    /// directory holds `ticketsync`, then the package's `.build/debug`.
    static func locate() throws -> URL {
        var searched: [String] = []
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<8 {
            for candidate in [directory.appendingPathComponent("ticketsync"), directory.appendingPathComponent(".build/debug/ticketsync")] {
                searched.append(candidate.path)
                if isExecutable(candidate) { return candidate }
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        // This file is Tests/TicketSyncCLITests/Support/TicketSyncBinary.swift in the package.
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let fallback = package.appendingPathComponent(".build/debug/ticketsync")
        searched.append(fallback.path)
        if isExecutable(fallback) { return fallback }
        throw NotFound(searched: searched)
    }

    private static func isExecutable(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: url.path)
    }
}
