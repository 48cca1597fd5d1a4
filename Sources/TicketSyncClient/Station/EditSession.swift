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
    var states: [TicketID: TicketState] = [:]
    var made: [TicketOperation] = []

    init(station: Station, db: Database) throws {
        replica = station.replica
        author = station.agent
        limits = station.limits
        now = station.wallClock.nowMillis()
        self.db = db
        clock = HybridLogicalClock(latest: Timestamp(rawValue: try Meta.integer(.clock, db)))
        sequence = try Meta.integer(.lastSequence, db)
    }

    mutating func state(_ ticket: TicketID) throws -> TicketState {
        if let state = states[ticket] { return state }
        let state = try TicketRow.load(ticket, db) ?? TicketState(id: ticket, retainsDetail: false)
        states[ticket] = state
        return state
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
            guard let target = try OperationRows.find(comment, db), target.ticket == ticket,
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
        states[ticket] = state
        made.append(op)
        return op
    }

    /// Writes everything made: operations, outbox, tickets, clock and sequence.
    func save() throws {
        for op in made {
            _ = try OperationRows.insert(op, db)
            try OperationRows.addToOutbox(op, db)
        }
        for state in states.values where made.contains(where: { $0.ticket == state.id }) {
            try TicketRow.save(state, db)
        }
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
                var session: EditSession?
                try db.inTransaction(.immediate) {
                    var current = try EditSession(station: self, db: db)
                    try body(&current)
                    try current.save()
                    session = current
                    return .commit
                }
                return session!
            }
        }
        notify(session.made, states: session.states, origin: .local)
        return session.made
    }
}
