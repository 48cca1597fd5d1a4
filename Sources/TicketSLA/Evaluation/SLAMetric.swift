/// What an SLA clock measures.
public struct SLAMetric: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The metric's stable name, used in `sla.*` fields, JSON and policy files.
    public let rawValue: String
    private let order: Int
    private init(_ rawValue: String, _ order: Int) {
        self.rawValue = rawValue
        self.order = order
    }

    /// Creation to the first public comment by an agent.
    public static let firstResponse = SLAMetric("first_response", 0)
    /// A requester's public comment to the next public comment by an agent (repeating cycles).
    public static let nextResponse = SLAMetric("next_response", 1)
    /// Creation to status `solved`.
    public static let resolution = SLAMetric("resolution", 2)

    /// Every metric, in display order.
    public static let all: [SLAMetric] = [.firstResponse, .nextResponse, .resolution]

    /// The metric with this name, or nil.
    public init?(named name: some StringProtocol) {
        guard let metric = Self.all.first(where: { $0.rawValue == name }) else { return nil }
        self = metric
    }

    public var description: String { rawValue }

    public static func < (lhs: SLAMetric, rhs: SLAMetric) -> Bool { lhs.order < rhs.order }
}

/// Where an SLA clock stands.
public struct SLAClockState: Hashable, Sendable, CustomStringConvertible {
    /// The state's stable name.
    public let rawValue: String
    private init(_ rawValue: String) { self.rawValue = rawValue }

    /// Counting business time toward its target.
    public static let running = SLAClockState("running")
    /// Stopped for now by a pause status (`pending`, `on_hold`, …); resumes when it changes.
    public static let paused = SLAClockState("paused")
    /// Stopped before its due instant.
    public static let met = SLAClockState("met")
    /// Reached its due instant before stopping (it may have stopped since).
    public static let breached = SLAClockState("breached")
    /// The server had declared a breach, then an action counted before the due instant arrived
    /// (offline work): met, reported late. Both times are kept.
    public static let metReportedLate = SLAClockState("met_reported_late")

    /// Every state.
    public static let all: [SLAClockState] = [.running, .paused, .met, .breached, .metReportedLate]

    /// The state with this name, or nil.
    public init?(named name: some StringProtocol) {
        guard let state = Self.all.first(where: { $0.rawValue == name }) else { return nil }
        self = state
    }

    /// Whether the target counts as met (``met`` or ``metReportedLate``).
    public var isMet: Bool { self == .met || self == .metReportedLate }

    public var description: String { rawValue }
}
