import Foundation
import Testing
import TicketModel
import TicketSyncServer
import TicketSyncServerSQLite

/// What only the SQLite back end has: its durability settings, its file, several handles on it.
@Suite struct SQLiteStoreTests {
    @Test func everyCommitIsSyncedToDisk() async throws {
        let location = try SQLiteLocation()
        let store = try SQLiteServerStore(path: location.path)
        let settings = try await store.durabilitySettings()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == 2)  // FULL
    }

    @Test func aFileThatIsNotAStoreIsReportedClearly() throws {
        let location = try SQLiteLocation()
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: location.path))
        let error = #expect(throws: ServerError.self) { try SQLiteServerStore(path: location.path) }
        #expect(error?.code == .storage)
        #expect(error?.message.contains("not a TicketSync server store") == true)

        let missing = #expect(throws: ServerError.self) { try SQLiteServerStore(path: location.folder.path("no/such/dir/server.sqlite")) }
        #expect(missing?.code == .storage)
        #expect(missing?.message.contains("directory") == true)
    }

    /// A full disk fails the whole append with a message that says so; nothing of it is kept,
    /// and the store works again once there is room.
    @Test func aFullDiskFailsTheAppendCleanly() async throws {
        let location = try SQLiteLocation()
        let store = try SQLiteServerStore(path: location.path)
        var script = OperationScript(replica: ReplicaID(0xE1))
        let station = try await addBoundStation(store, "s", replica: script.replica)
        let first = [script.create(ticket(1))]
        _ = try await store.append(first, from: station, at: script.receivedMillis)
        let digest = try await store.digest()

        var big: [TicketOperation] = []
        for n in 0..<400 { big.append(script.next(.comment(body: String(repeating: "x", count: 4_000) + "\(n)", visibility: .internal), on: ticket(1))) }
        try await store.capGrowth(pages: 20)
        let full = await #expect(throws: ServerError.self) { try await store.append(big, from: station, at: script.receivedMillis) }
        #expect(full?.code == .storage)
        #expect(full?.message.contains("disk") == true && full?.message.contains("full") == true, "\(full?.message ?? "")")
        #expect(try await store.digest() == digest)
        #expect(try await store.decidedSequence(of: script.replica) == 1)

        try await store.capGrowth(pages: nil)
        let result = try await store.append(big, from: station, at: script.receivedMillis)
        #expect(result.accepted == big.count && result.decidedSequence == script.seq)
        #expect(try await store.digest() == referenceDigest(first + big))
    }

    /// The `ticketsyncd station …` commands open the file while the server runs: two handles,
    /// both writing at once, see each other's work and never share a position.
    @Test func twoHandlesOnOneFileWriteSafely() async throws {
        let location = try SQLiteLocation()
        let server = try SQLiteServerStore(path: location.path)
        let command = try SQLiteServerStore(path: location.path)
        let hash = StationToken.hash(StationToken.generate())
        try await command.addStation(name: "added-by-command", tokenHash: hash, scopes: [.all], createdMillis: t0)
        #expect(try await server.station(tokenHash: hash)?.name == "added-by-command")
        #expect(try await server.serverReplica() == command.serverReplica())

        var scripts = (0..<4).map { OperationScript(replica: ReplicaID(UInt64(0xC0 + $0))) }
        var stations: [StationRecord] = []
        for index in scripts.indices {
            stations.append(try await addBoundStation(index % 2 == 0 ? server : command, "s\(index)", replica: scripts[index].replica))
        }
        var batches: [[[TicketOperation]]] = []
        for index in scripts.indices {
            var own: [[TicketOperation]] = [[scripts[index].create(ticket(UInt64(index + 1)))]]
            for round in 0..<20 { own.append([scripts[index].set(.priority, .text(round % 2 == 0 ? "low" : "high"), on: ticket(UInt64(index + 1)))]) }
            batches.append(own)
        }
        let received = scripts.map(\.receivedMillis).max()!
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in scripts.indices {
                let store: any ServerStore = index % 2 == 0 ? server : command
                let station = stations[index]
                let own = batches[index]
                group.addTask {
                    for batch in own { _ = try await store.append(batch, from: station, at: received) }
                }
            }
            try await group.waitForAll()
        }
        let entries = try await readAll(server)
        #expect(entries.count == 4 * 21)
        #expect(Set(entries.map(\.cursor)).count == entries.count)
        #expect(try await server.digest() == command.digest())
        #expect(try await server.digest() == referenceDigest(batches.flatMap { $0.flatMap { $0 } }))
    }
}
