/// KPIs over a time range, per group and in total (see ``KPIReport/compute(_:query:provisional:)``).
///
/// Every rate is a share in 0…1, nil when its denominator is 0. Durations are wall-clock
/// milliseconds. The definitions are in `docs/reports.md`.
public struct KPIReport: Hashable, Sendable, Codable {
    /// When the report was computed (the query's `now`).
    public var generatedAtMillis: UInt64
    /// The range's start (tickets created at or after it).
    public var fromMillis: UInt64
    /// The range's end (tickets created before it).
    public var toMillis: UInt64
    /// The grouping's name.
    public var groupBy: String
    /// True when a station computed it from its own replica (the server's report is authoritative).
    public var provisional: Bool
    /// One entry per group, largest first (ties by key).
    public var groups: [KPIGroup]
    /// Every ticket of the range together.
    public var total: KPIGroup
}

/// The KPIs of one group of tickets.
public struct KPIGroup: Hashable, Sendable, Codable {
    /// The group's key ("all" for the total).
    public var key: String
    /// Tickets created in the range.
    public var tickets: Int
    /// Tickets solved or closed now.
    public var resolved: Int
    /// SLA compliance per metric.
    public var compliance: [MetricCompliance]
    /// Clocks breached (declared, or due and not met by now), over every metric.
    public var breaches: Int
    /// Tickets with an open clock past its warning threshold now.
    public var atRisk: Int
    /// Tickets escalated beyond tier 1, and their share of all tickets.
    public var escalated: RateCount
    /// Escalations by the tier they reached.
    public var escalationsByTier: [TierCount]
    /// Time from creation to the first public agent response.
    public var firstResponse: DurationStats
    /// Time from creation to the first resolution.
    public var resolution: DurationStats
    /// Tickets solved at tier 1 and never reopened, among the resolved ones.
    public var firstContactResolution: RateCount
    /// Tickets reopened at least once, among those ever resolved.
    public var reopened: RateCount
    /// Escalated tickets that repeat an earlier escalation's order, requester or category within the window.
    public var recurringEscalations: RecurringEscalations
    /// Customer satisfaction.
    public var csat: CSATStats
    /// Root causes recorded at resolution, most frequent first (at most 10).
    public var rootCauses: [NamedCount]
    /// Business time the resolution clocks spent paused, in total.
    public var pausedMillis: UInt64
}

/// How one SLA metric did.
public struct MetricCompliance: Hashable, Sendable, Codable {
    /// The metric.
    public var metric: String
    /// Clocks met in time.
    public var met: Int
    /// Clocks breached.
    public var breached: Int
    /// Clocks declared breached, then met by work done offline before the deadline.
    public var metReportedLate: Int
    /// Clocks still running or paused.
    public var open: Int
    /// (met + met reported late) / (met + met reported late + breached).
    public var rate: Double?
}

/// A count out of a total, with its rate.
public struct RateCount: Hashable, Sendable, Codable {
    /// The count.
    public var count: Int
    /// Out of.
    public var of: Int
    /// count / of, nil when `of` is 0.
    public var rate: Double?

    /// Creates a rate.
    public init(count: Int, of: Int) {
        self.count = count
        self.of = of
        self.rate = of == 0 ? nil : Double(count) / Double(of)
    }
}

/// Escalations that reached one tier.
public struct TierCount: Hashable, Sendable, Codable {
    /// The tier.
    public var tier: Int
    /// How many.
    public var count: Int

    /// Creates a count.
    public init(tier: Int, count: Int) {
        self.tier = tier
        self.count = count
    }
}

/// A name and how often it occurs.
public struct NamedCount: Hashable, Sendable, Codable {
    /// The name.
    public var name: String
    /// How often.
    public var count: Int

    /// Creates a count.
    public init(name: String, count: Int) {
        self.name = name
        self.count = count
    }
}

/// Order statistics of durations: nearest-rank percentiles (the value at rank ⌈q·n⌉).
public struct DurationStats: Hashable, Sendable, Codable {
    /// The upper bounds of the histogram's buckets (the last bucket has none).
    public static let bucketBoundsMillis: [UInt64] = [1, 2, 4, 8, 24, 48, 168].map { $0 * 3_600_000 }

    /// How many durations.
    public var count: Int
    /// The median.
    public var medianMillis: UInt64?
    /// The 90th percentile.
    public var p90Millis: UInt64?
    /// Counts per bucket of ``bucketBoundsMillis`` (a duration d falls in the first bucket with d < bound), plus one for the rest.
    public var histogram: [Int]

    /// The statistics of `durations`.
    public init(_ durations: [UInt64]) {
        let sorted = durations.sorted()
        count = sorted.count
        medianMillis = Self.rank(0.5, sorted)
        p90Millis = Self.rank(0.9, sorted)
        var buckets = [Int](repeating: 0, count: Self.bucketBoundsMillis.count + 1)
        for duration in sorted {
            buckets[Self.bucketBoundsMillis.firstIndex { duration < $0 } ?? Self.bucketBoundsMillis.count] += 1
        }
        histogram = buckets
    }

    /// The nearest-rank `q` quantile of ascending `sorted`, nil if empty.
    public static func rank(_ q: Double, _ sorted: [UInt64]) -> UInt64? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// Customer satisfaction scores (1 to 5).
public struct CSATStats: Hashable, Sendable, Codable {
    /// Scores given.
    public var responses: Int
    /// Their mean.
    public var average: Double?
    /// Scores of 4 or 5, among those given.
    public var satisfied: RateCount
}

/// Recurring escalations, by what they repeat.
public struct RecurringEscalations: Hashable, Sendable, Codable {
    /// Escalated tickets that repeat an earlier one by any of the three.
    public var tickets: Int
    /// … by the same order reference.
    public var byOrder: Int
    /// … by the same requester.
    public var byRequester: Int
    /// … by the same category.
    public var byCategory: Int
    /// The keys that recur most ("order:…", "requester:…", "category:…"), with the number of escalated tickets (at most 10).
    public var top: [NamedCount]
}
