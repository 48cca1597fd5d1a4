import Testing
import TicketModel
import TicketTestSupport

@Suite struct ClockAndHistoryTests {
    let t0: UInt64 = 1_767_225_600_000

    @Test func clockIsStrictlyMonotonicEvenWhenPhysicalTimeGoesBack() throws {
        var clock = HybridLogicalClock()
        var last = Timestamp.zero
        for physical in [t0, t0, t0 - 5000, t0 + 1, t0 + 1, t0 - 1] {
            let reading = clock.tick(physicalMillis: physical)
            #expect(reading > last)
            last = reading
        }
        try clock.receive(Timestamp(millis: t0 + 60_000, counter: 7), physicalMillis: t0)
        #expect(clock.tick(physicalMillis: t0) > Timestamp(millis: t0 + 60_000, counter: 7))
    }

    @Test func historyMarksConcurrentLosersApartFromOverwrites() throws {
        let ticket = TicketID("0194b1c2-0000-7000-8000-0000000000bb")!
        var a = TicketReplica(id: ReplicaID(1))
        var b = TicketReplica(id: ReplicaID(2))
        let create = try a.createTicket(ticket, fields: [.title: .text("Late parcel"), .priority: .text("low")], by: .agent("ana"), physicalMillis: t0)
        try b.apply(create, physicalMillis: t0)
        // a overwrites its own value (seen), then a and b write concurrently; b's later write wins.
        let normal = try a.set(.priority, to: .text("normal"), on: ticket, by: .agent("ana"), physicalMillis: t0 + 1)
        let high = try a.set(.priority, to: .text("high"), on: ticket, by: .agent("ana"), physicalMillis: t0 + 2)
        let urgent = try b.set(.priority, to: .text("urgent"), on: ticket, by: .agent("bo"), physicalMillis: t0 + 3)
        for op in [urgent] { try a.apply(op, physicalMillis: t0 + 5) }
        for op in [normal, high] { try b.apply(op, physicalMillis: t0 + 5) }
        #expect(a.digest() == b.digest())
        let history = b.history(of: ticket)
        func outcome(_ op: TicketOperation) -> HistoryEntry.Outcome? {
            history.first { $0.operation.id == op.id }?.outcomes[.priority]
        }
        #expect(outcome(urgent) == .current)
        #expect(outcome(normal) == .overwritten(by: high.id))
        #expect(outcome(high) == .lostConcurrently(to: urgent.id))
        #expect(outcome(create) == .overwritten(by: normal.id))
        #expect(history.map(\.operation.id) == [create.id, normal.id, high.id, urgent.id])
    }

    @Test func ticketIDsParseAndPrint() throws {
        let text = "0194b1c2-5d4e-7f00-8a1b-0123456789ab"
        let id = try #require(TicketID(text))
        #expect(id.description == text)
        #expect(TicketID(id.compactHex) == id)
        #expect(TicketID(bytes: id.bytes) == id)
        #expect(TicketID("not-a-uuid") == nil)
        var generator = SeededGenerator(seed: 3)
        let v7 = TicketID.version7(unixMillis: t0, using: &generator)
        #expect(v7.description.dropFirst(14).first == "7")
        #expect(v7.high >> 16 == t0)
    }
}
