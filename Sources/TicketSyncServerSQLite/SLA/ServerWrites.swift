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
    let replica: ReplicaID
    /// The server's highest sequence number in the log, read once per transaction (the
    /// transaction is the only writer, so it stays true as this appends).
    private var lastSequence: UInt64?
    /// States changed by ``make(_:on:now:_:)`` and not yet saved.
    private var changed: [TicketID: TicketState] = [:]

    init(replica: ReplicaID) { self.replica = replica }

    /// Appends `payloads` to `ticket`, whose current state the caller may pass (nil: loaded
    /// here); returns how many were written. Payloads the model refuses (a bug in a decider)
    /// fail the transaction with a storage error naming them.
    mutating func append(_ payloads: [Payload], to ticket: TicketID, state known: TicketState? = nil, now: UInt64, _ db: Database) throws -> Int {
        guard !payloads.isEmpty else { return 0 }
        guard var state = try known ?? TicketRows.load(ticket, db) else {
            throw ServerError(.storage, "the SLA engine tried to write to ticket \(ticket), which the store does not hold")
        }
        let written = try make(payloads, on: &state, now: now, db).count
        try saveStates(db)
        return written
    }

    /// Makes `payloads` into operations on `state` and writes their log rows; the state is
    /// saved by ``saveStates(_:)``, once per ticket however many writes it had. Returns the
    /// operations as the log holds them.
    mutating func make(_ payloads: [Payload], on state: inout TicketState, now: UInt64, _ db: Database) throws -> [SLALogEntry] {
        guard !payloads.isEmpty else { return [] }
        var seq = try lastSequence ?? UInt64(bitPattern: try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT MAX(seq) FROM operations WHERE replica = ?"), arguments: [Int64(bitPattern: replica.rawValue)]
        ) ?? 0)
        var entries: [SLALogEntry] = []
        for made in try ServerAuthored.make(payloads, on: &state, replica: replica, after: seq, now: now) {
            let position = try LogRows.insert(made.operation, station: "", receivedMillis: now, before: made.before, after: made.after, db)
            entries.append(SLALogEntry(position: position, operation: made.operation, station: "", receivedMillis: now, countedMillis: now))
        }
        seq += UInt64(payloads.count)
        lastSequence = seq
        changed[state.id] = state
        return entries
    }

    /// Saves the states ``make(_:on:now:_:)`` changed.
    mutating func saveStates(_ db: Database) throws {
        for state in changed.values { try TicketRows.save(state, db) }
        changed = [:]
    }
}
