/// Checks one operation against the model's rules. Pure: it reads the operation and, for
/// references, the ticket's current state; it never changes anything.
package enum OperationValidator {
    /// Checks the operation's ids, author, authority and values; throws the first problem.
    package static func validate(_ op: TicketOperation, rules: ApplyRules) throws(TicketModelError) {
        let limits = rules.limits
        if op.id.replica.rawValue == 0 || op.id.seq == 0 {
            throw TicketModelError(.malformedOperation, "operation id \(op.id) has a zero replica or sequence number")
        }
        if op.author.name.isEmpty {
            throw TicketModelError(.malformedOperation, "operation \(op.id) has no author name")
        }
        try FieldRules.checkLength(op.author.name, max: limits.maxAuthorBytes, what: "author name")
        if !FieldRules.isNFC(op.author.name) {
            throw TicketModelError(.invalidValue, "author name of \(op.id) is not in Unicode NFC; normalise it before sending")
        }
        if op.author.kind == .server && !rules.acceptsServerAuthored {
            throw TicketModelError(
                .serverOwnedField, "operation \(op.id) claims a server author; only a server may act as one"
            )
        }
        if op.payload.isServerOwned && op.author.kind != .server {
            throw TicketModelError(
                .serverOwnedField,
                "operation \(op.id) (\(op.payload.kindName)) writes server-owned SLA or escalation state; "
                    + "only the server writes it: ask for an escalation instead"
            )
        }
        switch op.payload {
        case .create(let fields):
            if fields.count > limits.maxCreateFields {
                throw TicketModelError(.tooLarge, "create has \(fields.count) fields; the limit is \(limits.maxCreateFields)")
            }
            if fields[.title] == nil {
                throw TicketModelError(.invalidValue, "create of ticket \(op.ticket) has no title")
            }
            for (field, value) in fields {
                try FieldRules.validateName(field)
                try FieldRules.validate(value, for: field, limits: limits)
            }
        case .set(let field, let value, _):
            try FieldRules.validateName(field)
            try FieldRules.validate(value, for: field, limits: limits)
        case .add(let set, let element), .remove(let set, let element, _):
            if element.isEmpty {
                throw TicketModelError(.invalidValue, "an empty \(set) element is not allowed")
            }
            try FieldRules.checkLength(element, max: limits.maxElementBytes, what: "\(set) element")
            if !FieldRules.isNFC(element) {
                throw TicketModelError(.invalidValue, "\(set) element '\(element.prefix(64))' is not in Unicode NFC; normalise it before sending")
            }
            if case .remove(_, _, let observed) = op.payload, observed.count > limits.maxObservedPerRemove {
                throw TicketModelError(
                    .tooLarge, "remove names \(observed.count) adds; the limit is \(limits.maxObservedPerRemove)"
                )
            }
        case .comment(let body, _), .editComment(_, let body):
            if body.isEmpty { throw TicketModelError(.invalidValue, "a comment body must not be empty") }
            try FieldRules.checkLength(body, max: limits.maxLongTextBytes, what: "comment body")
        case .deleteComment:
            break
        case .requestEscalation(let reason, let team), .escalate(_, _, let reason, let team):
            if reason.isEmpty { throw TicketModelError(.invalidValue, "an escalation needs a reason") }
            try FieldRules.checkLength(reason, max: limits.maxLongTextBytes, what: "escalation reason")
            if let team { try FieldRules.checkLength(team, max: limits.maxShortTextBytes, what: "escalation team") }
            if case .escalate(let tier, _, _, _) = op.payload, !(1...limits.maxTier).contains(tier) {
                throw TicketModelError(.invalidValue, "escalation tier \(tier) is outside 1...\(limits.maxTier)")
            }
        }
    }
}
