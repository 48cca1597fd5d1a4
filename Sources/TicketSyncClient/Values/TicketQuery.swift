public import TicketModel

/// Filters, order and limit for listing tickets. Every filter that is set must match.
public struct TicketQuery: Hashable, Sendable {
    /// How to order the list.
    public enum Order: String, Sendable, CaseIterable {
        /// Most recently changed first (the default).
        case updated
        /// Newest first.
        case created
        /// Most urgent first, then most recently changed.
        case priority
        /// By status (open, pending, on hold, solved, closed), then most recently changed.
        case status
        /// Highest escalation tier first.
        case tier
    }

    /// Only tickets with one of these statuses (any, if empty).
    public var statuses: [TicketStatus] = []
    /// Only tickets with one of these priorities (any, if empty).
    public var priorities: [TicketPriority] = []
    /// Only this category.
    public var category: String?
    /// Only this site.
    public var site: String?
    /// Only this assignee; the empty string means unassigned.
    public var assignee: String?
    /// Only this group/team.
    public var group: String?
    /// Only tickets carrying every one of these tags.
    public var tags: [String] = []
    /// Only tickets whose title, description, order reference or requester contains this text
    /// (case-insensitive for ASCII).
    public var text: String?
    /// The order.
    public var order: Order = .updated
    /// At most this many tickets (nil: all).
    public var limit: Int? = 50

    /// A query with no filters, most recently changed first, at most 50 tickets.
    public init() {}
}

/// A ticket's row in a list: the fields a list shows, read from the store's index.
public struct TicketSummary: Hashable, Sendable, Identifiable {
    /// The ticket's id.
    public var id: TicketID
    /// Title.
    public var title: String
    /// Status.
    public var status: TicketStatus
    /// Priority.
    public var priority: TicketPriority
    /// Category, if set.
    public var category: String?
    /// Site, if set.
    public var site: String?
    /// Assignee, if set (nil when unassigned).
    public var assignee: String?
    /// Group/team, if set.
    public var group: String?
    /// Tags, sorted.
    public var tags: [String]
    /// Escalation tier.
    public var tier: Int
    /// When it was created (milliseconds since the Unix epoch, station clock).
    public var createdMillis: UInt64
    /// When it last changed (milliseconds since the Unix epoch).
    public var updatedMillis: UInt64
}

/// A change to a ticket, as delivered by ``Station/changes()``.
public struct TicketChange: Hashable, Sendable {
    /// What happened.
    public enum Kind: String, Hashable, Sendable {
        /// The ticket appeared (created here, or arrived from elsewhere).
        case created
        /// The ticket changed.
        case changed
    }

    /// Where the change came from.
    public enum Origin: String, Hashable, Sendable {
        /// A user action at this station.
        case local
        /// Operations received from a server.
        case remote
    }

    /// The ticket.
    public var ticket: TicketID
    /// Created or changed.
    public var kind: Kind
    /// Local or remote.
    public var origin: Origin
    /// The operations that made the change, in the order applied.
    public var operations: [TicketOperation]
    /// The ticket's current field values after the change.
    public var fields: [FieldKey: FieldValue]
}
