package import TicketModel

/// The server's own operations (SLA fields, escalations, reassignments), made the same way by
/// every store: the server's replica with the sequence numbers after the highest it has in the
/// log (gapless, like every replica's), stamped by an HLC ticked past the ticket's latest stamp
/// (so a server write wins over every write it has seen), checked by the model's peer rules, and
/// applied to the ticket's state. The store then writes each operation with its placements.
package enum ServerAuthored {
    /// The author of every server operation.
    package static let author = Author(.server, "ticketsyncd")

    /// One operation made, with the ticket's placement before and after it.
    package struct Made: Sendable {
        /// The operation.
        package var operation: TicketOperation
        /// Where the ticket sat before it.
        package var before: TicketPlacement
        /// Where the ticket sits after it.
        package var after: TicketPlacement
    }

    /// Makes `payloads` into operations of `replica` numbered from `lastSequence + 1`, applying
    /// each to `state`. A payload the model refuses (a bug in a decider) is a storage error
    /// naming it, so the transaction writing them fails as a whole.
    package static func make(
        _ payloads: [Payload], on state: inout TicketState, replica: ReplicaID, after lastSequence: UInt64, now: UInt64
    ) throws(ServerError) -> [Made] {
        var seq = lastSequence
        var clock = HybridLogicalClock(latest: state.updatedStamp?.timestamp ?? .zero)
        var made: [Made] = []
        made.reserveCapacity(payloads.count)
        for payload in payloads {
            seq += 1
            let op = TicketOperation(
                id: OperationID(replica: replica, seq: seq), timestamp: clock.tick(physicalMillis: now), author: author, ticket: state.id,
                payload: payload
            )
            do throws(TicketModelError) {
                try OperationValidator.validate(op, rules: .peer)
            } catch {
                throw ServerError(.storage, "the SLA engine made an invalid \(payload.kindName) operation on ticket \(state.id): \(error.message)")
            }
            let before = state.placement
            state.apply(op)
            made.append(Made(operation: op, before: before, after: state.placement))
        }
        return made
    }
}
