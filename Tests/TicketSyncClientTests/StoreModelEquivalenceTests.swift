import Foundation
import Testing
import TicketModel
import TicketSyncClient
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

        var query = TicketQuery()
        query.limit = nil
        let rows = try station.list(query)
        #expect(rows.count == reference.ticketCount, "seed \(seed)")
        for row in rows {
            let expected = try #require(reference.ticket(row.id))
            #expect(row.title == expected.title, "seed \(seed) \(row.id)")
            #expect(row.status == expected.status, "seed \(seed) \(row.id)")
            #expect(row.priority == expected.priority, "seed \(seed) \(row.id)")
            #expect(row.assignee == expected[.assignee]?.text.flatMap { $0.isEmpty ? nil : $0 }, "seed \(seed) \(row.id)")
            #expect(row.site == expected[.site]?.text, "seed \(seed) \(row.id)")
            #expect(row.tags == expected.tags, "seed \(seed) \(row.id)")
            #expect(row.tier == expected.tier, "seed \(seed) \(row.id)")
            #expect(try station.ticket(row.id) == expected, "seed \(seed) \(row.id)")
        }

        // Rebuilding the materialised rows from the log gives the same rows.
        try station.rebuildTickets()
        #expect(try station.list(query) == rows, "seed \(seed): rebuild differs")
    }
}
