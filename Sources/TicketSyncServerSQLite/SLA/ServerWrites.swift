internal import Foundation
internal import GRDB
internal import TicketModel
internal import TicketSyncServer

/// Appends server-authored operations (SLA fields, escalations, reassignments) to the log, inside
/// the caller's transaction, exactly as a station's accepted operation is appended: log row with
/// placements, then the ticket's materialised state.
///
/// Ids: the server's replica with the next sequence number after the highest it has in the log,
/// taken in the same write transaction, so the server's sequence stays gapless (1, 2, 3 …) like
/// every replica's, and a rolled-back effect gives its numbers back. Timestamps: the HLC ticked
/// past the ticket's latest stamp, so a server write wins over every write it has seen.
struct ServerWrites {
    /// The author of every server operation.
    static let author = Author(.server, "ticketsyncd")

    let replica: ReplicaID
    /// The server's highest sequence number in the log, read once per transaction (the
    /// transaction is the only writer, so it stays true as this appends).
    private var lastSequence: UInt64?

    init(replica: ReplicaID) { self.replica = replica }

    /// Appends `payloads` to `ticket`, whose current state the caller may pass (nil: loaded
    /// here); returns how many were written. Payloads the model refuses (a bug in a decider)
    /// fail the transaction with a storage error naming them.
    mutating func append(_ payloads: [Payload], to ticket: TicketID, state known: TicketState? = nil, now: UInt64, _ db: Database) throws -> Int {
        guard !payloads.isEmpty else { return 0 }
        guard var state = try known ?? TicketRows.load(ticket, db) else {
            throw ServerError(.storage, "the SLA engine tried to write to ticket \(ticket), which the store does not hold")
        }
        var seq = try lastSequence ?? UInt64(bitPattern: try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT MAX(seq) FROM operations WHERE replica = ?"), arguments: [Int64(bitPattern: replica.rawValue)]
        ) ?? 0)
        var clock = HybridLogicalClock(latest: state.updatedStamp?.timestamp ?? .zero)
        for payload in payloads {
            seq += 1
            let op = TicketOperation(
                id: OperationID(replica: replica, seq: seq), timestamp: clock.tick(physicalMillis: now), author: Self.author, ticket: ticket,
                payload: payload
            )
            do {
                try OperationValidator.validate(op, rules: .peer)
            } catch {
                throw ServerError(.storage, "the SLA engine made an invalid \(payload.kindName) operation on ticket \(ticket): \(error.message)")
            }
            let before = state.placement
            state.apply(op)
            _ = try LogRows.insert(op, station: "", receivedMillis: now, before: before, after: state.placement, db)
        }
        lastSequence = seq
        try TicketRows.save(state, db)
        return payloads.count
    }
}
