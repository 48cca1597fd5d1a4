import Foundation
import GRDB
import Testing
import TicketModel
import TicketSyncClient

@Suite struct StationTests {
    let t0: UInt64 = 1_767_225_600_000

    @Test func actionsAreDurableAndQueuedInTheOutbox() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("s.sqlite")
        let clock = TestClock(t0)
        do {
            let station = try Station.create(at: path, agent: "ana", wallClock: clock)
            let id = try station.createTicket([.title: .text("Parcel stuck in DFW"), .site: .text("DFW1")], tags: ["carrier_ups"])
            try station.comment(on: id, body: "Called UPS")
            try station.resolve(id, rootCause: "carrier delay", csat: 4)
            // create, tag, comment, and resolve's status, root cause and CSAT.
            #expect(try station.status().outbox == 6)
            #expect(try station.synchronousSetting() == 2, "the store must run with synchronous=FULL")
        }
        // A new process (a new Station object) sees everything.
        let reopened = try Station.open(at: path, wallClock: clock)
        let tickets = try reopened.allTickets()
        #expect(tickets.count == 1)
        let ticket = tickets[0]
        #expect(ticket.status == .solved)
        #expect(ticket[.csat] == .integer(4))
        #expect(ticket.comments.map(\.body) == ["Called UPS"])
        #expect(ticket.tags == ["carrier_ups"])
        let outbox = try reopened.outbox()
        #expect(outbox.map(\.id.seq) == [1, 2, 3, 4, 5, 6])
        try reopened.acknowledge(upTo: 3)
        #expect(try reopened.outbox().map(\.id.seq) == [4, 5, 6])
    }

    @Test func refusedActionsChangeNothing() throws {
        let folder = try TemporaryFolder()
        let station = try Station.create(at: folder.path("s.sqlite"), agent: "ana", wallClock: TestClock(t0))
        let id = try station.createTicket([.title: .text("Wrong item")])
        let before = try station.status()
        #expect(throws: StationError.self) { try station.update(id, [.status: .text("lost")]) }
        do { try station.update(id, [.sla("due"): .integer(1)]) } catch { #expect(error.code == .serverOwned) }
        do { try station.reopen(id) } catch { #expect(error.code == .invalid) }
        do { _ = try station.ticketID(matching: "ffff") } catch { #expect(error.code == .notFound) }
        // Two good writes and one bad in one action: none is kept.
        #expect(throws: StationError.self) {
            try station.update(id, [.priority: .text("high"), .csat: .integer(9)])
        }
        let after = try station.status()
        #expect(after.operations == before.operations && after.lastSequence == before.lastSequence)
        #expect(try station.ticket(id).priority == .normal)
    }

    @Test func ambiguousPrefixListsCandidates() throws {
        let folder = try TemporaryFolder()
        let station = try Station.create(at: folder.path("s.sqlite"), agent: "ana", wallClock: TestClock(t0))
        let a = try station.createTicket([.title: .text("a")])
        _ = try station.createTicket([.title: .text("b")])
        // UUIDv7 ids made in the same millisecond share their first 12 hex digits.
        do {
            _ = try station.ticketID(matching: String(a.compactHex.prefix(8)))
            Issue.record("prefix was not ambiguous")
        } catch {
            #expect(error.code == .ambiguous)
            #expect(error.message.contains(a.description))
        }
        #expect(try station.ticketID(matching: a.description) == a)
    }

    @Test func farFutureRemoteOperationIsRefusedAndTheRestApplies() throws {
        let folder = try TemporaryFolder()
        let station = try Station.create(at: folder.path("s.sqlite"), agent: "ana", wallClock: TestClock(t0))
        var other = TicketReplica(id: ReplicaID(77))
        let ticket = TicketID(high: 0x0194_0000_0000_7000, low: 0x8000_0000_0000_0001)
        let create = try other.createTicket(ticket, fields: [.title: .text("ok")], by: .agent("bo"), physicalMillis: t0)
        let future = try other.set(.priority, to: .text("urgent"), on: ticket, by: .agent("bo"), physicalMillis: t0 + 3_600_000)
        let result = try station.applyRemote([create, future])
        #expect(result.applied == 1)
        #expect(result.refused.map(\.id) == [future.id])
        #expect(result.refused.first?.error.code == .clockDrift)
        #expect(try station.ticket(ticket).priority == .normal)
    }

    @Test func storeFromANewerVersionIsRefused() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("s.sqlite")
        _ = try Station.create(at: path, agent: "ana", wallClock: TestClock(t0))
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-the-future')") }
        try queue.close()
        do {
            _ = try Station.open(at: path)
            Issue.record("a newer store was opened")
        } catch {
            #expect(error.code == .store)
            #expect(error.message.contains("newer"))
        }
    }

    @Test func changesAreStreamed() async throws {
        let folder = try TemporaryFolder()
        let station = try Station.create(at: folder.path("s.sqlite"), agent: "ana", wallClock: TestClock(t0))
        let changes = station.changes()
        let id = try station.createTicket([.title: .text("Damaged mug")])
        try station.update(id, [.priority: .text("high")])
        var iterator = changes.makeAsyncIterator()
        let first = await iterator.next()
        let second = await iterator.next()
        #expect(first?.kind == .created && first?.ticket == id && first?.origin == .local)
        #expect(second?.kind == .changed && second?.fields[.priority] == .text("high"))
    }

    @Test func discardedAndForgottenOperationsLeaveTicketsWhole() throws {
        let folder = try TemporaryFolder()
        let clock = TestClock(t0)
        let station = try Station.create(at: folder.path("s.sqlite"), agent: "ana", replica: ReplicaID(0xA1), wallClock: clock)
        let id = try station.createTicket([.title: .text("Carton crushed")])  // seq 1
        try station.update(id, [.priority: .text("high")])  // seq 2
        try station.comment(on: id, body: "photo taken")  // seq 3
        try station.assign(id, to: "bo")  // seq 4
        // The server refused the priority change for good.
        try station.discardRejected([2])
        #expect(try station.outbox().map(\.id.seq) == [1, 3, 4])
        var ticket = try station.ticket(id)
        #expect(ticket.priority == .normal && ticket[.assignee] == .text("bo") && ticket.comments.count == 1)
        #expect(try station.list(TicketQuery()).first?.priority == .normal)
        try station.update(id, [.status: .text("pending")])  // seq 5, chained after the rebuild
        #expect(try station.history(of: id).count == 4)

        // A ticket from elsewhere with an own comment not yet acknowledged leaves the scope.
        var other = TicketReplica(id: ReplicaID(0xB2))
        let ticketB = TicketID(high: 0x0194_0000_0000_7000, low: 0x8000_0000_0000_0002)
        let remote = [
            try other.createTicket(ticketB, fields: [.title: .text("Wrong size")], by: .agent("bo"), physicalMillis: t0),
            try other.set(.site, to: .text("DFW1"), on: ticketB, by: .agent("bo"), physicalMillis: t0 + 1),
        ]
        try station.applyRemote(remote)
        try station.comment(on: ticketB, body: "customer called")  // seq 6
        try station.forget([ticketB])
        #expect(try station.outbox().map(\.id.seq) == [1, 3, 4, 5, 6])
        #expect(try station.list(TicketQuery()).map(\.id) == [id])
        // Back in scope: the server sends it again, and the own comment is still there.
        try station.applyRemote(remote)
        ticket = try station.ticket(ticketB)
        #expect(ticket[.site] == .text("DFW1") && ticket.comments.map(\.body) == ["customer called"])

        var reference = TicketReplica(id: ReplicaID(0xCC))
        #expect(reference.apply(batch: remote + (try station.outbox()), physicalMillis: t0 + 60_000).isEmpty)
        #expect(try station.digest() == reference.digest())
        let rows = try station.list(TicketQuery())
        try station.rebuildTickets()
        #expect(try station.list(TicketQuery()) == rows)
        #expect(try station.digest() == reference.digest())
    }
}
