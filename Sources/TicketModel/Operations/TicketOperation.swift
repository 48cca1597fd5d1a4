/// One immutable change to one ticket, made by one replica.
///
/// Replicas exchange operations; a replica's state is a pure function of the set of operations it
/// has applied, whatever their order or repetition.
public struct TicketOperation: Hashable, Sendable {
    /// The globally unique id.
    public var id: OperationID
    /// The hybrid logical clock reading at which the operation was made.
    public var timestamp: Timestamp
    /// Who made it.
    public var author: Author
    /// The ticket it changes.
    public var ticket: TicketID
    /// What it does.
    public var payload: Payload

    /// Creates an operation.
    public init(id: OperationID, timestamp: Timestamp, author: Author, ticket: TicketID, payload: Payload) {
        self.id = id
        self.timestamp = timestamp
        self.author = author
        self.ticket = ticket
        self.payload = payload
    }

    /// Last-writer-wins order: later timestamp wins; ties go to the higher replica id, then sequence.
    @inlinable
    func wins(over other: Stamp) -> Bool {
        Stamp(timestamp: timestamp, id: id) > other
    }

    /// The stamp used to order this operation's writes.
    public var stamp: Stamp { Stamp(timestamp: timestamp, id: id) }
}

/// The order of writes in last-writer-wins registers: timestamp, then replica id, then sequence.
public struct Stamp: Hashable, Comparable, Sendable {
    /// When the write was made.
    public var timestamp: Timestamp
    /// Which operation made it.
    public var id: OperationID

    /// Creates a stamp.
    public init(timestamp: Timestamp, id: OperationID) {
        self.timestamp = timestamp
        self.id = id
    }

    public static func < (lhs: Stamp, rhs: Stamp) -> Bool {
        (lhs.timestamp.rawValue, lhs.id.replica.rawValue, lhs.id.seq)
            < (rhs.timestamp.rawValue, rhs.id.replica.rawValue, rhs.id.seq)
    }
}
