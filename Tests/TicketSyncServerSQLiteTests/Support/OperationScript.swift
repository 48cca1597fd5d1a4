import TicketModel

/// 2026-01-01, the tests' clock.
let t0: UInt64 = 1_767_225_600_000

/// Writes one replica's operations by hand, valid or not (the store under test does the
/// checking): sequence numbers 1, 2, 3, … and a clock one second apart.
struct OperationScript {
    let replica: ReplicaID
    var seq: UInt64 = 0
    var millis: UInt64

    init(replica: ReplicaID, millis: UInt64 = t0) {
        self.replica = replica
        self.millis = millis
    }

    /// The next operation; `aheadMillis` moves its timestamp (only) into the future.
    mutating func next(
        _ payload: Payload, on ticket: TicketID, by author: Author = .agent("ana"), aheadMillis: UInt64 = 0
    ) -> TicketOperation {
        seq += 1
        millis += 1_000
        return TicketOperation(
            id: OperationID(replica: replica, seq: seq), timestamp: Timestamp(millis: millis + aheadMillis),
            author: author, ticket: ticket, payload: payload
        )
    }

    mutating func create(_ ticket: TicketID, site: String? = nil, team: String? = nil, by author: Author = .agent("ana")) -> TicketOperation {
        var fields: [FieldKey: FieldValue] = [.title: .text("Parcel stuck"), .status: .text("open")]
        if let site { fields[.site] = .text(site) }
        if let team { fields[.group] = .text(team) }
        return next(.create(fields), on: ticket, by: author)
    }

    mutating func set(_ field: FieldKey, _ value: FieldValue, on ticket: TicketID, by author: Author = .agent("ana")) -> TicketOperation {
        next(.set(field, value, overwrites: nil), on: ticket, by: author)
    }

    /// A time at which every operation so far is well within the drift bound.
    var receivedMillis: UInt64 { millis + 1_000 }
}

/// A ticket id that reads well in failures.
func ticket(_ n: UInt64) -> TicketID { TicketID(high: 0x0199_0000_0000_7000 | n, low: 0x8000_0000_0000_0000 | n) }

/// The digest of an in-memory replica that applied `operations` (the reference the store must match).
func referenceDigest(_ operations: [TicketOperation]) -> StateDigest {
    var replica = TicketReplica(id: ReplicaID(0xA11CE))
    let refused = replica.apply(batch: operations, physicalMillis: UInt64.max)
    precondition(refused.isEmpty, "the reference refused \(refused.first!.0.id): \(refused.first!.1)")
    return replica.digest()
}
