import Foundation
import Synchronization
import Testing
import TicketModel
@testable import TicketSyncClient
import TicketTestSupport

/// The store's materialised tickets must equal the in-memory model's after any mix of local
/// actions and remote batches (reordered, duplicated). Replay a failure with
/// `TICKETSYNC_SEED=<seed> swift test --filter StoreModelEquivalenceTests`.
@Suite struct StoreModelEquivalenceTests {
    @Test(arguments: propertySeeds(count: 2))
    func materialisedTicketsEqualTheModel(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        var work = RandomWorkload(replicaCount: 4, seed: seed)
        work.run(operations: 1_500, syncEvery: 100)
        let clock = TestClock(work.baseMillis + work.now + 60_000)
        let station = try Station.create(at: folder.path("station.sqlite"), agent: "zoe", replica: ReplicaID(0x5747), wallClock: clock)
        var generator = SeededGenerator(seed: seed ^ 0x51A7)

        // Remote batches: random slices of the pool, shuffled, some delivered twice.
        var pool = work.all
        pool.shuffle(using: &generator)
        var delivered = 0
        while delivered < pool.count {
            let size = Int.random(in: 1...200, using: &generator)
            let batch = Array(pool[delivered..<min(pool.count, delivered + size)])
            let result = try station.applyRemote(batch)
            #expect(result.refused.isEmpty, "seed \(seed): \(result.refused.first.map { "\($0.error)" } ?? "")")
            if Bool.random(using: &generator) {
                let again = try station.applyRemote(batch)
                #expect(again.applied == 0 && again.duplicates == batch.count, "seed \(seed): batch not idempotent")
            }
            delivered += size
            // Local actions in between, on tickets the station knows.
            let known = try station.list(TicketQuery()).map(\.id)
            if let ticket = known.randomElement(using: &generator) {
                switch Int.random(in: 0..<5, using: &generator) {
                case 0: try station.update(ticket, [.status: .text(["open", "pending", "solved"].randomElement(using: &generator)!)])
                case 1: try station.comment(on: ticket, body: "checked the bay", visibility: .internal)
                case 2: try station.assign(ticket, to: ["ana", nil].randomElement(using: &generator)!)
                case 3:
                    let tags = try station.ticket(ticket).tags
                    if let tag = tags.randomElement(using: &generator) {
                        try station.changeSet(.tags, of: ticket, removing: [tag])
                    } else {
                        try station.changeSet(.tags, of: ticket, adding: ["recount"])
                    }
                default: try station.createTicket([.title: .text("New at the station"), .site: .text("ONT3")], tags: ["vip"])
                }
            }
            clock.advance(10)
        }

        // The reference: the same operations in a plain in-memory replica.
        let own = try station.outbox(limit: 1_000_000)
        var reference = TicketReplica(id: ReplicaID(0xAB))
        #expect(reference.apply(batch: work.all + own, physicalMillis: clock.nowMillis()).isEmpty, "seed \(seed)")
        #expect(try station.digest() == reference.digest(), "seed \(seed): digest differs")

        let rows = try expectRowsEqual(station, reference, "seed \(seed)")
        var query = TicketQuery()
        query.limit = nil

        // Rebuilding the materialised rows from the log gives the same rows.
        try station.rebuildTickets()
        #expect(try station.list(query) == rows, "seed \(seed): rebuild differs")
    }

    /// A second `Station` object on the same file (as the CLI beside a running `ticketsync watch`)
    /// writes between the first's batches and actions: local actions, remote batches, a repair,
    /// tickets forgotten. The first's cached states must never go stale: its rows and digest
    /// still equal the model's.
    @Test(arguments: propertySeeds(count: 2))
    func aSecondStationWritingBetweenBatchesNeverMakesTheFirstsCacheStale(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        var work = RandomWorkload(replicaCount: 3, seed: seed)
        work.run(operations: 1_200, syncEvery: 100)
        let clock = TestClock(work.baseMillis + work.now + 60_000)
        let path = folder.path("station.sqlite")
        let first = try Station.create(at: path, agent: "zoe", replica: ReplicaID(0x5747), wallClock: clock)
        let second = try Station.open(at: path, wallClock: clock)
        // A cache small enough that states are packed, unpacked and dropped all along.
        first.ticketCache.withLock { $0 = TicketCache(capacity: 8, packedBudget: 4_000) }
        var generator = SeededGenerator(seed: seed ^ 0x2AD)

        var pool = work.all
        pool.shuffle(using: &generator)
        var delivered = 0
        var forgotten = false
        while delivered < pool.count {
            let size = Int.random(in: 1...120, using: &generator)
            let batch = Array(pool[delivered..<min(pool.count, delivered + size)])
            delivered = min(pool.count, delivered + size)
            #expect(try first.applyRemote(batch).refused.isEmpty, "seed \(seed)")
            // The second writes tickets the first has just cached.
            let touched = Array(Set(batch.map(\.ticket)))
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<5:
                for ticket in touched.shuffled(using: &generator).prefix(3) where (try? second.ticket(ticket)) != nil {
                    try second.update(ticket, [.status: .text(["open", "pending", "on_hold"].randomElement(using: &generator)!)])
                    try second.changeSet(.watchers, of: ticket, adding: ["w\(Int.random(in: 0..<1_000_000, using: &generator))"])
                }
            case 5..<8:
                // Operations the first has not seen yet, applied by the second only.
                let ahead = Array(pool[delivered..<min(pool.count, delivered + 40)])
                #expect(try second.applyRemote(ahead).refused.isEmpty, "seed \(seed)")
            case 8:
                try second.rebuildTickets()
            default:
                if !forgotten, let ticket = touched.first {
                    // Gone, then delivered again in full by the first.
                    try second.forget([ticket])
                    forgotten = true
                    #expect(try first.applyRemote(work.all.filter { $0.ticket == ticket }).refused.isEmpty, "seed \(seed)")
                }
            }
            // The first acts on a ticket the second may have changed.
            if let ticket = touched.randomElement(using: &generator), (try? first.ticket(ticket)) != nil {
                try first.comment(on: ticket, body: "seen at the dock", visibility: .internal)
                try first.assign(ticket, to: ["ana", "bo", nil].randomElement(using: &generator)!)
            }
            clock.advance(10)
        }
        // The first's own tidy-up runs through its cache too (same connection, outside the batch path).
        try first.rebuildTickets()
        let last = try #require(first.list(TicketQuery()).first?.id)
        try first.update(last, [.priority: .text("urgent")])

