internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import TicketModel
internal import TicketSyncServer

/// Reads and writes rows of the `tickets` table (placement and detail-free state).
enum PostgresTicketRows {
    /// The stored state of `ticket`, if the store holds it.
    static func load(_ ticket: TicketID, _ connection: PostgresConnection, _ logger: Logger) async throws -> TicketState? {
        try await load([ticket], connection, logger)[ticket]
    }

    /// The stored states of those of `tickets` the store holds, in one query.
    static func load(_ tickets: some Collection<TicketID>, _ connection: PostgresConnection, _ logger: Logger) async throws -> [TicketID: TicketState] {
        guard !tickets.isEmpty else { return [:] }
        let ids = tickets.map { ByteBuffer(bytes: $0.bytes) }
        let rows = try await connection.query("SELECT id, state FROM tickets WHERE id = ANY(\(ids))", logger: logger)
        var states: [TicketID: TicketState] = [:]
        for try await (id, state) in rows.decode((ByteBuffer, ByteBuffer).self) {
            guard let ticket = TicketID(bytes: id.readableBytesView) else {
                throw ServerError(.storage, "a stored ticket id is damaged (\(id.readableBytes) bytes); restore the store from a backup")
            }
            do {
                states[ticket] = try TicketState(encodedRecord: Array(state.readableBytesView))
            } catch {
                throw ServerError(.storage, "the stored state of ticket \(ticket) is damaged (\(error.message)); restore the store from a backup")
            }
        }
        return states
    }

    /// Saves `states` in one statement of `unnest`ed arrays (its text never changes, so it is
    /// parsed once per connection).
    static func save(_ states: [TicketState], _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard !states.isEmpty else { return }
        var ids: [ByteBuffer] = [], records: [ByteBuffer] = []
        var sites = LogRows.OptionalText(), teams = LogRows.OptionalText()
        for state in states {
            let placement = state.placement
            ids.append(ByteBuffer(bytes: state.id.bytes))
            sites.append(placement.site)
            teams.append(placement.team)
            records.append(ByteBuffer(bytes: state.encodedRecord()))
        }
        try await connection.query(
            """
            INSERT INTO tickets (id, site, team, state)
            SELECT i, CASE WHEN ss THEN s END, CASE WHEN ts THEN t END, r
            FROM unnest(\(ids)::bytea[], \(sites.values)::text[], \(sites.set)::boolean[], \(teams.values)::text[],
                \(teams.set)::boolean[], \(records)::bytea[]) AS u(i, s, ss, t, ts, r)
            ON CONFLICT (id) DO UPDATE SET site = excluded.site, team = excluded.team, state = excluded.state
            """,
            logger: logger
        )
    }
}
