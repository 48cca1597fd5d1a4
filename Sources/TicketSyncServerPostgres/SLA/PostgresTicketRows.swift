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

    static func save(_ state: TicketState, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let placement = state.placement
        let key = ByteBuffer(bytes: state.id.bytes)
        let record = ByteBuffer(bytes: state.encodedRecord())
        try await connection.query(
            """
            INSERT INTO tickets (id, site, team, state) VALUES (\(key), \(placement.site), \(placement.team), \(record))
            ON CONFLICT (id) DO UPDATE SET site = excluded.site, team = excluded.team, state = excluded.state
            """,
            logger: logger
        )
    }
}
