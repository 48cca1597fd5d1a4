import Foundation
import GRDB
import Synchronization
import Testing
import TicketModel
@testable import TicketSyncClient
import TicketTestSupport

/// Remote batches leave their tickets' rows pending (``PendingRows``); nothing that reads may
/// ever see them stale, and a station that stops with rows pending loses nothing. Replay a
/// failure with `TICKETSYNC_SEED=<seed> swift test --filter PendingRowsTests`.
@Suite struct PendingRowsTests {
    /// The tickets table and watermark as another reader sees them, without any catch-up.
    func peek(_ path: String) throws -> (rows: Int, through: Int64?, last: Int64) {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM tickets") ?? 0,
                try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'rows_through'").flatMap { Int64($0) },
                try Int64.fetchOne(db, sql: "SELECT max(position) FROM operations") ?? 0
            )
        }
    }

    @Test(arguments: propertySeeds(count: 2))
    func pendingRowsAreWrittenBeforeAnyReadAndSurviveAStop(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        var work = RandomWorkload(replicaCount: 3, seed: seed)
        work.run(operations: 1_200, syncEvery: 100)
        let clock = TestClock(work.baseMillis + work.now + 60_000)
        let path = folder.path("station.sqlite")
        var generator = SeededGenerator(seed: seed ^ 0x9E17)
        var pool = work.all
        pool.shuffle(using: &generator)
        let half = pool.count / 2

        // Batches with no read between: rows stay pending, the log holds every operation.
        var station: Station? = try Station.create(at: path, agent: "zoe", replica: ReplicaID(0x5747), wallClock: clock)
        for batch in stride(from: 0, to: half, by: 100).map({ Array(pool[$0..<min(half, $0 + 100)]) }) {
            #expect(try station!.applyRemote(batch).refused.isEmpty, "seed \(seed)")
        }
        let before = try peek(path)
        #expect(before.rows == 0 && before.through != nil && before.through! < before.last, "seed \(seed): rows were not left pending: \(before)")

        // The station stops with its rows pending (nothing is written when it goes away); the
        // next one to open the store catches up from the log.
        station = nil
        let reopened = try Station.open(at: path, wallClock: clock)
        var reference = TicketReplica(id: ReplicaID(0xAB))
        #expect(reference.apply(batch: Array(pool[..<half]), physicalMillis: clock.nowMillis()).isEmpty)
        try expectRows(reopened, reference, "seed \(seed) after reopening")
        let caught = try peek(path)
        #expect(caught.rows == Set(pool[..<half].map(\.ticket)).count && caught.through == caught.last, "seed \(seed): \(caught)")

        // Pending again, with small limits so that the rows are also written by the batches
        // themselves; a second station reads and writes in between, and an action that fails
        // on a pending ticket rolls back while holding the pending set.
        reopened.pendingRows.withLock { $0.limits = .init(tickets: 7, operations: 250) }
        let second = try Station.open(at: path, wallClock: clock)
        var delivered = half
        var wroteByLimit = false
        while delivered < pool.count {
            let batch = Array(pool[delivered..<min(pool.count, delivered + 60)])
            delivered += batch.count
            #expect(try reopened.applyRemote(batch).refused.isEmpty, "seed \(seed)")
            let seen = try peek(path)
            if seen.through == seen.last { wroteByLimit = true }
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:
                if let ticket = batch.map(\.ticket).randomElement(using: &generator), (try? second.ticket(ticket)) != nil {
                    try second.update(ticket, [.status: .text("pending")])
                }
            case 1:
                if let ticket = batch.map(\.ticket).randomElement(using: &generator), let tags = try? reopened.ticket(ticket).tags,
                    let tag = tags.first
                {
                    #expect(throws: StationError.self) { try reopened.changeSet(.tags, of: ticket, adding: [tag]) }
                }
            default:
                break
            }
        }
        #expect(wroteByLimit, "seed \(seed): the limits never wrote the rows")
        let own = try reopened.outbox(limit: 1_000_000) + second.outbox(limit: 1_000_000)
        var whole = TicketReplica(id: ReplicaID(0xAB))
        #expect(whole.apply(batch: work.all + own, physicalMillis: clock.nowMillis()).isEmpty)
        try expectRows(reopened, whole, "seed \(seed) first")
        try expectRows(second, whole, "seed \(seed) second")
        #expect(try reopened.digest() == whole.digest(), "seed \(seed)")
    }

    /// Acknowledgements and server settings written between batches (as a live sync does) are
    /// this station's own and touch no rows: the next batch keeps the pending rows instead of
    /// rebuilding them from the log.
    @Test(arguments: propertySeeds(count: 2))
    func ownBookkeepingBetweenBatchesKeepsTheRowsPending(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        var work = RandomWorkload(replicaCount: 3, seed: seed)
        work.run(operations: 600, syncEvery: 100)
        let clock = TestClock(work.baseMillis + work.now + 60_000)
        let path = folder.path("station.sqlite")
        let station = try Station.create(at: path, agent: "zoe", replica: ReplicaID(0x5748), wallClock: clock)
        let mine = try station.createTicket([.title: .text("Label printed, never scanned")])
        let own = try station.outbox()
        #expect(own.map(\.ticket) == [mine])
        let batches = stride(from: 0, to: work.all.count, by: 100).map { Array(work.all[$0..<min(work.all.count, $0 + 100)]) }
        for (number, batch) in batches.enumerated() {
            #expect(try station.applyRemote(batch).refused.isEmpty, "seed \(seed)")
            if number == 1 { try station.acknowledge(upTo: 1) }
            if number == 2 { _ = try station.acknowledgeCounting(upTo: 1) }
            if number == 3 { try station.configureServer(url: "wss://127.0.0.1:7443/v1/sync", token: "t") }
        }
        let seen = try peek(path)
        #expect(seen.rows == 1 && seen.through != nil && seen.through! < seen.last, "seed \(seed): rows were written between batches: \(seen)")
        var reference = TicketReplica(id: ReplicaID(0xAB))
        #expect(reference.apply(batch: work.all + own, physicalMillis: clock.nowMillis()).isEmpty)
        try expectRows(station, reference, "seed \(seed)")
    }

    func expectRows(_ station: Station, _ reference: TicketReplica, _ context: String) throws {
        try StoreModelEquivalenceTests().expectRowsEqual(station, reference, context)
    }
}
