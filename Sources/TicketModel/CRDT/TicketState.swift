/// Everything one replica knows of one ticket: the CRDT state of every field and the operations
/// that produced it. A pure function of the set of operations applied (in any order, any number
/// of times), so two replicas that applied the same operations hold equal states.
///
/// A state made with `retainsDetail: false` keeps only what applying later operations needs (the
/// registers, sets, tier and counts) and drops comments and the operation list: the form a store
/// that keeps operations elsewhere materialises per ticket.
package struct TicketState: Sendable {
    package let id: TicketID
    /// Whether comments and the operation list are kept.
    package let retainsDetail: Bool
    /// The earliest create seen; nil while only later operations have arrived.
    package var created: Created?
    /// Built-in fields, indexed by ``FieldKey/builtinIndex``.
    var builtins: [Register?] = Array(repeating: nil, count: FieldKey.builtinCount)
    /// `custom.*` and `sla.*` fields.
    var named: [FieldKey: Register] = [:]
    var tags = ObservedRemoveSet()
    var watchers = ObservedRemoveSet()
    var comments: [CommentID: CommentState] = [:]
    /// The escalation tier: a max-register, starting at 1, that never goes down by merge.
    package var tier: Int = 1
    /// The latest operation's stamp.
    var updated: Stamp?
    /// Every operation applied to this ticket, in the order this replica applied them
    /// (empty unless `retainsDetail`).
    var operations: [TicketOperation] = []
    /// How many operations were applied.
    package var operationCount = 0

    /// The latest operation's stamp.
    package var updatedStamp: Stamp? { updated }

    package struct Created: Hashable, Sendable {
        package var stamp: Stamp
        package var author: Author
    }

    package init(id: TicketID, retainsDetail: Bool = true) {
        self.id = id
        self.retainsDetail = retainsDetail
    }

    func register(_ field: FieldKey) -> Register? {
        if let index = field.builtinIndex { return builtins[index] }
        return named[field]
    }

    @inline(__always)
    private mutating func write(_ field: FieldKey, _ value: FieldValue, _ stamp: Stamp) {
        if let index = field.builtinIndex {
            Register.write(&builtins[index], value, stamp)
        } else {
            var register = named[field]
            Register.write(&register, value, stamp)
            named[field] = register
        }
    }

    /// Applies an operation that is new to this replica and has passed validation.
    package mutating func apply(_ op: TicketOperation) {
        let stamp = op.stamp
        switch op.payload {
        case .create(let fields):
            if created == nil || stamp < created!.stamp {
                created = Created(stamp: stamp, author: op.author)
            }
            for (field, value) in fields { write(field, value, stamp) }
        case .set(let field, let value, _):
            write(field, value, stamp)
        case .add(let set, let element):
            if set == .tags { tags.add(element, dot: op.id) } else { watchers.add(element, dot: op.id) }
        case .remove(let set, let element, let observed):
            if set == .tags {
                tags.remove(element, observed: observed)
            } else {
                watchers.remove(element, observed: observed)
            }
        case .comment(let body, let visibility):
            guard retainsDetail else { break }
            var comment = comments[op.id] ?? CommentState()
            comment.created = .init(author: op.author, timestamp: op.timestamp, visibility: visibility)
            Register.write(&comment.body, .text(body), stamp)
            comments[op.id] = comment
        case .editComment(let id, let body):
            guard retainsDetail else { break }
            var comment = comments[id] ?? CommentState()
            Register.write(&comment.body, .text(body), stamp)
            comments[id] = comment
        case .deleteComment(let id):
            guard retainsDetail else { break }
            var comment = comments[id] ?? CommentState()
            if comment.deleted == nil || comment.deleted! < stamp { comment.deleted = stamp }
            comments[id] = comment
        case .requestEscalation:
            break
        case .escalate(let tier, _, _, _):
            self.tier = max(self.tier, tier)
        }
        if updated == nil || updated! < stamp { updated = stamp }
        operationCount += 1
        if retainsDetail { operations.append(op) }
    }
}
