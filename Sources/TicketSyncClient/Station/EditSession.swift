internal import Foundation
internal import GRDB
internal import TicketModel

/// One user action in the making: the tickets it touched and the operations it made, inside one
/// write transaction. Nothing is visible to others until the transaction commits.
struct EditSession {
    let replica: ReplicaID
    let author: Author
    let limits: ModelLimits
    let now: UInt64
    let db: Database
    var clock: HybridLogicalClock
    var sequence: UInt64
    var tickets: TicketWorkspace
    var made: [TicketOperation] = []
    /// The states changed, for observers (kept by ``save()``).
    private(set) var states: [TicketID: TicketState] = [:]

    init(station: Station, db: Database) throws {
        replica = station.replica
        author = station.agent
        limits = station.limits
        now = station.wallClock.nowMillis()
        self.db = db
        clock = HybridLogicalClock(latest: Timestamp(rawValue: try Meta.integer(.clock, db)))
        sequence = try Meta.integer(.lastSequence, db)
        tickets = try TicketWorkspace(station: station, db: db)
    }

    mutating func state(_ ticket: TicketID) throws -> TicketState {
        try tickets.state(ticket)
    }

    /// Makes one operation of this station, checked against the ticket's current state.
    @discardableResult
    mutating func make(_ payload: Payload, on ticket: TicketID) throws -> TicketOperation {
        var state = try state(ticket)
        var scratch = clock
        let op = try TicketOperation.local(
            payload, on: ticket, by: author, replica: replica, seq: sequence + 1, clock: &scratch,
            physicalMillis: now, limits: limits
        )
        try state.checkReferences(op)
        switch payload {
        case .editComment(let comment, _), .deleteComment(let comment):
            guard let target = try OperationRows.find(comment, on: ticket, from: tickets.head(try tickets.slot(ticket)), db),
                case .comment = target.payload
            else {
                throw StationError(.notFound, "comment \(comment) does not exist on ticket \(ticket)")
            }
        default:
            break
        }
        clock = scratch
        sequence += 1
        state.apply(op)
        tickets.update(state)
        made.append(op)
        return op
    }

    /// Writes everything made: operations (linked into their tickets' chains), outbox, tickets,
    /// clock and sequence.
    mutating func save() throws {
        var inserter = try OperationRows.Inserter(db)
        for op in made {
            let slot = try tickets.slot(op.ticket)
            guard let position = try inserter.insert(op, prev: tickets.head(slot)) else {
                throw StationError(.store, "operation \(op.id) is already in the store; the station's sequence number is behind its log")
            }
            tickets.linked(slot, at: position)
            try OperationRows.addToOutbox(op, at: position, db)
        }
        try inserter.finish()
        states = tickets.states
        try tickets.save()
        try Meta.set(.clock, String(clock.latest.rawValue), db)
        try Meta.set(.lastSequence, String(sequence), db)
    }
}

extension Station {
    /// Runs one user action as one immediate write transaction and tells observers.
    @discardableResult
    func edit(_ body: (inout EditSession) throws -> Void) throws(StationError) -> [TicketOperation] {
        let session: EditSession = try storeCall {
            try database.writeWithoutTransaction { db in
                var outcome: EditSession?
                try db.inTransaction(.immediate) {
                    var current = try EditSession(station: self, db: db)
                    try body(&current)
                    try current.save()
                    outcome = current
                    return .commit
                }
                let session = outcome!
                session.tickets.finish()
                return session
            }
        }
        if !session.made.isEmpty { wakeCommitWaiters() }
        notify(session.made, states: session.states, origin: .local)
        return session.made
    }
}
