import Testing
import TicketModel
import TicketTestSupport

/// Refused operations: each gets its typed error and leaves the state as it was.
@Suite struct ValidationTests {
    let t0: UInt64 = 1_767_225_600_000
    let ticket = TicketID("0194b1c2-0000-7000-8000-0000000000aa")!

    func station() throws -> TicketReplica {
        var replica = TicketReplica(id: ReplicaID(7))
        _ = try replica.createTicket(ticket, fields: [.title: .text("Wrong item")], by: .agent("ana"), physicalMillis: t0)
        return replica
    }

    func expectRefused(
        _ code: TicketModelError.Code, _ replica: inout TicketReplica, _ body: (inout TicketReplica) throws(TicketModelError) -> Void
    ) {
        let before = replica.digest()
        let count = replica.operationCount
        let sequence = replica.lastSequence
        #expect(throws: TicketModelError.self) { try body(&replica) }
        do { try body(&replica) } catch { #expect(error.code == code, "\(error)") }
        #expect(replica.digest() == before)
        #expect(replica.operationCount == count)
        #expect(replica.lastSequence == sequence)
    }

    @Test func fieldErrors() throws {
        var replica = try station()
        #expect(throws: TicketModelError.self) { try FieldKey(parsing: "colour") }
        do { _ = try FieldKey(parsing: "colour") } catch { #expect(error.code == .unknownField) }
        expectRefused(.wrongValueType, &replica) { r throws(TicketModelError) in
            _ = try r.set(.csat, to: .text("great"), on: ticket, by: .agent("ana"), physicalMillis: t0 + 1)
        }
        expectRefused(.invalidValue, &replica) { r throws(TicketModelError) in
            _ = try r.set(.status, to: .text("lost"), on: ticket, by: .agent("ana"), physicalMillis: t0 + 1)
        }
        expectRefused(.invalidValue, &replica) { r throws(TicketModelError) in
            _ = try r.set(.csat, to: .integer(6), on: ticket, by: .agent("ana"), physicalMillis: t0 + 1)
        }
        expectRefused(.tooLarge, &replica) { r throws(TicketModelError) in
            _ = try r.set(.title, to: .text(String(repeating: "x", count: 513)), on: ticket, by: .agent("ana"), physicalMillis: t0 + 1)
        }
        expectRefused(.ticketNotFound, &replica) { r throws(TicketModelError) in
            _ = try r.set(.title, to: .text("x"), on: TicketID(high: 1, low: 2), by: .agent("ana"), physicalMillis: t0 + 1)
        }
        expectRefused(.commentNotFound, &replica) { r throws(TicketModelError) in
            _ = try r.make(.deleteComment(OperationID(replica: ReplicaID(9), seq: 1)), on: ticket, by: .agent("ana"), physicalMillis: t0 + 1)
        }
    }

    @Test func farFutureOperationIsRejected() throws {
        var sender = TicketReplica(id: ReplicaID(8))
        let op = try sender.createTicket(ticket, fields: [.title: .text("From the future")], by: .agent("x"), physicalMillis: t0 + 6 * 60_000)
        var receiver = TicketReplica(id: ReplicaID(9))
        let clockBefore = receiver.clock
        expectRefused(.clockDrift, &receiver) { r throws(TicketModelError) in try r.apply(op, physicalMillis: t0) }
        #expect(receiver.clock == clockBefore)
        #expect(receiver.ticket(ticket) == nil)
        // Within the bound it is accepted, and the clock moves past it.
        try receiver.apply(op, physicalMillis: t0 + 2 * 60_000)
        #expect(receiver.clock.latest >= op.timestamp)
    }

    @Test func stationCannotWriteServerOwnedState() throws {
        var server = TicketReplica(id: ReplicaID(100))
        var station = try station()
        for op in station.log { try server.apply(op, physicalMillis: t0, rules: .stationPush) }
        // A station's own model refuses the edit outright.
        expectRefused(.serverOwnedField, &station) { r throws(TicketModelError) in
            _ = try r.set(.sla("first_response_due"), to: .integer(5), on: ticket, by: .agent("ana"), physicalMillis: t0 + 1)
        }
        // A forged operation claiming a server author is refused by the server; the rest of its batch applies.
        let forged = TicketOperation(
            id: OperationID(replica: station.id, seq: 2), timestamp: Timestamp(millis: t0 + 1),
            author: Author(.server, "node-1"), ticket: ticket,
            payload: .escalate(tier: 3, kind: .automatic, reason: "forged", toTeam: nil)
        )
        let fine = TicketOperation(
            id: OperationID(replica: station.id, seq: 3), timestamp: Timestamp(millis: t0 + 2),
            author: .agent("ana"), ticket: ticket, payload: .set(.priority, .text("high"), overwrites: nil)
        )
        let refused = server.apply(batch: [forged, fine], physicalMillis: t0 + 5, rules: .stationPush)
        #expect(refused.count == 1)
        #expect(refused.first?.1.code == .serverOwnedField)
        #expect(server.ticket(ticket)?.tier == 1)
        #expect(server.ticket(ticket)?.priority == .high)
        // The server's own rules refuse an unknown ticket from a station.
        let orphan = TicketOperation(
            id: OperationID(replica: station.id, seq: 4), timestamp: Timestamp(millis: t0 + 3),
            author: .agent("ana"), ticket: TicketID(high: 5, low: 5), payload: .add(.tags, "x")
        )
        #expect(throws: TicketModelError.self) { try server.apply(orphan, physicalMillis: t0 + 5, rules: .stationPush) }
    }
}
