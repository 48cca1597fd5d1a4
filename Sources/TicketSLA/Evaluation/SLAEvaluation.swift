public import TicketModel

/// The SLA state of one ticket at one instant, derived from its operations and a policy set.
///
/// A pure function of (the operations with their counted times, the policy set, `now`): the
/// same input always gives the same value, whatever order the operations came in.
public struct SLAEvaluation: Hashable, Sendable {
    /// The ticket.
    public var ticket: TicketID
    /// The id of the policy that applies (first match in the set).
    public var policyID: String
    /// The policy set's version (a content digest) the clocks were computed with.
    public var policyVersion: String
    /// The instant evaluated at.
    public var evaluatedAtMillis: UInt64
    /// The clocks of the metrics the policy measures, in ``SLAMetric`` order. Next response is
    /// present once a cycle has opened.
    public var clocks: [SLAClock]
    /// The tier the escalation matrix calls for now (1 if the policy has none).
    public var tier: Int
    /// The ticket's tier as its operations have it (a max-register: escalations, manual ones too).
    public var currentTier: Int
    /// The current plan of deadlines a server must set timers for, earliest first. Ones already
    /// past (a breach not yet declared, an escalation not yet made, a warning) fall due at once;
    /// ``SLADeadline/key`` names each within the ticket so that firing one key twice is a no-op.
    /// Paused clocks have none: the status change that resumes them is a new operation.
    public var deadlines: [SLADeadline]

    /// Creates an evaluation.
    public init(
        ticket: TicketID, policyID: String, policyVersion: String, evaluatedAtMillis: UInt64, clocks: [SLAClock],
        tier: Int, currentTier: Int, deadlines: [SLADeadline]
    ) {
        self.ticket = ticket
        self.policyID = policyID
        self.policyVersion = policyVersion
        self.evaluatedAtMillis = evaluatedAtMillis
        self.clocks = clocks
        self.tier = tier
        self.currentTier = currentTier
        self.deadlines = deadlines
    }

    /// The clock of a metric, if the policy measures it (and, for next response, a cycle opened).
    public func clock(_ metric: SLAMetric) -> SLAClock? { clocks.first { $0.metric == metric } }

    /// Whether any clock is breached (declared or computed), reported-late ones excluded.
    public var isBreached: Bool { clocks.contains { $0.state == .breached } }
}
