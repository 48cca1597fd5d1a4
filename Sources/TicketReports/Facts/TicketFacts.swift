public import TicketModel
public import TicketSLA

/// What the reports need to know of one ticket: a small, flat record derived deterministically
/// from the ticket's operations (each with the time that counts for the SLA) and its SLA
/// evaluation. The server keeps one per ticket, written in the same transaction that plans the
/// ticket's timers; a station derives the same record from its own replica (provisional).
///
/// Every instant is milliseconds since the Unix epoch; every duration is wall-clock milliseconds
/// unless its name says business time.
public struct TicketFacts: Hashable, Sendable, Codable {
    /// The ticket's id (its canonical text).
    public var ticket: String
    /// The id of the SLA policy that applies.
    public var policy: String
    /// The escalation tier now (1 = frontline).
    public var tier: Int
    /// The ticket's status now.
    public var status: String
    /// Its priority.
    public var priority: String
    /// Its category ("" if none).
    public var category: String
    /// Its site ("" if none).
    public var site: String
    /// Its team, the `group` field ("" if none).
    public var team: String
    /// Its assignee ("" if none).
    public var assignee: String
    /// Its requester ("" if none).
    public var requester: String
    /// Its order reference ("" if none).
    public var orderRef: String
    /// When it was created (counted time of the create).
    public var createdMillis: UInt64
    /// The first public comment by an agent (counted time), if any.
    public var firstResponseMillis: UInt64?
    /// The first time it was solved or closed, if ever.
    public var resolvedMillis: UInt64?
    /// How many times it left `solved` or `closed` for an open status.
    public var reopenCount: Int
    /// The tier it had when it was first solved (nil if never solved).
    public var tierAtResolution: Int?
    /// Every escalation that raised its tier (automatic, or a request the server granted), oldest first.
    public var escalations: [EscalationFact]
    /// The customer's satisfaction score (1 to 5), if given.
    public var csat: Int?
    /// The root cause recorded at resolution ("" if none).
    public var rootCause: String
    /// Business time the resolution clock spent paused.
    public var pausedMillis: UInt64
    /// Each SLA clock as the evaluation left it.
    public var clocks: [ClockFact]

    /// Creates a record.
    public init(
        ticket: String, policy: String, tier: Int, status: String, priority: String, category: String, site: String,
        team: String, assignee: String, requester: String, orderRef: String, createdMillis: UInt64,
        firstResponseMillis: UInt64?, resolvedMillis: UInt64?, reopenCount: Int, tierAtResolution: Int?,
        escalations: [EscalationFact], csat: Int?, rootCause: String, pausedMillis: UInt64, clocks: [ClockFact]
    ) {
        self.ticket = ticket
        self.policy = policy
        self.tier = tier
        self.status = status
        self.priority = priority
        self.category = category
        self.site = site
        self.team = team
        self.assignee = assignee
        self.requester = requester
        self.orderRef = orderRef
        self.createdMillis = createdMillis
        self.firstResponseMillis = firstResponseMillis
        self.resolvedMillis = resolvedMillis
        self.reopenCount = reopenCount
        self.tierAtResolution = tierAtResolution
        self.escalations = escalations
        self.csat = csat
        self.rootCause = rootCause
        self.pausedMillis = pausedMillis
        self.clocks = clocks
    }

    /// Whether the ticket is solved or closed now.
    public var isResolved: Bool { status == TicketStatus.solved.rawValue || status == TicketStatus.closed.rawValue }
}

/// One SLA clock of a ticket, as far as reports need it.
public struct ClockFact: Hashable, Sendable, Codable {
    /// The metric (`first_response`, `next_response`, `resolution`).
    public var metric: String
    /// Which cycle of a repeating metric (1 for the others).
    public var cycle: Int
    /// `running`, `paused`, `met`, `breached` or `met_reported_late`.
    public var state: String
    /// When a running clock falls due, if it runs.
    public var dueMillis: UInt64?
    /// When a running clock passes its warning threshold, if it runs.
    public var warningMillis: UInt64?

    /// Creates a clock record.
    public init(metric: String, cycle: Int, state: String, dueMillis: UInt64?, warningMillis: UInt64?) {
        self.metric = metric
        self.cycle = cycle
        self.state = state
        self.dueMillis = dueMillis
        self.warningMillis = warningMillis
    }

    /// The clock's state at `now`: a running clock whose due time has passed counts as breached
    /// (its breach timer is about to declare it).
    public func state(at now: UInt64) -> SLAClockState {
        let state = SLAClockState(named: self.state) ?? .running
        if state == .running, let due = dueMillis, due <= now { return .breached }
        return state
    }

    /// Whether the clock is open and past its warning threshold but not yet due at `now`.
    public func isAtRisk(at now: UInt64) -> Bool {
        guard state(at: now) == .running || state(at: now) == .paused, let warning = warningMillis else { return false }
        return warning <= now
    }
}

/// One escalation of a ticket: the tier it raised it to and when (counted time).
public struct EscalationFact: Hashable, Sendable, Codable {
    /// The tier reached.
    public var tier: Int
    /// When.
    public var atMillis: UInt64

    /// Creates an escalation record.
    public init(tier: Int, atMillis: UInt64) {
        self.tier = tier
        self.atMillis = atMillis
    }
}
