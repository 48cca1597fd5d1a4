import Foundation
import GRDB
import Testing
import TicketModel
@testable import TicketSyncClient
import TicketTestSupport

/// Which operations the store holds is kept as bitmaps (``SeenOperations``), not a unique index:
/// duplicates must still be dropped in any order, operations the store forgot must be taken
/// again, and a store written before the change must migrate. Replay a failure with
/// `TICKETSYNC_SEED=<seed> swift test --filter SeenOperationsTests`.
@Suite struct SeenOperationsTests {
    func count(_ path: String, _ sql: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    @Test(arguments: propertySeeds(count: 3))
    func duplicatesInAnyOrderAreDroppedAndForgottenOperationsTakenAgain(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        var work = RandomWorkload(replicaCount: 4, seed: seed)
        work.run(operations: 1_500, syncEvery: 150)
        let clock = TestClock(work.baseMillis + work.now + 60_000)
        let path = folder.path("station.sqlite")
        var generator = SeededGenerator(seed: seed ^ 0x5EE7)
        var pool = work.all
        pool.shuffle(using: &generator)
        let station = try Station.create(at: path, agent: "zoe", replica: ReplicaID(0x5E11), wallClock: clock)

        // Each batch: some new operations, some already applied, some twice in the batch.
        var delivered = 0
        var applied = 0
        var duplicates = 0
        while delivered < pool.count {
            let fresh = Array(pool[delivered..<min(pool.count, delivered + Int.random(in: 1...120, using: &generator))])
            let again = (0..<Int.random(in: 0...40, using: &generator)).compactMap { _ in delivered > 0 ? pool[Int.random(in: 0..<delivered, using: &generator)] : nil }
            var batch = fresh + again + fresh.prefix(Int.random(in: 0...5, using: &generator))
            batch.shuffle(using: &generator)
            let result = try station.applyRemote(batch)
            #expect(result.refused.isEmpty, "seed \(seed)")
            #expect(result.applied == fresh.count, "seed \(seed): applied \(result.applied) of \(fresh.count) new")
            applied += result.applied
            duplicates += result.duplicates
            delivered += fresh.count
        }
        #expect(applied == pool.count && duplicates > 0, "seed \(seed)")
        #expect(try count(path, "SELECT count(*) FROM operations") == pool.count, "seed \(seed)")
        var reference = TicketReplica(id: ReplicaID(0xAB))
        #expect(reference.apply(batch: pool, physicalMillis: clock.nowMillis()).isEmpty)
        try StoreModelEquivalenceTests().expectRowsEqual(station, reference, "seed \(seed) after the batches")

        // Tickets that left the scopes are forgotten; when they come back, all of their
        // operations are taken again and the rest stay duplicates.
        let tickets = Array(Set(pool.map(\.ticket))).sorted()
        let forgotten = Set(tickets.filter { _ in Bool.random(using: &generator) })
        try station.forget(Array(forgotten))
        let back = try station.applyRemote(pool)
        let expected = pool.filter { forgotten.contains($0.ticket) }.count
        #expect(back.applied == expected && back.duplicates == pool.count - expected, "seed \(seed): \(back.applied) of \(expected)")
        try StoreModelEquivalenceTests().expectRowsEqual(station, reference, "seed \(seed) after forgetting \(forgotten.count) tickets")

        // A repair recomputes the bitmaps from the log: still every operation a duplicate.
        try station.rebuildTickets()
        #expect(try station.applyRemote(pool).duplicates == pool.count, "seed \(seed)")
    }

    /// With no index by id, a comment edit or delete finds its comment on the ticket's own chain,
    /// and a comment of another ticket is not found.
    @Test func commentEditsFindTheirCommentOnTheTicketsChain() throws {
        let folder = try TemporaryFolder()
        var work = RandomWorkload(replicaCount: 2, seed: 11)
        work.run(operations: 300, syncEvery: 100)
        let clock = TestClock(work.baseMillis + work.now + 60_000)
        let station = try Station.create(at: folder.path("station.sqlite"), agent: "zoe", replica: ReplicaID(0x0C0E), wallClock: clock)
        let first = try station.createTicket([.title: .text("Wrong item shipped")])
        let second = try station.createTicket([.title: .text("Stock count off by 12")])
        let note = try station.comment(on: first, body: "Asked the picker")
        try station.applyRemote(work.all)
        try station.editComment(note, on: first, body: "Asked the picker; bin B19")
        #expect(throws: StationError.self) { try station.editComment(note, on: second, body: "not here") }
        do {
            try station.deleteComment(note, on: second)
            Issue.record("a comment of another ticket was deleted")
        } catch {
            #expect(error.code == .notFound, "\(error)")
        }
        #expect(try station.ticket(first).comments.first?.body == "Asked the picker; bin B19")
        try station.deleteComment(note, on: first)
    }

    @Test func aStoreWithTheUniqueIndexIsMigrated() throws {
        let folder = try TemporaryFolder()
        var work = RandomWorkload(replicaCount: 3, seed: 7)
        work.run(operations: 400, syncEvery: 100)
        let clock = TestClock(work.baseMillis + work.now + 60_000)
        let path = folder.path("station.sqlite")
        var station: Station? = try Station.create(at: path, agent: "zoe", replica: ReplicaID(0x0111), wallClock: clock)
        try station!.applyRemote(work.all)
        let mine = try station!.createTicket([.title: .text("Parcel stuck at the hub")])
        try station!.comment(on: mine, body: "Called the carrier")
        let outbox = try station!.outbox().map(\.id)
        #expect(outbox.count == 2)
        station = nil

        // Back to the first schema: operations with UNIQUE (replica, seq), an outbox of
        // sequence numbers, no bitmaps.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE operations_v1 (
                    position INTEGER PRIMARY KEY, replica INTEGER NOT NULL, seq INTEGER NOT NULL, prev INTEGER,
                    body BLOB NOT NULL, UNIQUE (replica, seq)
                );
                INSERT INTO operations_v1 SELECT position, replica, seq, prev, body FROM operations;
                DROP TABLE operations;
                ALTER TABLE operations_v1 RENAME TO operations;
                CREATE TABLE outbox_v1 (seq INTEGER PRIMARY KEY NOT NULL);
                INSERT INTO outbox_v1 SELECT seq FROM outbox;
                DROP TABLE outbox;
                ALTER TABLE outbox_v1 RENAME TO outbox;
                DROP TABLE seen_ops;
                DELETE FROM grdb_migrations WHERE identifier = 'v2';
                """)
        }
        try queue.close()

        let reopened = try Station.open(at: path, wallClock: clock)
        #expect(try reopened.outbox().map(\.id) == outbox)
        #expect(try reopened.applyRemote(work.all).duplicates == work.all.count)
        #expect(try count(path, "SELECT count(*) FROM seen_ops") > 0)
        let check = try DatabaseQueue(path: path)
        #expect(try check.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        #expect(try check.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE sql LIKE '%UNIQUE (replica, seq)%'") } == 0)
    }
}
