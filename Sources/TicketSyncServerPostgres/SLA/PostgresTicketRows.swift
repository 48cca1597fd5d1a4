internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import TicketModel
internal import TicketSyncServer

/// Reads and writes one ticket's row of the `tickets` table (placement and detail-free state).
enum PostgresTicketRows {
    static func load(_ ticket: TicketID, _ connection: PostgresConnection, _ logger: Logger) async throws -> TicketState? {
        let id = ByteBuffer(bytes: ticket.bytes)
        let rows = try await connection.query("SELECT state FROM tickets WHERE id = \(id)", logger: logger)
        for try await state in rows.decode(ByteBuffer.self) {
            do {
                return try TicketState(encodedRecord: Array(state.readableBytesView))
            } catch {
                throw ServerError(.storage, "the stored state of ticket \(ticket) is damaged (\(error.message)); restore the store from a backup")
            }
        }
        return nil
    }

    /// Saves `states`, a thousand rows per statement.
    static func save(_ states: [TicketState], _ connection: PostgresConnection, _ logger: Logger) async throws {
        var start = 0
        while start < states.count {
            let chunk = states[start..<min(states.count, start + 1_000)]
            start += chunk.count
            var bindings = PostgresBindings(capacity: chunk.count * 4)
            var sql = "INSERT INTO tickets (id, site, team, state) VALUES"
            for (index, state) in chunk.enumerated() {
                let base = index * 4
                sql += (index == 0 ? " " : ", ") + "($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4))"
                let placement = state.placement
                bindings.append(ByteBuffer(bytes: state.id.bytes))
                bindings.append(placement.site)
                bindings.append(placement.team)
                bindings.append(ByteBuffer(bytes: state.encodedRecord()))
            }
            sql += " ON CONFLICT (id) DO UPDATE SET site = excluded.site, team = excluded.team, state = excluded.state"
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        }
    }
}
