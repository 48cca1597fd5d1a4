public import TicketModel

/// What a timer is for.
public struct TimerKind: Hashable, Sendable, CustomStringConvertible {
    /// The kind's stable name (stored, and shown by tools).
    public let rawValue: String
    /// Wraps a stored name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A clock reaches its warning threshold (the ticket is at risk).
    public static let warning = TimerKind(rawValue: "warning")
    /// A clock reaches its target.
    public static let breach = TimerKind(rawValue: "breach")
    /// The tier's time is up: escalate to the next tier.
    public static let tierEscalation = TimerKind(rawValue: "tier_escalation")
    /// A periodic customer update is due.
    public static let updateReminder = TimerKind(rawValue: "update_reminder")
    /// A station asked for an escalation; the server decides (due at once).
    public static let escalationRequest = TimerKind(rawValue: "escalation_request")

    public var description: String { rawValue }
}

/// A timer the decider wants for a ticket. `key` identifies it within the ticket (e.g.
/// `breach/resolution/1`): planning a ticket again with the same key moves that timer rather
/// than adding one, and a key that fired once never fires again.
public struct PlannedTimer: Hashable, Sendable {
    /// The timer's identity within its ticket (at most 200 bytes).
    public var key: String
    /// What it is for.
    public var kind: TimerKind
    /// When it is due (milliseconds since the Unix epoch).
    public var dueMillis: UInt64

    /// Creates a planned timer.
    public init(key: String, kind: TimerKind, dueMillis: UInt64) {
        self.key = key
        self.kind = kind
        self.dueMillis = dueMillis
    }
}

/// A timer claimed for firing, with the attempt number that fences it.
public struct TimerClaim: Hashable, Sendable {
    /// The timer's row id.
    public var id: Int64
    /// Its ticket.
    public var ticket: TicketID
    /// Its key within the ticket.
    public var key: String
    /// What it is for.
    public var kind: TimerKind
    /// When it was due.
    public var dueMillis: UInt64
    /// The fencing number: the effect is written only if the timer still holds it.
    public var attempt: Int64

    /// Creates a claim.
    public init(id: Int64, ticket: TicketID, key: String, kind: TimerKind, dueMillis: UInt64, attempt: Int64) {
        self.id = id
        self.ticket = ticket
        self.key = key
        self.kind = kind
        self.dueMillis = dueMillis
        self.attempt = attempt
    }
}

/// Where a timer is in its life.
public struct TimerState: Hashable, Sendable, CustomStringConvertible {
    /// The stored code.
    public let code: Int
    /// Wraps a stored code.
    public init(code: Int) { self.code = code }

    /// Waiting for its due time.
    public static let pending = TimerState(code: 0)
    /// Claimed by a scheduler; fires, or is claimed again when the lease runs out.
    public static let claimed = TimerState(code: 1)
    /// Fired: its effect is in the log. Never fires again.
    public static let done = TimerState(code: 2)
    /// No longer wanted (the ticket was answered, paused, resolved …); planning may revive it.
    public static let cancelled = TimerState(code: 3)

    public var description: String {
        switch code {
        case 0: return "pending"
        case 1: return "claimed"
        case 2: return "done"
        case 3: return "cancelled"
        default: return "state \(code)"
        }
    }
}

/// A stored timer, for tools and tests.
public struct TimerRecord: Hashable, Sendable {
    /// The row id.
    public var id: Int64
    /// The ticket.
    public var ticket: TicketID
    /// The key within the ticket.
    public var key: String
    /// What it is for.
    public var kind: TimerKind
    /// When it is (or was) due.
    public var dueMillis: UInt64
    /// Its state.
    public var state: TimerState
    /// How many times it was claimed or moved (the fencing number).
    public var attempt: Int64
    /// When it fired (done timers).
    public var firedMillis: UInt64?
    /// What firing did, in words (done timers).
    public var outcome: String?

    /// Creates a record.
    public init(
        id: Int64, ticket: TicketID, key: String, kind: TimerKind, dueMillis: UInt64, state: TimerState, attempt: Int64,
        firedMillis: UInt64?, outcome: String?
    ) {
        self.id = id
        self.ticket = ticket
        self.key = key
        self.kind = kind
        self.dueMillis = dueMillis
        self.state = state
        self.attempt = attempt
        self.firedMillis = firedMillis
        self.outcome = outcome
    }
}
