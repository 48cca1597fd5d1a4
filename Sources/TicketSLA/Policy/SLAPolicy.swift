public import TicketModel

/// One SLA policy: which tickets it applies to, its targets, calendar, pause statuses, warning
/// threshold and escalation matrix.
public struct SLAPolicy: Hashable, Sendable {
    /// The policy's id, unique in its set (1-64 characters of `a-z 0-9 _ -`).
    public var id: String
    /// Which tickets it applies to; an empty match applies to every ticket (a catch-all).
    public var match: PolicyMatch
    /// When business time runs.
    public var calendar: BusinessCalendar
    /// The targets, in business time.
    public var targets: SLATargets
    /// Statuses during which every clock is paused. Default: `pending`, `on_hold`.
    public var pauseStatuses: Set<TicketStatus>
    /// The fraction of a target at which a clock is "at risk" and a warning fires, in (0, 1).
    /// Default 0.75.
    public var warningThreshold: Double
    /// The escalation matrix: tiers 1, 2, 3, … with increasing limits.
    public var escalation: [EscalationTier]

    /// The default pause statuses.
    public static let defaultPauseStatuses: Set<TicketStatus> = [.pending, .onHold]
    /// The default warning threshold.
    public static let defaultWarningThreshold = 0.75

    /// Creates a policy; ``PolicySet/init(policies:)`` checks it.
    public init(
        id: String, match: PolicyMatch = PolicyMatch(), calendar: BusinessCalendar = .alwaysOpen,
        targets: SLATargets, pauseStatuses: Set<TicketStatus> = SLAPolicy.defaultPauseStatuses,
        warningThreshold: Double = SLAPolicy.defaultWarningThreshold, escalation: [EscalationTier] = []
    ) {
        self.id = id
        self.match = match
        self.calendar = calendar
        self.targets = targets
        self.pauseStatuses = pauseStatuses
        self.warningThreshold = warningThreshold
        self.escalation = escalation
    }

    /// The tier entry with this number, if the matrix has one.
    public func tier(_ number: Int) -> EscalationTier? { escalation.first { $0.tier == number } }

    /// The warning point of a target: `target × threshold`, rounded down to the millisecond.
    public func warningMillis(of target: UInt64) -> UInt64 {
        UInt64((Double(target) * warningThreshold).rounded(.down))
    }
}

/// Which tickets a policy applies to. Every condition given must hold; within one condition any
/// listed value matches (tags: every listed tag must be on the ticket). No conditions: every ticket.
public struct PolicyMatch: Hashable, Sendable {
    /// Priorities that match (any, if empty).
    public var priorities: Set<TicketPriority>
    /// Categories that match (any, if empty).
    public var categories: Set<String>
    /// Sites that match (any, if empty).
    public var sites: Set<String>
    /// Groups/teams that match (any, if empty).
    public var groups: Set<String>
    /// Tags that must all be on the ticket.
    public var tags: Set<String>

    /// Creates a match; with no arguments, a catch-all.
    public init(
        priorities: Set<TicketPriority> = [], categories: Set<String> = [], sites: Set<String> = [],
        groups: Set<String> = [], tags: Set<String> = []
    ) {
        self.priorities = priorities
        self.categories = categories
        self.sites = sites
        self.groups = groups
        self.tags = tags
    }

    /// Whether this matches every ticket.
    public var isCatchAll: Bool {
        priorities.isEmpty && categories.isEmpty && sites.isEmpty && groups.isEmpty && tags.isEmpty
    }

    /// Whether `ticket`, as it stands, matches.
    public func matches(_ ticket: Ticket) -> Bool {
        func has(_ set: Set<String>, _ field: FieldKey) -> Bool {
            set.isEmpty || (ticket.fields[field]?.text).map(set.contains) == true
        }
        return (priorities.isEmpty || priorities.contains(ticket.priority)) && has(categories, .category)
            && has(sites, .site) && has(groups, .group) && tags.isSubset(of: ticket.tags)
    }
}

/// The targets of a policy, in business milliseconds; nil means the metric is not measured.
public struct SLATargets: Hashable, Sendable {
    /// Creation to the first public comment by an agent.
    public var firstResponse: UInt64?
    /// A requester's public comment (after the first response) to the next public comment by an
    /// agent; each such comment opens a new cycle.
    public var nextResponse: UInt64?
    /// A reminder, not a breach: the longest an open ticket may go without a public comment by an
    /// agent (a periodic customer update). Fires ``SLADeadline/Kind/updateReminder``.
    public var periodicUpdate: UInt64?
    /// Creation to status `solved` (or `closed`).
    public var resolution: UInt64?

    /// Creates targets.
    public init(firstResponse: UInt64? = nil, nextResponse: UInt64? = nil, periodicUpdate: UInt64? = nil, resolution: UInt64? = nil) {
        self.firstResponse = firstResponse
        self.nextResponse = nextResponse
        self.periodicUpdate = periodicUpdate
        self.resolution = resolution
    }

    /// The target of a metric.
    public func target(_ metric: SLAMetric) -> UInt64? {
        switch metric {
        case .firstResponse: return firstResponse
        case .nextResponse: return nextResponse
        case .resolution: return resolution
        default: return nil
        }
    }
}

/// One tier of an escalation matrix.
///
/// A ticket starts at tier 1. When the ticket has gone unresolved for a tier's ``limitMillis``
/// (business time since creation, paused time excluded, like the resolution clock) it moves to
/// the next tier: reassigned to that tier's ``group``, that tier's ``notify`` endpoints told. The
/// last tier's limit moves the ticket nowhere; give the resolution target to alert on it.
public struct EscalationTier: Hashable, Sendable {
    /// The tier's number: 1, 2, 3, …
    public var tier: Int
    /// How long a ticket may stay unresolved (from creation, business time) before it leaves this tier.
    public var limitMillis: UInt64
    /// The group/team that owns tickets at this tier.
    public var group: String
    /// Names of the webhook endpoints (defined in the server's configuration) told of
    /// escalations to this tier and of warnings and breaches while a ticket is at it.
    public var notify: [String]

    /// Creates a tier.
    public init(tier: Int, limitMillis: UInt64, group: String, notify: [String] = []) {
        self.tier = tier
        self.limitMillis = limitMillis
        self.group = group
        self.notify = notify
    }
}
