/// What a KPI report covers: tickets created in a time range, grouped by one dimension.
public struct KPIQuery: Hashable, Sendable {
    /// Tickets created at or after this instant (milliseconds since the Unix epoch).
    public var fromMillis: UInt64
    /// … and before this one.
    public var toMillis: UInt64
    /// How to group them.
    public var groupBy: KPIGrouping
    /// Two escalated tickets with the same order, requester or category created at most this far
    /// apart make the later one a recurring escalation (default 7 days).
    public var recurrenceWindowMillis: UInt64
    /// The instant "at risk now" and "breached now" are judged at.
    public var nowMillis: UInt64

    /// Tickets created in the `days` days up to `now` (the dashboard's and the metrics' window).
    public static func recent(days: UInt64 = 30, groupBy: KPIGrouping = .none, now: UInt64) -> KPIQuery {
        let span = days * 86_400_000
        return KPIQuery(fromMillis: now > span ? now - span : 0, toMillis: now + 1, groupBy: groupBy, nowMillis: now)
    }

    /// The default recurrence window: 7 days.
    public static let defaultRecurrenceWindowMillis: UInt64 = 7 * 86_400_000

    /// Creates a query.
    public init(
        fromMillis: UInt64, toMillis: UInt64, groupBy: KPIGrouping = .none,
        recurrenceWindowMillis: UInt64 = Self.defaultRecurrenceWindowMillis, nowMillis: UInt64
    ) {
        self.fromMillis = fromMillis
        self.toMillis = toMillis
        self.groupBy = groupBy
        self.recurrenceWindowMillis = recurrenceWindowMillis
        self.nowMillis = nowMillis
    }
}

/// A dimension to group KPIs by.
public struct KPIGrouping: Hashable, Sendable, CustomStringConvertible {
    /// The name used on command lines and in the API.
    public let rawValue: String
    private init(_ rawValue: String) { self.rawValue = rawValue }

    /// One group with every ticket.
    public static let none = KPIGrouping("none")
    /// By SLA policy.
    public static let policy = KPIGrouping("policy")
    /// By current escalation tier.
    public static let tier = KPIGrouping("tier")
    /// By site.
    public static let site = KPIGrouping("site")
    /// By category.
    public static let category = KPIGrouping("category")
    /// By team (the `group` field).
    public static let team = KPIGrouping("team")
    /// By assignee.
    public static let assignee = KPIGrouping("assignee")
    /// Every grouping.
    public static let all: [KPIGrouping] = [.none, .policy, .tier, .site, .category, .team, .assignee]

    /// The grouping with this name, or nil.
    public init?(named name: some StringProtocol) {
        guard let grouping = Self.all.first(where: { $0.rawValue == name }) else { return nil }
        self = grouping
    }

    /// The group a ticket falls in ("(none)" for an empty value).
    public func key(of facts: TicketFacts) -> String {
        let value: String
        switch rawValue {
        case "policy": value = facts.policy
        case "tier": value = String(facts.tier)
        case "site": value = facts.site
        case "category": value = facts.category
        case "team": value = facts.team
        case "assignee": value = facts.assignee
        default: return "all"
        }
        return value.isEmpty ? "(none)" : value
    }

    public var description: String { rawValue }
}
