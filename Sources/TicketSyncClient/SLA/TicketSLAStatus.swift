public import TicketModel
public import TicketSLA

/// A ticket's SLA clocks as a station shows them: confirmed where the server has recorded a
/// clock in the ticket's `sla.*` fields, else provisional (computed here with TicketSLA from the
/// station's own operations and clock).
public struct TicketSLAStatus: Hashable, Sendable {
    /// One clock as shown.
    public struct Clock: Hashable, Sendable {
        /// The clock (confirmed or provisional, see ``isConfirmed``).
        public var clock: SLAClock
        /// Whether the server recorded it (else it is provisional).
        public var isConfirmed: Bool
        /// Business time left before the target at the station's now (zero once met or breached).
        public var remainingMillis: UInt64
        /// Open and past the policy's warning threshold.
        public var isAtRisk: Bool
        /// For a confirmed clock, the state this station computes, when it differs (offline work
        /// the server has not seen yet, or a clock that has run on since the server wrote it).
        public var provisionalState: SLAClockState?
    }

    /// The ticket.
    public var ticket: TicketID
    /// The instant shown (the station's clock).
    public var nowMillis: UInt64
    /// The policy that applies, as the server recorded it or else as computed here.
    public var policyID: String
    /// The policy set's version the shown clocks were computed with.
    public var policyVersion: String
    /// The calendar's time zone of the policy computed here.
    public var timeZone: String
    /// The clocks, in metric order (next response: the latest cycle).
    public var clocks: [Clock]
    /// The tier the escalation matrix calls for.
    public var tier: Int
    /// The ticket's tier.
    public var currentTier: Int
    /// What this station computes.
    public var provisional: SLAEvaluation?
    /// What the server last recorded, if anything.
    public var confirmed: SLAEvaluation?

    /// Whether any shown clock is open and past its warning threshold.
    public var isAtRisk: Bool { clocks.contains { $0.isAtRisk } }
    /// Whether any shown clock is breached.
    public var isBreached: Bool { clocks.contains { $0.clock.state == .breached } }

    /// Combines the two views at `now`.
    init(provisional: SLAEvaluation, policy: SLAPolicy, confirmed: SLAEvaluation?, now: UInt64) {
        ticket = provisional.ticket
        nowMillis = now
        self.provisional = provisional
        self.confirmed = confirmed
        policyID = confirmed?.policyID ?? provisional.policyID
        policyVersion = confirmed?.policyVersion ?? provisional.policyVersion
        timeZone = policy.calendar.timeZoneIdentifier
        tier = confirmed?.tier ?? provisional.tier
        currentTier = provisional.currentTier
        var clocks: [Clock] = []
        for metric in SLAMetric.all {
            let local = provisional.clock(metric)
            if let server = confirmed?.clock(metric) {
                var remaining = server.remainingMillis
                if server.state == .running, let due = server.dueMillis {
                    remaining = policy.calendar.elapsed(from: now, to: due)
                } else if server.state != .paused {
                    remaining = 0
                }
                let atRisk = server.isOpen && (server.warningMillis.map { now >= $0 } ?? false)
                let differs = local.map { $0.state != server.state || $0.cycle != server.cycle } ?? false
                clocks.append(
                    Clock(
                        clock: server, isConfirmed: true, remainingMillis: remaining, isAtRisk: atRisk,
                        provisionalState: differs ? local?.state : nil
                    )
                )
            } else if let local {
                clocks.append(
                    Clock(
                        clock: local, isConfirmed: false, remainingMillis: local.isOpen ? local.remainingMillis : 0,
                        isAtRisk: local.isAtRisk(warningThreshold: policy.warningThreshold), provisionalState: nil
                    )
                )
            }
        }
        self.clocks = clocks
    }
}
