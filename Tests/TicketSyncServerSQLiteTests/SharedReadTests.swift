import Synchronization
import Testing
import TicketModel
import TicketSyncServer

/// The server's session plumbing that sits on a store: log windows shared between sessions, and
/// the queue between a session's reader and its appender.
@Suite struct SharedReadTests {
    /// Forwards to a real store and counts log reads.
    final class CountingStore: ServerStore {
        let base: any ServerStore
        let reads = Atomic<Int>(0)
        init(_ base: any ServerStore) { self.base = base }

        func serverReplica() async throws(ServerError) -> ReplicaID { try await base.serverReplica() }
        func addCredential(
            name: String, kind: CredentialKind, tokenHash: [UInt8], scopes: [Scope], createdMillis: UInt64
        ) async throws(ServerError) {
            try await base.addCredential(name: name, kind: kind, tokenHash: tokenHash, scopes: scopes, createdMillis: createdMillis)
        }
        func stations() async throws(ServerError) -> [StationRecord] { try await base.stations() }
        func revokeStation(name: String) async throws(ServerError) { try await base.revokeStation(name: name) }
        func station(tokenHash: [UInt8]) async throws(ServerError) -> StationRecord? { try await base.station(tokenHash: tokenHash) }
        func bind(station: String, to replica: ReplicaID) async throws(ServerError) -> Bool { try await base.bind(station: station, to: replica) }
        func decidedSequence(of replica: ReplicaID) async throws(ServerError) -> UInt64 { try await base.decidedSequence(of: replica) }
        func append(
            _ operations: [TicketOperation], from station: StationRecord, receivedMillis: UInt64, maxDriftMillis: UInt64
        ) async throws(ServerError) -> AppendResult {
            try await base.append(operations, from: station, receivedMillis: receivedMillis, maxDriftMillis: maxDriftMillis)
        }
        func read(after cursor: String?, limit: Int) async throws(ServerError) -> [LogEntry] {
            reads.add(1, ordering: .relaxed)
            return try await base.read(after: cursor, limit: limit)
        }
        func knows(cursor: String) async throws(ServerError) -> Bool { try await base.knows(cursor: cursor) }
        func operations(of ticket: TicketID, through cursor: String) async throws(ServerError) -> [TicketOperation] {
            try await base.operations(of: ticket, through: cursor)
        }
        func tickets(after: TicketID?, limit: Int) async throws(ServerError) -> [Ticket] {
            try await base.tickets(after: after, limit: limit)
        }
        func digest() async throws(ServerError) -> StateDigest { try await base.digest() }
        func counts() async throws(ServerError) -> StoreCounts { try await base.counts() }
    }

    @Test(arguments: StoreBackEnd.all)
    func sessionsAtOneCursorShareOneReadAndNeverMissAnAppend(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = CountingStore(try await location.open())
        var script = OperationScript(replica: ReplicaID(0xB1))
        let station = try await addBoundStation(store, "north", replica: script.replica)
        let a = ticket(1)
        _ = try await store.append([script.create(a, site: "A")], from: station, at: script.receivedMillis)
        let hub = LogHub()
        let cache = LogWindowCache()

        // Fifty sessions ask for the window after the start at once: one read serves them all.
        let generation = hub.generation
        let windows = try await withThrowingTaskGroup(of: [LogEntry].self) { group in
            for _ in 0..<50 {
                group.addTask { try await cache.read(after: nil, limit: 100, generation: generation, store: store) }
            }
            var all: [[LogEntry]] = []
            for try await window in group { all.append(window) }
            return all
        }
        #expect(store.reads.load(ordering: .relaxed) == 1)
        #expect(windows.count == 50 && windows.allSatisfy { $0.map(\.id) == windows[0].map(\.id) && $0.count == 1 })

        // The log grows and the hub says so: the short window is read again, with the new entry.
        let second = script.set(.priority, .text("high"), on: a)
        _ = try await store.append([second], from: station, at: script.receivedMillis)
        hub.notify()
        let fresh = try await cache.read(after: nil, limit: 100, generation: hub.generation, store: store)
        #expect(fresh.map(\.id).last == second.id && fresh.count == 2)
        #expect(store.reads.load(ordering: .relaxed) == 2)

        // A full window does not change as the log grows: it is reused in later generations.
        let full = try await cache.read(after: nil, limit: 1, generation: hub.generation, store: store)
        hub.notify()
        let again = try await cache.read(after: nil, limit: 1, generation: hub.generation, store: store)
        #expect(full.map(\.id) == again.map(\.id))
        #expect(store.reads.load(ordering: .relaxed) == 3)
    }

    @Test func cacheKeepsAtMostItsEntryBudget() async throws {
        let location = try await StoreBackEnd.sqlite.makeLocation()
        let store = try await location.open()
        var script = OperationScript(replica: ReplicaID(0xB2))
        let station = try await addBoundStation(store, "south", replica: script.replica)
        let a = ticket(2)
        var operations = [script.create(a, site: "A")]
        for index in 0..<40 { operations.append(script.set(.title, .text("title \(index)"), on: a)) }
        _ = try await store.append(operations, from: station, at: script.receivedMillis)
        let cache = LogWindowCache(maxEntries: 25)
        var cursor: String?
        for _ in 0..<8 {
            let window = try await cache.read(after: cursor, limit: 5, generation: 0, store: store)
            cursor = window.last?.cursor
        }
        // 8 windows of 5 entries were read; at most 25 entries (5 windows) are kept.
        #expect(cache.count <= 5)
        #expect(cache.count >= 1)
    }

    @Test func pushQueueHandsOverEverythingWaitingAndBoundsTheReader() async throws {
        let queue = PushQueue(capacity: 2)
        func push(_ batch: UInt64) -> PushQueue.Push { PushQueue.Push(batch: batch, operations: []) }
        #expect(await queue.put(push(1)))
        #expect(await queue.put(push(2)))
        // The queue is full: a third put waits until the appender takes what is queued.
        let third = Task { await queue.put(push(3)) }
        let first = await queue.takeAll()
        #expect(first?.map(\.batch) == [1, 2])
        #expect(await third.value)
        #expect(await queue.takeAll()?.map(\.batch) == [3])
        // A waiting appender gets the next push directly; after finish it gets nil.
        let waiting = Task { await queue.takeAll() }
        #expect(await queue.put(push(4)))
        #expect(await waiting.value?.map(\.batch) == [4])
        queue.finish()
        #expect(await queue.takeAll() == nil)
        #expect(await queue.put(push(5)) == false)
    }
}
