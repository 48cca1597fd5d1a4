internal import GRDB
internal import TicketModel
internal import TicketSyncServer

/// One append, inside its write transaction: decides each operation of a station's batch in
/// order (duplicate, refused before, refused now, or accepted), then saves the tickets it changed
/// and advances the replica's decided sequence.
struct AppendTransaction {
    let db: Database
    let station: StationRecord
    let replica: ReplicaID
    let receivedMillis: UInt64
    let clock: HybridLogicalClock

    private var states: [TicketID: TicketState] = [:]
    private var changed: Set<TicketID> = []
    private var decidedNow: Set<UInt64> = []
    private var result = AppendResult(accepted: 0, duplicates: 0, rejected: [], decidedSequence: 0)

    /// Starts an append for the station named `stationName`, as stored now: a credential revoked
    /// or bound to another replica since the caller looked it up is caught here, in the same
    /// transaction as the writes.
    init(db: Database, stationName: String, receivedMillis: UInt64, maxDriftMillis: UInt64) throws {
        let (station, replica) = try StationRecord.appending(try StationRows.find(name: stationName, db), name: stationName)
        self.db = db
        self.station = station
        self.replica = replica
        self.receivedMillis = receivedMillis
        self.clock = HybridLogicalClock(maxDriftMillis: maxDriftMillis)
    }

    /// Decides one operation. Throws (and so rolls back the whole append) only for a store
    /// failure or an operation of another replica: a station pushes only its own operations, and
    /// recording a refusal under another replica's id would answer for that replica.
    mutating func decide(_ op: TicketOperation) throws {
        guard op.id.replica == replica else {
            throw ServerError(
                .invalidArgument,
                "operation \(op.id) belongs to replica \(op.id.replica), but station '\(station.name)' is bound to replica "
                    + "\(replica); a station pushes only its own operations"
            )
        }
        if try LogRows.contains(op.id, db) {
            result.duplicates += 1
            decidedNow.insert(op.id.seq)
            return
        }
        if let stored = try DecisionRows.rejection(op.id, db) {
            result.rejected.append((op.id.seq, stored.code, stored.message))
            decidedNow.insert(op.id.seq)
            return
        }
        let verdict = try check(op)
        switch verdict {
        case .refused(let rejection):
            try DecisionRows.reject(op.id, rejection, station: station.name, receivedMillis: receivedMillis, db)
            result.rejected.append((op.id.seq, rejection.code, rejection.message))
        case .accepted(let before):
            var state = before ?? TicketState(id: op.ticket, retainsDetail: false)
            state.apply(op)
            _ = try LogRows.insert(
                op, station: station.name, receivedMillis: receivedMillis, before: before?.placement, after: state.placement, db
            )
            states[op.ticket] = state
            changed.insert(op.ticket)
            result.accepted += 1
        }
        decidedNow.insert(op.id.seq)
    }

    /// Saves the changed tickets and advances the decided sequence over every consecutive
    /// sequence number now in the log or refused.
    mutating func finish() throws -> AppendResult {
        for id in changed { try TicketRows.save(states[id]!, db) }
        let start = try DecisionRows.decided(replica, db)
        var decided = start
        while decided < UInt64.max {
            let next = decided + 1
            guard try decidedNow.contains(next) || DecisionRows.isDecided(OperationID(replica: replica, seq: next), db) else { break }
            decided = next
        }
        if decided != start { try DecisionRows.setDecided(replica, decided, db) }
        result.decidedSequence = decided
        return result
    }

    private enum Verdict {
        /// Accepted: the ticket's state before the operation (nil for a new ticket).
        case accepted(before: TicketState?)
        case refused(DecisionRows.Rejection)
    }

    /// The checks, in order: clock drift, the model's rules for a station push, the ticket's
    /// existence (or, for a create, its absence), scopes, then comment references (after scopes,
    /// so a station learns nothing about comments on tickets it may not see).
    private mutating func check(_ op: TicketOperation) throws -> Verdict {
        let current = try state(of: op.ticket)
        do throws(TicketModelError) {
            try clock.check(op.timestamp, physicalMillis: receivedMillis)
            try OperationValidator.validate(op, rules: .stationPush)
            try (current ?? TicketState(id: op.ticket, retainsDetail: false)).checkReferences(op)
        } catch {
            return .refused(DecisionRows.Rejection(code: error.code.rawValue, message: error.message))
        }
        if case .create = op.payload {
            var created = TicketState(id: op.ticket, retainsDetail: false)
            created.apply(op)
            if !station.scopes.contains(op.ticket, at: created.placement) {
                return .refused(outOfScope("the new ticket \(op.ticket) would be"))
            }
            return .accepted(before: nil)
        }
        // checkReferences passed, so the ticket exists.
        let before = current!
        if !station.scopes.contains(op.ticket, at: before.placement) {
            return .refused(outOfScope("ticket \(op.ticket) is"))
        }
        switch op.payload {
        case .editComment(let comment, _), .deleteComment(let comment):
            if !(try isComment(comment, on: op.ticket)) {
                return .refused(
                    DecisionRows.Rejection(
                        code: TicketModelError.Code.commentNotFound.rawValue,
                        message: "comment \(comment) does not exist on ticket \(op.ticket)"
                    )
                )
            }
        default:
            break
        }
        return .accepted(before: before)
    }

    private func outOfScope(_ subject: String) -> DecisionRows.Rejection {
        DecisionRows.Rejection(
            code: "out_of_scope",
            message: "\(subject) outside the scopes of station '\(station.name)' ("
                + station.scopes.map(\.description).joined(separator: ", ") + ")"
        )
    }

    /// Whether the log holds a comment with this id on this ticket.
    private func isComment(_ id: CommentID, on ticket: TicketID) throws -> Bool {
        guard let op = try LogRows.find(id, db), op.ticket == ticket else { return false }
        if case .comment = op.payload { return true }
        return false
    }

    /// The ticket's current state: changed earlier in this append, or as stored.
    private mutating func state(of ticket: TicketID) throws -> TicketState? {
        if let state = states[ticket] { return state }
        guard let stored = try TicketRows.load(ticket, db) else { return nil }
        states[ticket] = stored
        return stored
    }
}
