internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import TicketModel
internal import TicketSyncServer

/// Reads the `operations` table, the server's log.
enum LogRows {
    typealias EntryRow = (Int64, ByteBuffer, Bool, String?, String?, String?, String?)

    /// Entries after `position`, oldest first.
    static func entries(after position: Int64, limit: Int, _ connection: PostgresConnection, _ logger: Logger) async throws -> [LogEntry] {
        let limit = Int64(limit)
        let rows = try await connection.query(
            """
            SELECT position, body, has_before, site_before, team_before, site_after, team_after
            FROM operations WHERE position > \(position) ORDER BY position LIMIT \(limit)
            """,
            logger: logger
        )
        var entries: [LogEntry] = []
        for try await (position, body, hasBefore, siteBefore, teamBefore, siteAfter, teamAfter) in rows.decode(EntryRow.self) {
            entries.append(
                LogEntry(
                    cursor: LogCursor.text(position), operation: try decode(body, at: position),
                    before: hasBefore ? TicketPlacement(site: siteBefore, team: teamBefore) : nil,
                    after: TicketPlacement(site: siteAfter, team: teamAfter)
                )
            )
        }
        return entries
    }

    /// The highest position ever given (0 for an empty log).
    static func lastPosition(_ connection: PostgresConnection, _ logger: Logger) async throws -> Int64 {
        let rows = try await connection.query("SELECT last_position FROM log_head WHERE id = 1", logger: logger)
        var last: Int64 = 0
        for try await value in rows.decode(Int64.self) { last = value }
        return last
    }

    /// The operation with this id, if the log holds it (committed, or written by this transaction).
    static func find(_ id: OperationID, _ connection: PostgresConnection, _ logger: Logger) async throws -> TicketOperation? {
        let (replica, seq) = key(id)
        let rows = try await connection.query(
            "SELECT position, body FROM operations WHERE replica = \(replica) AND seq = \(seq)", logger: logger
        )
        var found: TicketOperation?
        for try await (position, body) in rows.decode((Int64, ByteBuffer).self) { found = try decode(body, at: position) }
        return found
    }

    /// Writes `op` at `position` (the caller holds the `log_head` lock and moves it afterwards).
    static func insert(
        _ op: TicketOperation, at position: Int64, station: String, receivedMillis: UInt64, before: TicketPlacement?, after: TicketPlacement,
        _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let (raw, seq) = key(op.id)
        let ticket = ByteBuffer(bytes: op.ticket.bytes)
        let body = ByteBuffer(bytes: OperationCodec.encode(sortedByID: [op]))
        let received = Int64(bitPattern: receivedMillis)
        let hasBefore = before != nil
        try await connection.query(
            """
            INSERT INTO operations (position, replica, seq, ticket, body, station, received_ms,
                has_before, site_before, team_before, site_after, team_after)
            VALUES (\(position), \(raw), \(seq), \(ticket), \(body), \(station), \(received),
                \(hasBefore), \(before?.site), \(before?.team), \(after.site), \(after.team))
            """,
            logger: logger
        )
    }

    static func decode(_ body: ByteBuffer, at position: Int64) throws -> TicketOperation {
        let ops: [TicketOperation]
        do {
            ops = try OperationCodec.decode(body.readableBytesView, maxOperations: 1)
        } catch {
            throw ServerError(.storage, "the log entry at position \(position) is damaged (\(error.message)); restore the store from a backup")
        }
        guard ops.count == 1 else {
            throw ServerError(.storage, "the log entry at position \(position) holds \(ops.count) operations instead of one; restore the store from a backup")
        }
        return ops[0]
    }

    static func key(_ id: OperationID) -> (Int64, Int64) {
        (Int64(bitPattern: id.replica.rawValue), Int64(bitPattern: id.seq))
    }
}
