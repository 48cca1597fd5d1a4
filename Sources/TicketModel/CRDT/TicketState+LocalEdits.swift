/// What a local edit needs from a ticket's current state: the payload it should carry, and the
/// references it must make good.
extension TicketState {
    /// A `set` that records the write it overwrites.
    package func setPayload(_ field: FieldKey, _ value: FieldValue) -> Payload {
        .set(field, value, overwrites: register(field)?.stamp.id)
    }

    /// A `remove` naming every add of `element` seen here; refused if the element is absent.
    package func removePayload(_ element: String, from set: TicketSet) throws(TicketModelError) -> Payload {
        let dots = (set == .tags ? tags : watchers).dots(of: element)
        if dots.isEmpty {
            throw TicketModelError(.invalidValue, "\(set) of ticket \(id) do not contain '\(element.prefix(64))'")
        }
        return .remove(set, element, observed: dots)
    }

    /// Checks that the operation's ticket (and, where this state keeps comments, its comment) exists.
    package func checkReferences(_ op: TicketOperation) throws(TicketModelError) {
        if case .create = op.payload {
            if created != nil { throw TicketModelError(.invalidValue, "ticket \(id) already exists") }
            return
        }
        try requireExists()
        guard retainsDetail else { return }
        switch op.payload {
        case .editComment(let comment, _), .deleteComment(let comment):
            if comments[comment]?.created == nil {
                throw TicketModelError(.commentNotFound, "comment \(comment) does not exist on ticket \(op.ticket)")
            }
        default:
            break
        }
    }

    /// Throws ``TicketModelError/Code/ticketNotFound`` unless the ticket's create has been applied.
    package func requireExists() throws(TicketModelError) {
        if created == nil {
            throw TicketModelError(.ticketNotFound, "ticket \(id) does not exist on this replica")
        }
    }

    /// The value of a field, if it has one.
    package func value(of field: FieldKey) -> FieldValue? { register(field)?.value }

    /// The elements of a set, sorted.
    package func elements(of set: TicketSet) -> [String] { (set == .tags ? tags : watchers).elements }
}

extension TicketOperation {
    /// A new operation of `replica`, stamped by `clock`, validated; the clock advances only if
    /// the operation is valid.
    package static func local(
        _ payload: Payload, on ticket: TicketID, by author: Author, replica: ReplicaID, seq: UInt64,
        clock: inout HybridLogicalClock, physicalMillis: UInt64, limits: ModelLimits
    ) throws(TicketModelError) -> TicketOperation {
        var scratch = clock
        let op = TicketOperation(
            id: OperationID(replica: replica, seq: seq),
            timestamp: scratch.tick(physicalMillis: physicalMillis),
            author: author, ticket: ticket, payload: payload
        )
        try OperationValidator.validate(op, rules: ApplyRules(acceptsServerAuthored: true, limits: limits))
        clock = scratch
        return op
    }
}

extension TicketState {
    /// Every field with a value.
    package var fieldValues: [FieldKey: FieldValue] {
        var fields: [FieldKey: FieldValue] = [:]
        for (index, register) in builtins.enumerated() {
            if let register { fields[FieldKey.builtins[index]] = register.value }
        }
        for (field, register) in named { fields[field] = register.value }
        return fields
    }
}