        let own = try first.outbox(limit: 1_000_000)
        var reference = TicketReplica(id: ReplicaID(0xAB))
        #expect(reference.apply(batch: work.all + own, physicalMillis: clock.nowMillis()).isEmpty, "seed \(seed)")
        #expect(try first.digest() == reference.digest(), "seed \(seed): digest differs")
        #expect(try second.digest() == reference.digest(), "seed \(seed): digest differs")
        _ = try expectRowsEqual(first, reference, "seed \(seed)")

        // The cache was used, checked against rows the second changed, found stale, and states
        // went through its packed tier.
        let cache = first.ticketCache.withLock { ($0.trusted, $0.checked, $0.stale, $0.unpacked) }
        #expect(cache.0 > 0 && cache.1 > 0 && cache.2 > 0 && cache.3 > 0, "seed \(seed): cache trusted/checked/stale/unpacked = \(cache)")
    }

    /// The simplest interleaving, step by step: the first caches a ticket, the second changes it,
    /// the first changes it again.
    @Test func interleavedWritesToOneTicketKeepBothChanges() throws {
        let folder = try TemporaryFolder()
        let t0: UInt64 = 1_767_225_600_000
        let clock = TestClock(t0)
        let path = folder.path("station.sqlite")
        let first = try Station.create(at: path, agent: "ana", wallClock: clock)
        let second = try Station.open(at: path, wallClock: clock)
        let id = try first.createTicket([.title: .text("Pallet short")], tags: ["recount"])
        try second.update(id, [.priority: .text("high")])
        try second.changeSet(.tags, of: id, adding: ["vip"])
        clock.advance(1)
        try first.update(id, [.assignee: .text("bo")])
        try first.changeSet(.tags, of: id, removing: ["recount"])
        for station in [first, second] {
            let row = try #require(station.list(TicketQuery()).first)
            #expect(row.priority == .high && row.assignee == "bo" && row.tags == ["vip"])
            let ticket = try station.ticket(id)
            #expect(ticket.priority == .high && ticket[.assignee] == .text("bo") && ticket.tags == ["vip"])
        }
        #expect(first.ticketCache.withLock { $0.stale } == 1)
        #expect(try first.digest() == second.digest())
    }

    /// Compares every materialised row (and full ticket) of `station` with the model's.
    @discardableResult
    func expectRowsEqual(_ station: Station, _ reference: TicketReplica, _ context: String) throws -> [TicketSummary] {
        var query = TicketQuery()
        query.limit = nil
        let rows = try station.list(query)
        #expect(rows.count == reference.ticketCount, "\(context)")
        for row in rows {
            let expected = try #require(reference.ticket(row.id))
            #expect(row.title == expected.title, "\(context) \(row.id)")
            #expect(row.status == expected.status, "\(context) \(row.id)")
            #expect(row.priority == expected.priority, "\(context) \(row.id)")
            #expect(row.assignee == expected[.assignee]?.text.flatMap { $0.isEmpty ? nil : $0 }, "\(context) \(row.id)")
            #expect(row.site == expected[.site]?.text, "\(context) \(row.id)")
            #expect(row.tags == expected.tags, "\(context) \(row.id)")
            #expect(row.tier == expected.tier, "\(context) \(row.id)")
            #expect(try station.ticket(row.id) == expected, "\(context) \(row.id)")
        }
        return rows
    }
}
