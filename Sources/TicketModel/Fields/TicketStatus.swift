/// Where a ticket stands. `pending` (waiting on the customer) and `on_hold` (waiting on a third
/// party such as a carrier) pause SLA clocks by default; `solved` stops the resolution clock.
public enum TicketStatus: String, CaseIterable, Sendable, Comparable {
    /// Being worked.
    case open
    /// Waiting on the requester.
    case pending
    /// Waiting on a third party (carrier, supplier).
    case onHold = "on_hold"
    /// Resolved; may be reopened.
    case solved
    /// Finished for good (reopening is still possible, but rare).
    case closed

    public static func < (lhs: TicketStatus, rhs: TicketStatus) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How urgent a ticket is.
public enum TicketPriority: String, CaseIterable, Sendable, Comparable {
    /// Can wait.
    case low
    /// The default.
    case normal
    /// Ahead of normal work.
    case high
    /// Drop everything.
    case urgent

    public static func < (lhs: TicketPriority, rhs: TicketPriority) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
