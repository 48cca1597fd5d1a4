/// One SLA clock of one ticket, as derived from its operations at an instant.
///
/// All durations are business milliseconds (the policy's calendar); all instants are Unix
/// milliseconds of counted time (see ``CountedOperation``).
public struct SLAClock: Hashable, Sendable {
    /// What it measures.
    public var metric: SLAMetric
    /// Where it stands.
    public var state: SLAClockState
    /// For ``SLAMetric/nextResponse``, which cycle this is (1, 2, …); 1 for the other metrics.
    public var cycle: Int
    /// The target.
    public var targetMillis: UInt64
    /// Business time counted so far (paused time excluded).
    public var elapsedMillis: UInt64
    /// Business time spent paused so far (reported so that parking tickets shows).
    public var pausedMillis: UInt64
    /// When the clock started.
    public var startedMillis: UInt64
    /// When the clock stopped (a response, a solve), if it has.
    public var stoppedMillis: UInt64?
    /// When the target is reached if nothing changes: in the past for a breached clock, nil
    /// while paused or once met.
    public var dueMillis: UInt64?
    /// When the warning threshold is reached if nothing changes, on the same terms as ``dueMillis``.
    public var warningMillis: UInt64?
    /// When the server declared this clock breached (its `sla.*` field), if it did.
    public var declaredBreachMillis: UInt64?

    /// Creates a clock.
    public init(
        metric: SLAMetric, state: SLAClockState, cycle: Int = 1, targetMillis: UInt64, elapsedMillis: UInt64,
        pausedMillis: UInt64, startedMillis: UInt64, stoppedMillis: UInt64? = nil, dueMillis: UInt64? = nil,
        warningMillis: UInt64? = nil, declaredBreachMillis: UInt64? = nil
    ) {
        self.metric = metric
        self.state = state
        self.cycle = cycle
        self.targetMillis = targetMillis
        self.elapsedMillis = elapsedMillis
        self.pausedMillis = pausedMillis
        self.startedMillis = startedMillis
        self.stoppedMillis = stoppedMillis
        self.dueMillis = dueMillis
        self.warningMillis = warningMillis
        self.declaredBreachMillis = declaredBreachMillis
    }

    /// Business time left before the target (zero once reached).
    public var remainingMillis: UInt64 { targetMillis > elapsedMillis ? targetMillis - elapsedMillis : 0 }

    /// Whether the clock is still counting or paused, neither met nor breached.
    public var isOpen: Bool { state == .running || state == .paused }

    /// Whether the clock is open and past its warning threshold given `warningThreshold`.
    public func isAtRisk(warningThreshold: Double) -> Bool {
        isOpen && Double(elapsedMillis) >= (Double(targetMillis) * warningThreshold).rounded(.down)
    }
}

/// A future instant at which a server must act for one ticket: a timer to set.
///
/// ``key`` identifies the deadline within its ticket across evaluations (the same deadline
/// re-planned after a pause keeps its key and gets a new ``dueMillis``), so a server can derive
/// its timer and operation ids from it and a repeat is a no-op.
public struct SLADeadline: Hashable, Sendable, CustomStringConvertible {
    /// What falls due.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// The kind's stable name.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// A clock reaches its warning threshold: the ticket is at risk.
        public static let warning = Kind("warning")
        /// A clock reaches its target.
        public static let breach = Kind("breach")
        /// The ticket reaches a tier's limit unresolved and moves to ``SLADeadline/tier``.
        public static let tierEscalation = Kind("tier_escalation")
        /// A periodic customer update is due (``SLATargets/periodicUpdate``).
        public static let updateReminder = Kind("update_reminder")

        /// Every kind.
        public static let all: [Kind] = [.warning, .breach, .tierEscalation, .updateReminder]

        /// The kind with this name, or nil.
        public init?(named name: some StringProtocol) {
            guard let kind = Self.all.first(where: { $0.rawValue == name }) else { return nil }
            self = kind
        }

        public var description: String { rawValue }
    }

    /// What falls due.
    public var kind: Kind
    /// The clock it concerns (warnings and breaches), else nil.
    public var metric: SLAMetric?
    /// The next-response cycle (warnings and breaches of that metric), else nil.
    public var cycle: Int?
    /// For ``Kind/tierEscalation``, the tier the ticket moves to; else nil.
    public var tier: Int?
    /// When, in Unix milliseconds.
    public var dueMillis: UInt64

    /// Creates a deadline.
    public init(kind: Kind, metric: SLAMetric? = nil, cycle: Int? = nil, tier: Int? = nil, dueMillis: UInt64) {
        self.kind = kind
        self.metric = metric
        self.cycle = cycle
        self.tier = tier
        self.dueMillis = dueMillis
    }

    /// A stable identity within the ticket: `breach:first_response`, `warning:next_response:3`,
    /// `tier_escalation:2`, `update_reminder:4` (the number of agent updates so far).
    public var key: String {
        var parts = [kind.rawValue]
        if let metric { parts.append(metric.rawValue) }
        if let cycle { parts.append(String(cycle)) }
        if let tier { parts.append(String(tier)) }
        return parts.joined(separator: ":")
    }

    /// `key@dueMillis`.
    public var description: String { "\(key)@\(dueMillis)" }
}
