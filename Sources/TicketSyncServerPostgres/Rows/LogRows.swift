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

    /// One row of the log to write.
    struct NewRow {
        var op: TicketOperation
        var position: Int64
        var station: String
        var receivedMillis: UInt64
        var before: TicketPlacement?
        var after: TicketPlacement
    }

    /// Rows per INSERT statement (12 parameters each; PostgreSQL takes at most 65,535).
    static let rowsPerInsert = 1_000

    /// Writes `rows` (the caller holds the `log_head` lock and moves it afterwards), a thousand
    /// per statement: one round trip instead of one per operation.
    static func insert(_ rows: [NewRow], _ connection: PostgresConnection, _ logger: Logger) async throws {
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + rowsPerInsert)]
            start += chunk.count
            var bindings = PostgresBindings(capacity: chunk.count * 12)
            var sql = """
                INSERT INTO operations (position, replica, seq, ticket, body, station, received_ms,
                    has_before, site_before, team_before, site_after, team_after) VALUES
                """
            sql.reserveCapacity(sql.utf8.count + chunk.count * 80)
            for (index, row) in chunk.enumerated() {
                let base = index * 12
                sql += index == 0 ? " (" : ", ("
                sql += (1...12).map { "$\(base + $0)" }.joined(separator: ", ")
                sql += ")"
                let (raw, seq) = key(row.op.id)
                bindings.append(row.position)
                bindings.append(raw)
                bindings.append(seq)
                bindings.append(ByteBuffer(bytes: row.op.ticket.bytes))
                bindings.append(ByteBuffer(bytes: OperationCodec.encode(sortedByID: [row.op])))
                bindings.append(row.station)
                bindings.append(Int64(bitPattern: row.receivedMillis))
                bindings.append(row.before != nil)
                bindings.append(row.before?.site)
                bindings.append(row.before?.team)
                bindings.append(row.after.site)
                bindings.append(row.after.team)
            }
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        }
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
