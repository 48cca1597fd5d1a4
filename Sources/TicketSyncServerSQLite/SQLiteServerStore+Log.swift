public import TicketModel
public import TicketSyncServer
internal import GRDB
internal import Foundation

/// Pulls: reading the log by cursor, one ticket's history, and the state digest.
///
/// A cursor is a log position in decimal (`"42"`); `"0"` is before the first entry. Positions
/// only grow and are never reused (AUTOINCREMENT), and nothing deletes log rows yet, so every
/// cursor this store ever issued stays known. When a retention policy trims the log, `knows`
/// must answer false for cursors before the oldest kept entry, so those stations get a snapshot.
extension SQLiteServerStore {
    /// Log entries after `cursor` (nil: from the start), oldest first, at most `limit`.
    /// Throws `invalidArgument` for a cursor that is not a position.
    public func read(after cursor: String?, limit: Int) async throws(ServerError) -> [LogEntry] {
        let position = try cursor.map { text throws(ServerError) in try LogCursor.require(text) } ?? 0
        guard limit > 0 else { return [] }
        return try await reading("reading the log after position \(position)") { db in
            try LogRows.entries(after: position, limit: limit, db)
        }
    }

    /// Whether the store holds the whole log after `cursor`: true for `"0"` and for every position
    /// up to the last one given; false for a position beyond it (another server's cursor) and for
    /// text that is not a cursor.
    public func knows(cursor: String) async throws(ServerError) -> Bool {
        guard let position = LogCursor.position(cursor) else { return false }
        if position == 0 { return true }
        return try await reading("checking a cursor") { db in try position <= LogRows.lastPosition(db) }
    }

    /// Every operation on `ticket` up to and including the entry at `cursor`, in log order.
    public func operations(of ticket: TicketID, through cursor: String) async throws(ServerError) -> [TicketOperation] {
        let position = try LogCursor.require(cursor)
        return try await reading("reading the history of ticket \(ticket)") { db in
            try LogRows.operations(of: ticket, through: position, db)
        }
    }

    /// The state digest of everything in the log: every operation replayed, in log order, into an
    /// in-memory replica. Linear in the log; a digest kept up to date per ticket can replace it
    /// when the log grows large.
    public func digest() async throws(ServerError) -> StateDigest {
        let id = replica
        return try await reading("computing the state digest") { db in
            var operations: [TicketOperation] = []
            try LogRows.forEach(db) { operations.append($0) }
            return TicketReplica.replaying(operations, as: id).digest()
        }
    }

    /// Tickets after `after` by id, from the `tickets` table.
    public func tickets(after: TicketID?, limit: Int) async throws(ServerError) -> [Ticket] {
        try await reading("listing tickets") { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, state FROM tickets WHERE id > ? ORDER BY id LIMIT ?"),
                arguments: [after.map { Data($0.bytes) } ?? Data(), max(1, limit)]
            )
            return try rows.compactMap { row in
                let bytes: Data = row["id"]
                guard let id = TicketID(bytes: [UInt8](bytes)) else { return nil }
                return try TicketRows.decode(row["state"], id: id).view
            }
        }
    }
}
