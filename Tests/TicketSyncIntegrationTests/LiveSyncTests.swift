import Foundation
import Testing
import TicketModel
import TicketSyncClient
import TicketSyncProtocol

/// Live sessions (`syncLive`) against a real server: local edits are pushed while connected, and
/// a station busy in its store still reads the server's messages.
@Suite(.serialized) struct LiveSyncTests {
    /// Counts a live station's connection attempts and disconnects.
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var connects = 0
        private var disconnects: [String] = []
        func record(_ event: SyncEvent) {
            lock.lock()
            defer { lock.unlock() }
            switch event {
            case .connecting: connects += 1
            case .disconnected(let reason): disconnects.append(reason)
            case .received, .retrying, .connected: break
            }
        }
        var counts: (connects: Int, disconnects: [String]) {
            lock.lock()
            defer { lock.unlock() }
            return (connects, disconnects)
        }
    }

    /// Polls `condition` every 50 ms for at most `seconds`; true if it held.
    static func eventually(_ seconds: Double = 30, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }

    // Passes alone in about 1.3 s. In the full parallel suite it used to stall (the first
    // delivery to the second live station never came within 30 s; 2 of 3 runs on 2026-12-01).
    // One cause was found: starting a server blocked one of the test process's two cooperative
    // threads until the server printed its address, starving live sessions meanwhile;
    // ServerProcess.start now waits on a thread of its own. With that, it passed in two full
    // runs, but took about 35 s there, so something else still slows it (other tests block
    // threads in `run`, or the 2 cores are simply saturated). It stays disabled, so that CI does
    // not fail at random, until that is understood (issue 4).
    @Test(.disabled("slow and once flaky in the full parallel suite; see the comment above (issue 4)"))
    func liveStationsPushEditsMadeWhileConnected() async throws {
        let folder = try TemporaryDirectory()
        let server = try ServerProcess(dataDirectory: folder.path("server"))
        try await server.start()
        defer { server.stop() }
        func station(_ name: String) throws -> Station {
            let station = try Station.create(at: folder.path("\(name).sqlite"), agent: name)
            try station.configureServer(url: server.url, token: try server.addStation(name), caFile: server.caFile)
            return station
        }
        let dfw = try station("dfw")
        let ont = try station("ont")
        let ticket = try dfw.createTicket([.title: .text("Carrier missed pickup"), .site: .text("DFW1")])

        let dfwEvents = Events()
        let ontEvents = Events()
        let live = [
            Task { try await dfw.syncLive { dfwEvents.record($0) } },
            Task { try await ont.syncLive { ontEvents.record($0) } },
        ]
        defer { for task in live { task.cancel() } }

        // Both sessions are up once the ticket made before connecting has crossed over.
        #expect(try await Self.eventually { try ont.status().tickets == 1 }, "the first ticket never reached ont")

        // Edits made while both are connected travel both ways, with no new session.
        try dfw.update(ticket, [.priority: .text("urgent")])
        #expect(try await Self.eventually { try ont.ticket(ticket)[.priority] == .text("urgent") }, "dfw's live edit never reached ont")
        let reply = try ont.comment(on: ticket, body: "Rebooked for tomorrow")
        #expect(try await Self.eventually { try dfw.ticket(ticket).comments.contains { $0.id == reply } }, "ont's comment never reached dfw")
        for index in 0..<20 { try dfw.comment(on: ticket, body: "note \(index)") }
        #expect(try await Self.eventually { try ont.ticket(ticket).comments.count == 21 }, "a burst of live edits did not all arrive")
        #expect(try await Self.eventually { try dfw.status().outbox == 0 && ont.status().outbox == 0 })

        #expect(dfwEvents.counts.connects == 1 && dfwEvents.counts.disconnects.isEmpty, "dfw: \(dfwEvents.counts)")
        #expect(ontEvents.counts.connects == 1 && ontEvents.counts.disconnects.isEmpty, "ont: \(ontEvents.counts)")
        #expect(try dfw.digest() == (try ont.digest()))
        #expect(try dfw.digest().description == (try server.digest()))
    }

    /// A station whose store is locked by another connection cannot apply what arrives; its
    /// session must still read the server's messages, so when the server closes the session
    /// meanwhile (here: the credential is revoked) the station reports the server's reason, not
    /// the failed write of its next Credit.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
    func busyStationReportsTheServersReason() async throws {
        let folder = try TemporaryDirectory()
        let server = try ServerProcess(dataDirectory: folder.path("server"))
        try await server.start()
        defer { server.stop() }
        let hq = try Station.create(at: folder.path("hq.sqlite"), agent: "hq")
        try hq.configureServer(url: server.url, token: try server.addStation("hq"), caFile: server.caFile)
        let ticket = try hq.createTicket([.title: .text("Inventory recount"), .site: .text("SEA1")])
        for index in 0..<2_000 { try hq.comment(on: ticket, body: "line \(index) counted") }
        _ = try await hq.syncOnce()

        let readerPath = folder.path("reader.sqlite")
        let reader = try Station.create(at: readerPath, agent: "reader")
        try reader.configureServer(url: server.url, token: try server.addStation("reader"), caFile: server.caFile)

        // Another connection holds the reader's write lock: its first write waits (up to 10 s).
        let lock = try SQLiteLockHolder(path: readerPath)
        defer { lock.release() }
        let round = Task { try await reader.syncOnce() }
        // The reader's session is open once the server counts its connection.
        #expect(try await Self.eventually(10) { server.establishedConnections() == 1 }, "the reader never connected")
        let revoke = try run(server.binary, ["station", "revoke", "reader", "--data-dir", server.dataDirectory])
        #expect(revoke.status == 0)
        // The server closes the session within about a second; the station, still stuck in
        // its store, reads the Error and the close and lets the connection go.
        #expect(try await Self.eventually(8) { server.establishedConnections() == 0 }, "the revoked session stayed open")
        lock.release()
        do {
            _ = try await round.value
            Issue.record("the round succeeded with a revoked credential")
        } catch let error as SyncError {
            #expect(error.code == .revoked, "\(error)")
        } catch {
            Issue.record("expected the server's reason (revoked), got \(error)")
        }
    }
}

/// Holds a SQLite file's write lock from another process (`sqlite3`, `BEGIN IMMEDIATE`) until
/// released, so that a station's writes to it wait.
final class SQLiteLockHolder: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private var released = false

    init(path: String) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("PRAGMA busy_timeout = 10000;\nBEGIN IMMEDIATE;\nSELECT 'locked';\n".utf8))
        // Wait (bounded by sqlite3's own busy timeout) until the lock is taken.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("locked") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestFailure("sqlite3 ended before it took the lock on \(path)") }
            seen.append(chunk)
        }
    }

    /// Commits (nothing was written) and ends the process.
    func release() {
        guard !released else { return }
        released = true
        input.fileHandleForWriting.write(Data("COMMIT;\n.quit\n".utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { release() }
}
