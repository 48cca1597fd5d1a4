public import TicketModel
internal import Foundation

/// User actions, in ticket terms. Each is one transaction: on return its operations are durable
/// and queued for the next sync; a refused action changes nothing.
extension Station {
    /// Creates a ticket. `fields` must include a title; `status` defaults to `open` and
    /// `priority` to `normal`. Returns the new ticket's id.
    @discardableResult
    public func createTicket(_ fields: [FieldKey: FieldValue], tags: [String] = []) throws(StationError) -> TicketID {
        var generator = SystemRandomNumberGenerator()
        let id = TicketID.version7(unixMillis: wallClock.nowMillis(), using: &generator)
        var fields = fields
        if fields[.status] == nil { fields[.status] = .text(TicketStatus.open.rawValue) }
        if fields[.priority] == nil { fields[.priority] = .text(TicketPriority.normal.rawValue) }
        try edit { session in
            try session.make(.create(fields), on: id)
            for tag in Set(tags.map(\.precomposedStringWithCanonicalMapping)).sorted() {
                try session.make(.add(.tags, tag), on: id)
            }
        }
        return id
    }

    /// Writes fields. Values equal to the current ones are not written again.
    @discardableResult
    public func update(_ ticket: TicketID, _ changes: [FieldKey: FieldValue]) throws(StationError) -> [TicketOperation] {
        try edit { session in
            let state = try session.state(ticket)
            try state.requireExists()
            for (field, value) in changes.sorted(by: { $0.key < $1.key }) where state.value(of: field) != value {
                try session.make(try session.state(ticket).setPayload(field, value), on: ticket)
            }
        }
    }

    /// Adds and removes elements of a set (tags or watchers). Adding one already there and
    /// removing one not there are refused with ``StationError/Code/invalid``.
    @discardableResult
    public func changeSet(
        _ set: TicketSet, of ticket: TicketID, adding: [String] = [], removing: [String] = []
    ) throws(StationError) -> [TicketOperation] {
        let adding = adding.map(\.precomposedStringWithCanonicalMapping)
        let removing = removing.map(\.precomposedStringWithCanonicalMapping)
        return try edit { session in
            try session.state(ticket).requireExists()
            for element in adding {
                if try session.state(ticket).elements(of: set).contains(element) {
                    throw StationError(.invalid, "\(set) of ticket \(ticket) already contain '\(element.prefix(64))'")
                }
                try session.make(.add(set, element), on: ticket)
            }
            for element in removing {
                try session.make(try session.state(ticket).removePayload(element, from: set), on: ticket)
            }
        }
    }

    /// Adds a comment; returns its id.
    @discardableResult
    public func comment(
        on ticket: TicketID, body: String, visibility: CommentVisibility = .public
    ) throws(StationError) -> CommentID {
        try edit { session in
            try session.make(.comment(body: body, visibility: visibility), on: ticket)
        }[0].id
    }

    /// Replaces a comment's body.
    public func editComment(_ comment: CommentID, on ticket: TicketID, body: String) throws(StationError) {
        try edit { session in try session.make(.editComment(comment, body: body), on: ticket) }
    }

    /// Deletes a comment (it stays in the history).
    public func deleteComment(_ comment: CommentID, on ticket: TicketID) throws(StationError) {
        try edit { session in try session.make(.deleteComment(comment), on: ticket) }
    }

    /// Assigns the ticket to an agent (nil: unassigned) and, optionally, a group.
    @discardableResult
    public func assign(_ ticket: TicketID, to assignee: String?, group: String? = nil) throws(StationError) -> [TicketOperation] {
        var changes: [FieldKey: FieldValue] = [.assignee: assignee.map(FieldValue.text) ?? .null]
        if let group { changes[.group] = .text(group) }
        return try update(ticket, changes)
    }

    /// Asks the server to escalate the ticket; the server decides and records the outcome.
    public func requestEscalation(_ ticket: TicketID, reason: String, toTeam team: String? = nil) throws(StationError) {
        try edit { session in try session.make(.requestEscalation(reason: reason, toTeam: team), on: ticket) }
    }

    /// Resolves the ticket: status `solved`, the root cause, and the CSAT score if known.
    public func resolve(_ ticket: TicketID, rootCause: String, csat: Int? = nil) throws(StationError) {
        var changes: [FieldKey: FieldValue] = [.status: .text(TicketStatus.solved.rawValue), .rootCause: .text(rootCause)]
        if let csat { changes[.csat] = .integer(Int64(csat)) }
        try update(ticket, changes)
    }

    /// Reopens a solved or closed ticket, with an internal comment giving the reason if any.
    public func reopen(_ ticket: TicketID, reason: String? = nil) throws(StationError) {
        try edit { session in
            let state = try session.state(ticket)
            try state.requireExists()
            guard let status = state.value(of: .status)?.text.flatMap(TicketStatus.init(rawValue:)),
                status == .solved || status == .closed
            else {
                throw StationError(.invalid, "ticket \(ticket) is not solved or closed, so it cannot be reopened")
            }
            try session.make(state.setPayload(.status, .text(TicketStatus.open.rawValue)), on: ticket)
            if let reason { try session.make(.comment(body: "Reopened: \(reason)", visibility: .internal), on: ticket) }
        }
    }
}
