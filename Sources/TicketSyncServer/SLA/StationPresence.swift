public import TicketModel
internal import Synchronization

/// Who could answer a ticket, and whether they are connected: the SLA engine's view of the
/// stations, for "at risk (station offline)".
///
/// A ticket's responders are the credentials (not revoked) whose scopes contain it. When every
/// responder is offline — no live session on this node — a clock that reaches its warning or
/// target is marked `station_offline` rather than guessed at: the work may be done and simply
/// not synced yet. The engine refreshes the credential list each round; sessions come from the
/// ``SessionRegistry``. (Several nodes: a session on another node is not seen here; that needs
/// a shared presence table, see docs/timers.md.)
public final class StationPresence: Sendable {
    private let stations = Mutex<[StationRecord]>([])
    private let live: @Sendable () -> Set<String>

    /// Creates a presence that asks `live` for the stations connected now.
    public init(live: @escaping @Sendable () -> Set<String>) {
        self.live = live
    }

    /// Replaces the known credentials.
    public func update(_ records: [StationRecord]) {
        stations.withLock { $0 = records.filter { !$0.revoked } }
    }

    /// The responders of a ticket and which of them are connected.
    public func responders(of ticket: TicketID, at placement: TicketPlacement) -> (all: [String], online: [String]) {
        let all = stations.withLock { $0.filter { $0.scopes.contains(ticket, at: placement) }.map(\.name) }.sorted()
        let connected = live()
        return (all, all.filter { connected.contains($0) })
    }

    /// Whether the ticket has responders and none is connected.
    public func respondersOffline(_ ticket: TicketID, at placement: TicketPlacement) -> Bool {
        let responders = responders(of: ticket, at: placement)
        return !responders.all.isEmpty && responders.online.isEmpty
    }
}
