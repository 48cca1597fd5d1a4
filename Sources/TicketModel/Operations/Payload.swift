/// A set-valued field of a ticket (an add-wins observed-remove set of short strings).
public enum TicketSet: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Labels such as `vip` or `carrier_ups`.
    case tags = 0
    /// Handles of people who follow the ticket.
    case watchers = 1

    public var description: String { self == .tags ? "tags" : "watchers" }
}

/// Whether a comment is visible to the requester.
public enum CommentVisibility: Int, Hashable, Sendable {
    /// Seen by the requester; a public comment by an agent counts as a response for SLAs.
    case `public` = 0
    /// Seen by agents only.
    case `internal` = 1
}

/// How an escalation came about.
public enum EscalationKind: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A timer reached a tier's limit.
    case automatic = 0
    /// Moved up a tier on request (supervisor, management).
    case hierarchical = 1
    /// Moved to a team with the needed expertise.
    case functional = 2

    public var description: String {
        switch self {
        case .automatic: return "automatic"
        case .hierarchical: return "hierarchical"
        case .functional: return "functional"
        }
    }
}

/// What one operation does to its ticket.
public enum Payload: Hashable, Sendable {
    /// Creates the ticket with initial field values (each is a last-writer-wins write).
    case create([FieldKey: FieldValue])
    /// Writes one scalar field. `overwrites` names the write this replica saw as current, so
    /// history can tell a deliberate overwrite from a concurrent write that lost.
    case set(FieldKey, FieldValue, overwrites: OperationID?)
    /// Adds an element to a set.
    case add(TicketSet, String)
    /// Removes an element: exactly the adds named in `observed` (add-wins: a concurrent add survives).
    case remove(TicketSet, String, observed: [OperationID])
    /// Adds a comment, identified from then on by this operation's id.
    case comment(body: String, visibility: CommentVisibility)
    /// Replaces a comment's body (last-writer-wins on the body).
    case editComment(CommentID, body: String)
    /// Deletes a comment: a tombstone; the comment and its history stay in the log.
    case deleteComment(CommentID)
    /// A station asks for an escalation; the server decides.
    case requestEscalation(reason: String, toTeam: String?)
    /// Server only: the ticket is escalated to `tier` (a max-register that never goes down).
    case escalate(tier: Int, kind: EscalationKind, reason: String, toTeam: String?)

    /// Whether only a server may make this operation.
    public var isServerOwned: Bool {
        switch self {
        case .escalate: return true
        case .set(let field, _, _): return field.isServerOwned
        case .create(let fields): return fields.keys.contains { $0.isServerOwned }
        default: return false
        }
    }

    /// A short name of the operation's kind, for history and logs.
    public var kindName: String {
        switch self {
        case .create: return "create"
        case .set: return "set"
        case .add: return "add"
        case .remove: return "remove"
        case .comment: return "comment"
        case .editComment: return "edit_comment"
        case .deleteComment: return "delete_comment"
        case .requestEscalation: return "request_escalation"
        case .escalate: return "escalate"
        }
    }
}
