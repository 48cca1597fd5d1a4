public import TicketModel
public import TicketReports

/// What planning decided for one ticket: the complete set of timers it should have now (they
/// replace its pending ones) and server-owned writes to make at once.
public struct SLAPlan: Sendable {
    /// Every timer the ticket should have (fired ones are kept fired whatever this says).
    public var timers: [PlannedTimer]
    /// Server operations to append now (e.g. `sla.*` fields that changed).
    public var writes: [Payload]
    /// The ticket's report facts (nil: nothing to report yet), kept beside its timers.
    public var facts: TicketFacts?

    /// Creates a plan.
    public init(timers: [PlannedTimer], writes: [Payload] = [], facts: TicketFacts? = nil) {
        self.timers = timers
        self.writes = writes
        self.facts = facts
    }
}

/// What firing one timer does: server operations for the log, webhook events for the outbox,
/// and a short outcome for the timer's row.
public struct TimerEffect: Sendable {
    /// Server operations to append.
    public var writes: [Payload]
    /// Webhook events to queue.
    public var events: [WebhookEvent]
    /// What happened, in words ("breach of resolution", "obsolete: answered in time", …).
    public var outcome: String

    /// Creates an effect.
    public init(writes: [Payload] = [], events: [WebhookEvent] = [], outcome: String) {
        self.writes = writes
        self.events = events
        self.outcome = outcome
    }
}

/// The pure decisions of the SLA engine, called by an ``SLAStore`` inside its transactions.
/// Implementations must be deterministic functions of their arguments.
public protocol SLADecider: Sendable {
    /// The version of the rules (the policy set's digest): when it changes, every ticket is re-planned.
    var version: String { get }
    /// The timers a ticket should have and the writes to make now, from its history.
    func plan(_ context: SLATicketContext, now: UInt64) throws(ServerError) -> SLAPlan
    /// What firing `timer` does to the ticket described by `context`.
    func fire(_ timer: TimerClaim, _ context: SLATicketContext, now: UInt64) throws(ServerError) -> TimerEffect
}

/// What one planning step did.
public struct SLAPlanReport: Sendable, Equatable {
    /// Log entries consumed.
    public var entries: Int
    /// Tickets re-planned.
    public var tickets: Int
    /// Server operations appended.
    public var operations: Int
    /// Whether the cursor reached the end of the log.
    public var caughtUp: Bool

    /// Creates a report.
    public init(entries: Int, tickets: Int, operations: Int, caughtUp: Bool) {
        self.entries = entries
        self.tickets = tickets
        self.operations = operations
        self.caughtUp = caughtUp
    }
}

/// What one firing transaction did.
public struct SLAFireReport: Sendable, Equatable {
    /// Timers fired (completed with their effect).
    public var fired: Int
    /// Claims that had lost their attempt number (a later claim or a re-plan): nothing written.
    public var fenced: Int
    /// Timers handed back because their ticket has operations not yet planned.
    public var deferred: Int
    /// Server operations appended.
    public var operations: Int
    /// Webhook deliveries queued.
    public var webhooks: Int

    /// Creates a report.
    public init(fired: Int = 0, fenced: Int = 0, deferred: Int = 0, operations: Int = 0, webhooks: Int = 0) {
        self.fired = fired
        self.fenced = fenced
        self.deferred = deferred
        self.operations = operations
        self.webhooks = webhooks
    }
}

/// Timer counts and the engine's position, for status output.
public struct SLAStatus: Sendable, Equatable {
    /// Timers waiting for their due time.
    public var pending: Int
    /// Timers claimed and not yet fired.
    public var claimed: Int
    /// Timers fired.
    public var done: Int
    /// Timers no longer wanted.
    public var cancelled: Int
    /// The log position the engine has planned up to.
    public var cursor: Int64
    /// Webhook deliveries pending and dead.
    public var webhooksPending: Int
    /// Webhook deliveries given up on.
    public var webhooksDead: Int

    /// Creates a status.
    public init(pending: Int, claimed: Int, done: Int, cancelled: Int, cursor: Int64, webhooksPending: Int, webhooksDead: Int) {
        self.pending = pending
        self.claimed = claimed
        self.done = done
        self.cancelled = cancelled
        self.cursor = cursor
        self.webhooksPending = webhooksPending
        self.webhooksDead = webhooksDead
    }
}
