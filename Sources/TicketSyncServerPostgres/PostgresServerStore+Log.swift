public import TicketModel
public import TicketSyncServer
internal import NIOCore
internal import PostgresNIO

/// Pulls: reading the log by cursor, one ticket's history, and the state digest.
///
/// A cursor is a log position in decimal, exactly as in the SQLite store. Positions are given by
/// the single writer that holds the `log_head` lock and become visible in order, so "everything
/// after N" never skips a row that commits late (docs/cursor.md). Nothing deletes log rows yet,
/// so every cursor this store issued stays known.
extension PostgresServerStore {
    /// Log entries after `cursor` (nil: from the start), oldest first, at most `limit`.
    /// Throws `invalidArgument` for a cursor that is not a position.
    public func read(after cursor: String?, limit: Int) async throws(ServerError) -> [LogEntry] {
        let position = try cursor.map { text throws(ServerError) in try LogCursor.require(text) } ?? 0
        guard limit > 0 else { return [] }
        let logger = self.logger
        return try await reading("reading the log after position \(position)") { connection in
            try await LogRows.entries(after: position, limit: limit, connection, logger)
        }
    }

    /// The positions after `cursor` up to `limit` further (or the head, if nearer), with only
    /// the rows whose ticket sat in `scopes` before or after: PostgreSQL filters, so a station
    /// catching up on its site reads its site's rows, not the whole log. Positions are dense
    /// (one writer gives them one by one), so the stretch covers `limit` entries exactly as a
    /// plain read would. With an `all` scope this is the plain read.
    public func read(after cursor: String?, limit: Int, concerning scopes: [Scope]) async throws(ServerError) -> LogWindow {
        let filter = scopes.scopeFilter
        if filter.all { return LogWindow(reading: try await read(after: cursor, limit: limit), limit: limit, concerning: scopes) }
        let position = try cursor.map { text throws(ServerError) in try LogCursor.require(text) } ?? 0
        guard limit > 0 else { return LogWindow(entries: [], end: nil, reachedEnd: false, covered: 0) }
        let logger = self.logger
        return try await reading("reading the log after position \(position) for scopes") { connection in
            // The head first: every row up to it has committed (it moves in the same transaction).
            let head = try await LogRows.lastPosition(connection, logger)
            let end = min(head, position + Int64(limit))
            guard end > position else { return LogWindow(entries: [], end: nil, reachedEnd: true, covered: 0) }
            let entries = try await LogRows.entries(after: position, through: end, concerning: filter, connection, logger)
            return LogWindow(entries: entries, end: LogCursor.text(end), reachedEnd: end == head, covered: Int(end - position))
        }
    }

    /// True: ``read(after:limit:concerning:)`` filters in PostgreSQL.
    public var filtersByScope: Bool { true }

    /// Whether the store holds the whole log after `cursor`: true for `"0"` and every position
    /// given so far; false beyond it (another server's cursor) and for text that is not a cursor.
    public func knows(cursor: String) async throws(ServerError) -> Bool {
        guard let position = LogCursor.position(cursor) else { return false }
        if position == 0 { return true }
        return try await position <= lastPosition()
    }

    /// The highest position given so far (0: an empty log).
    public func lastPosition() async throws(ServerError) -> Int64 {
        let logger = self.logger
        return try await reading("reading the log's last position") { connection in try await LogRows.lastPosition(connection, logger) }
    }

    /// Every operation on `ticket` up to and including the entry at `cursor`, in log order.
    public func operations(of ticket: TicketID, through cursor: String) async throws(ServerError) -> [TicketOperation] {
        let position = try LogCursor.require(cursor)
        let logger = self.logger
        let id = ByteBuffer(bytes: ticket.bytes)
        return try await reading("reading the history of ticket \(ticket)") { connection in
            let rows = try await connection.query(
                "SELECT position, body FROM operations WHERE ticket = \(id) AND position <= \(position) ORDER BY position", logger: logger
            )
            var operations: [TicketOperation] = []
            for try await (position, body) in rows.decode((Int64, ByteBuffer).self) {
                operations.append(try LogRows.decode(body, at: position))
            }
            return operations
        }
    }

    /// The state digest of everything in the log: every operation replayed, in log order, into an
    /// in-memory replica (the SQLite store's computation, so equal logs give equal digests).
    public func digest() async throws(ServerError) -> StateDigest {
        let id = try await serverReplica()
        let logger = self.logger
        return try await reading("computing the state digest") { connection in
            // One statement, so one snapshot of the log.
            let rows = try await connection.query("SELECT position, body FROM operations ORDER BY position", logger: logger)
            var operations: [TicketOperation] = []
            for try await (position, body) in rows.decode((Int64, ByteBuffer).self) {
                operations.append(try LogRows.decode(body, at: position))
            }
            return TicketReplica.replaying(operations, as: id).digest()
        }
    }

    /// Tickets after `after` by id, from the `tickets` table.
    public func tickets(after: TicketID?, limit: Int) async throws(ServerError) -> [Ticket] {
        let logger = self.logger
        let start = ByteBuffer(bytes: after?.bytes ?? [])
        let count = Int64(max(1, limit))
        return try await reading("listing tickets") { connection in
            let rows = try await connection.query(
                "SELECT id, state FROM tickets WHERE id > \(start) ORDER BY id LIMIT \(count)", logger: logger
            )
            var states: [Ticket] = []
            for try await (id, state) in rows.decode((ByteBuffer, ByteBuffer).self) {
                guard let ticket = TicketID(bytes: id.readableBytesView) else {
                    throw ServerError(.storage, "a stored ticket id is damaged (\(id.readableBytes) bytes); restore the store from a backup")
                }
                do throws(TicketModelError) {
                    states.append(try TicketState(encodedRecord: Array(state.readableBytesView)).view)
                } catch {
                    throw ServerError(.storage, "the stored state of ticket \(ticket) is damaged (\(error.message)); restore the store from a backup")
                }
            }
            return states
        }
    }
}
