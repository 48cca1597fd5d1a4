/// A ticket as people see it: the current value of every field, derived from the operations a
/// replica has applied.
public struct Ticket: Hashable, Sendable, Identifiable {
    /// The ticket's id.
    public var id: TicketID
    /// When and by whom it was created; nil if only later operations have arrived so far.
    public var created: (stamp: Stamp, author: Author)? {
        createdStamp.map { ($0, createdBy!) }
    }
    /// The create's stamp.
    public var createdStamp: Stamp?
    /// The create's author.
    public var createdBy: Author?
    /// The latest operation's stamp.
    public var updatedStamp: Stamp?
    /// Every field with a value, including `custom.*` and `sla.*`.
    public var fields: [FieldKey: FieldValue]
    /// The tags, sorted.
    public var tags: [String]
    /// The watchers, sorted.
    public var watchers: [String]
    /// Comments, oldest first, deleted ones included (see ``TicketComment/isDeleted``).
    public var comments: [TicketComment]
    /// The escalation tier (1 = frontline).
    public var tier: Int
    /// Escalations and escalation requests, oldest first.
    public var escalations: [EscalationEntry]
    /// How many operations made this ticket.
    public var operationCount: Int

    /// The text of a field, or nil.
    public subscript(field: FieldKey) -> FieldValue? { fields[field] }

    /// The title.
    public var title: String { fields[.title]?.text ?? "" }
    /// The status; `open` if unset.
    public var status: TicketStatus { fields[.status]?.text.flatMap(TicketStatus.init(rawValue:)) ?? .open }
    /// The priority; `normal` if unset.
    public var priority: TicketPriority {
        fields[.priority]?.text.flatMap(TicketPriority.init(rawValue:)) ?? .normal
    }
}

/// A comment on a ticket.
public struct TicketComment: Hashable, Sendable, Identifiable {
    /// The comment's id (the id of the operation that made it).
    public var id: CommentID
    /// Who wrote it.
    public var author: Author
    /// When it was written.
    public var timestamp: Timestamp
    /// Public or internal.
    public var visibility: CommentVisibility
    /// The current body (after edits).
    public var body: String
    /// Whether it was deleted.
    public var isDeleted: Bool
}

/// One escalation, or one request for one.
public struct EscalationEntry: Hashable, Sendable {
    /// The operation that recorded it.
    public var id: OperationID
    /// When.
    public var timestamp: Timestamp
    /// Who: the server for escalations, an agent for requests.
    public var author: Author
    /// Whether the server escalated (true) or an agent asked (false).
    public var isDecision: Bool
    /// The tier reached (decisions only).
    public var tier: Int?
    /// How (decisions only).
    public var kind: EscalationKind?
    /// Why.
    public var reason: String
    /// The team it went or should go to.
    public var toTeam: String?
}

extension TicketState {
    package var view: Ticket {
        var fields: [FieldKey: FieldValue] = [:]
        for (index, register) in builtins.enumerated() {
            if let register { fields[FieldKey.builtins[index]] = register.value }
        }
        for (field, register) in named { fields[field] = register.value }
        let comments = self.comments.compactMap { id, state -> TicketComment? in
            guard let created = state.created else { return nil }
            return TicketComment(
                id: id, author: created.author, timestamp: created.timestamp, visibility: created.visibility,
                body: state.body?.value.text ?? "", isDeleted: state.deleted != nil
            )
        }
        .sorted { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        let escalations = operations.compactMap { op -> EscalationEntry? in
            switch op.payload {
            case .requestEscalation(let reason, let team):
                return EscalationEntry(
                    id: op.id, timestamp: op.timestamp, author: op.author, isDecision: false, tier: nil, kind: nil,
                    reason: reason, toTeam: team
                )
            case .escalate(let tier, let kind, let reason, let team):
                return EscalationEntry(
                    id: op.id, timestamp: op.timestamp, author: op.author, isDecision: true, tier: tier, kind: kind,
                    reason: reason, toTeam: team
                )
            default:
                return nil
            }
        }
        .sorted { Stamp(timestamp: $0.timestamp, id: $0.id) < Stamp(timestamp: $1.timestamp, id: $1.id) }
        return Ticket(
            id: id, createdStamp: created?.stamp, createdBy: created?.author, updatedStamp: updated, fields: fields,
            tags: tags.elements, watchers: watchers.elements, comments: comments, tier: tier, escalations: escalations,
            operationCount: operationCount
        )
    }
}

extension TicketReplica {
    /// The ticket with this id, if its create has been applied.
    public func ticket(_ id: TicketID) -> Ticket? {
        guard let state = tickets[id], state.created != nil else { return nil }
        return state.view
    }

    /// Every created ticket, in id order.
    public var allTickets: [Ticket] {
        tickets.keys.sorted().compactMap { ticket($0) }
    }

    /// The ids of every created ticket.
    public var ticketIDs: [TicketID] {
        tickets.compactMap { $0.value.created != nil ? $0.key : nil }
    }

    /// The number of created tickets.
    public var ticketCount: Int { tickets.values.reduce(0) { $0 + ($1.created != nil ? 1 : 0) } }

    /// The live dots of a set element on a ticket (what a remove made now would name).
    public func dots(of element: String, in set: TicketSet, on ticket: TicketID) -> [OperationID] {
        guard let state = tickets[ticket] else { return [] }
        return (set == .tags ? state.tags : state.watchers).dots(of: element)
    }

    /// The operation that wrote the current value of `field`, if any.
    public func currentWrite(of field: FieldKey, on ticket: TicketID) -> OperationID? {
        tickets[ticket]?.register(field)?.stamp.id
    }

    /// Every operation applied to a ticket, in the order this replica applied them.
    public func operations(on ticket: TicketID) -> [TicketOperation] {
        tickets[ticket]?.operations ?? []
    }
}
