/// What a replica accepts from operations made elsewhere.
public struct ApplyRules: Hashable, Sendable {
    /// Whether operations authored by a server (SLA state, escalations) are accepted.
    ///
    /// A station accepts them (they reach it through its authenticated server); a server receiving
    /// a station's push does not, so a station can never write server-owned fields.
    public var acceptsServerAuthored: Bool
    /// Whether an operation on a ticket whose create has not been applied is refused.
    ///
    /// Off, such operations are kept and take effect when the create arrives, so any delivery
    /// order converges. On (a server validating a station's push), they are refused with
    /// ``TicketModelError/Code/ticketNotFound``.
    public var requiresKnownTicket: Bool
    /// Size limits.
    public var limits: ModelLimits

    /// Creates rules.
    public init(acceptsServerAuthored: Bool, requiresKnownTicket: Bool = false, limits: ModelLimits = ModelLimits()) {
        self.acceptsServerAuthored = acceptsServerAuthored
        self.requiresKnownTicket = requiresKnownTicket
        self.limits = limits
    }

    /// A station applying what its server sends, or replicas merging with each other.
    public static let peer = ApplyRules(acceptsServerAuthored: true)
    /// A server validating a station's push.
    public static let stationPush = ApplyRules(acceptsServerAuthored: false, requiresKnownTicket: true)
}

/// The result of applying one operation.
public enum ApplyOutcome: Hashable, Sendable {
    /// The operation was new and is now part of the state.
    case applied
    /// The operation had been applied before; nothing changed.
    case duplicate
}
