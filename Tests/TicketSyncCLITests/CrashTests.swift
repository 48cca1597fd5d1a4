import Foundation
import Testing

/// Kills a writing `ticketsync` at random moments, then checks that the store is intact and holds
/// every ticket whose creation had been reported.
@Suite("ticketsync crash safety")
struct CrashTests {
    static let rounds = 50

    @Test("SIGKILL at random moments loses nothing reported and corrupts nothing")
    func killedWriters() async throws {
        try await offPool {
            let seed = ProcessInfo.processInfo.environment["TICKETSYNC_CRASH_SEED"].flatMap { UInt64($0) }
                ?? UInt64.random(in: 0...UInt64.max)
            var random = SplitMix64(seed: seed)
            let replay = Comment(rawValue: "replay with TICKETSYNC_CRASH_SEED=\(seed)")
            try withTemporaryDirectory { root in
                let home = root.appendingPathComponent("station")
                let cli = try CLI(home: home)
                try cli.succeed(["init", "--agent", "crash"])
    
                var reported: [String] = []
                // Bounded twice: the shell makes at most 500 tickets per round, and each round ends
                // after at most 300 ms with SIGKILL to the whole process group.
                let script = #"i=0; while [ "$i" -lt 500 ]; do "$TS_BIN" --home "$TS_HOME" new --title "crash $TS_ROUND.$i" --json || exit 1; i=$((i+1)); done"#
                for round in 0..<Self.rounds {
                    let output = root.appendingPathComponent("writer-\(round).out")
                    let writer = try ProcessGroup.start(
                        script: script, stdoutPath: output.path,
                        environment: ["TS_BIN": cli.executable.path, "TS_HOME": home.path, "TS_ROUND": String(round)]
                    )
                    usleep(UInt32.random(in: 5...300, using: &random) * 1000)
                    writer.killAll()
                    reported += try Self.reportedIDs(in: output, replay: replay)
                }
                #expect(!reported.isEmpty, "no writer finished a single ticket; \(replay)")
    
                if FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") {
                    let check = try Self.integrityCheck(home.appendingPathComponent("station.sqlite"))
                    #expect(check == "ok", "PRAGMA integrity_check: \(check); \(replay)")
                } else {
                    print("note: /usr/bin/sqlite3 is absent; checked the store with 'ticketsync repair' and 'status' only")
                }
    
                let before = try cli.succeed(["status", "--json"]).jsonObject()
                let tickets = try #require(before["tickets"] as? Int)
                #expect(tickets >= reported.count, "\(replay)")
                print("crash test: \(Self.rounds) kills; \(reported.count) tickets reported, \(tickets) in the store; seed \(seed)")
                let exported = Set(try cli.succeed(["export"]).lines.compactMap { line in
                    (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
                })
                #expect(exported.count == tickets, "\(replay)")
                for id in reported {
                    #expect(exported.contains(id), "reported ticket \(id) is missing; \(replay)")
                    let shown = try cli.run(["show", id, "--json"])
                    #expect(shown.status == 0, "\(shown); \(replay)")
                }
                // The materialised tickets agree with the operation log.
                let rebuilt = try cli.succeed(["repair", "--json"]).jsonObject()
                #expect(rebuilt["rebuilt"] as? Int == tickets, "\(replay)")
                let after = try cli.succeed(["status", "--json"]).jsonObject()
                #expect(after["digest"] as? String == before["digest"] as? String, "\(replay)")
                #expect(after["outbox"] as? Int == after["operations"] as? Int, "\(replay)")
            }
        }
    }

    /// The ids `new --json` printed in full: complete lines only (a kill may cut the last one).
    static func reportedIDs(in output: URL, replay: Comment) throws -> [String] {
        let text = String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self)
        guard let lastNewline = text.lastIndex(of: "\n") else { return [] }
        return try text[..<lastNewline].split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return try #require(object?["id"] as? String, "a complete line is not a ticket: \(line); \(replay)")
        }
    }

    /// The result of `PRAGMA integrity_check` from the system's sqlite3.
    static func integrityCheck(_ store: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [store.path, "PRAGMA integrity_check;"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
