/// What one sync round did.
public struct SyncReport: Sendable, Equatable {
    /// Own operations the server acknowledged as durable in this round.
    public var pushed: Int = 0
    /// Own operations the server refused for good (removed here too).
    public var rejected: Int = 0
    /// Operations received and new to this station.
    public var received: Int = 0
    /// Tickets that left this station's scopes.
    public var removedTickets: Int = 0
    /// Whether the server restarted deliveries from the beginning (a snapshot).
    public var snapshot: Bool = false
    /// The server's clock minus this station's, in milliseconds, from the handshake.
    public var clockOffsetMillis: Int64 = 0
    /// The first refusal reasons, for showing to a person.
    public var rejections: [String] = []

    /// An empty report.
    public init() {}
}

/// Progress of a sync round, for progress bars.
public struct SyncProgress: Sendable, Equatable {
    /// Own operations acknowledged so far.
    public var pushed: Int
    /// Own operations waiting when the round started.
    public var toPush: Int
    /// Operations received so far.
    public var received: Int
}
