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
        var scratchClock = clock
        let op = TicketOperation(
            id: OperationID(replica: id, seq: lastSequence + 1),
            timestamp: scratchClock.tick(physicalMillis: physicalMillis),
            author: author,
            ticket: ticket,
            payload: payload
        )
        try OperationValidator.validate(op, rules: ApplyRules(acceptsServerAuthored: true, limits: limits))
        try requireKnown(op)
        clock = scratchClock
        commit(op)
        return op
    }

    /// Creates a ticket with the given fields (a title is required).
    public mutating func createTicket(
        _ ticket: TicketID, fields: [FieldKey: FieldValue], by author: Author, physicalMillis: UInt64
    ) throws(TicketModelError) -> TicketOperation {
        if tickets[ticket]?.created != nil {
            throw TicketModelError(.invalidValue, "ticket \(ticket) already exists")
        }
        return try make(.create(fields), on: ticket, by: author, physicalMillis: physicalMillis)
    }

    /// Writes one field, recording the write it overwrites.
    public mutating func set(
        _ field: FieldKey, to value: FieldValue, on ticket: TicketID, by author: Author, physicalMillis: UInt64
    ) throws(TicketModelError) -> TicketOperation {
        let overwrites = tickets[ticket]?.register(field)?.stamp.id
        return try make(.set(field, value, overwrites: overwrites), on: ticket, by: author, physicalMillis: physicalMillis)
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
        let state = tickets[ticket]
        let dots = (set == .tags ? state?.tags : state?.watchers)?.dots(of: element) ?? []
        if state?.created != nil, dots.isEmpty {
            throw TicketModelError(.invalidValue, "\(set) of ticket \(ticket) do not contain '\(element.prefix(64))'")
        }
        return try make(.remove(set, element, observed: dots), on: ticket, by: author, physicalMillis: physicalMillis)
    }

    /// Adds a comment; the returned operation's id is the comment's id.
    public mutating func comment(
        _ body: String, visibility: CommentVisibility, on ticket: TicketID, by author: Author, physicalMillis: UInt64
    ) throws(TicketModelError) -> TicketOperation {
        try make(.comment(body: body, visibility: visibility), on: ticket, by: author, physicalMillis: physicalMillis)
    }
}
