/// Local edits: the operations a person makes at this replica, in ticket terms.
///
/// Each call validates against the current state (the ticket must exist, a removed tag must be
/// there, …), stamps a new operation with the next sequence number and a clock reading, applies
/// it, and returns it so the caller can store and send it. A refused edit changes nothing.
extension TicketReplica {
    /// Makes, applies and returns a new operation of this replica.
    public mutating func make(
        _ payload: Payload, on ticket: TicketID, by author: Author, physicalMillis: UInt64
    ) throws(TicketModelError) -> TicketOperation {
        var scratch = clock
        let op = try TicketOperation.local(
            payload, on: ticket, by: author, replica: id, seq: lastSequence + 1, clock: &scratch,
            physicalMillis: physicalMillis, limits: limits
        )
        if tickets[ticket] != nil {
            try tickets[ticket]!.checkReferences(op)
        } else {
            try TicketState(id: ticket).checkReferences(op)
        }
        clock = scratch
        commit(op)
        return op
    }

    /// Creates a ticket with the given fields (a title is required).
    public mutating func createTicket(
        _ ticket: TicketID, fields: [FieldKey: FieldValue], by author: Author, physicalMillis: UInt64
    ) throws(TicketModelError) -> TicketOperation {
        try make(.create(fields), on: ticket, by: author, physicalMillis: physicalMillis)
    }

    /// Writes one field, recording the write it overwrites.
    public mutating func set(
        _ field: FieldKey, to value: FieldValue, on ticket: TicketID, by author: Author, physicalMillis: UInt64
    ) throws(TicketModelError) -> TicketOperation {
        let payload = tickets[ticket]?.setPayload(field, value) ?? .set(field, value, overwrites: nil)
        return try make(payload, on: ticket, by: author, physicalMillis: physicalMillis)
    }

    /// Adds a tag or watcher. Adding one already present is allowed (it is a new add).
    public mutating func add(
        _ element: String, to set: TicketSet, on ticket: TicketID, by author: Author, physicalMillis: UInt64
    ) throws(TicketModelError) -> TicketOperation {
        try make(.add(set, element), on: ticket, by: author, physicalMillis: physicalMillis)
    }

    /// Removes a tag or watcher: every add of it this replica has seen.
    public mutating func remove(
        _ element: String, from set: TicketSet, on ticket: TicketID, by author: Author, physicalMillis: UInt64
    ) throws(TicketModelError) -> TicketOperation {
        let state = tickets[ticket] ?? TicketState(id: ticket)
        try state.requireExists()
        return try make(try state.removePayload(element, from: set), on: ticket, by: author, physicalMillis: physicalMillis)
    }

    /// Adds a comment; the returned operation's id is the comment's id.
    public mutating func comment(
        _ body: String, visibility: CommentVisibility, on ticket: TicketID, by author: Author, physicalMillis: UInt64
    ) throws(TicketModelError) -> TicketOperation {
        try make(.comment(body: body, visibility: visibility), on: ticket, by: author, physicalMillis: physicalMillis)
    }
}
