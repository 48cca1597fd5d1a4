public import TicketModel

/// One log entry as the SLA engine sees it: the operation, who sent it, when the server received
/// it, and the time that counts for the SLA (see `CountedTimeRule`).
public struct SLALogEntry: Sendable, Hashable {
    /// The entry's position in the log.
    public var position: Int64
    /// The operation.
    public var operation: TicketOperation
    /// The station credential that pushed it (empty for the server's own operations).
    public var station: String
    /// When the server received it (milliseconds since the Unix epoch).
    public var receivedMillis: UInt64
    /// The time that counts for the SLA.
    public var countedMillis: UInt64

    /// Creates an entry.
    public init(position: Int64, operation: TicketOperation, station: String, receivedMillis: UInt64, countedMillis: UInt64) {
        self.position = position
        self.operation = operation
        self.station = station
        self.receivedMillis = receivedMillis
        self.countedMillis = countedMillis
    }
}

/// What the SLA engine knows of one ticket inside a store transaction: its history in log order
/// and its current state.
public struct SLATicketContext: Sendable {
    /// The ticket.
    public var ticket: TicketID
    /// Every log entry of the ticket, oldest first.
    public var history: [SLALogEntry]
    /// The ticket's current fields and tier (nil if its create has not arrived).
    public var current: Ticket?
    /// Where the ticket sits (site, team), for scopes.
    public var placement: TicketPlacement

    /// Creates a context.
    public init(ticket: TicketID, history: [SLALogEntry], current: Ticket?, placement: TicketPlacement) {
        self.ticket = ticket
        self.history = history
        self.current = current
        self.placement = placement
    }

    /// The latest receipt time in the history (0 if empty): the instant planning evaluates at.
    public var lastReceivedMillis: UInt64 { history.map(\.receivedMillis).max() ?? 0 }
}
