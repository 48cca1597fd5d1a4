internal import Foundation
internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import TicketModel
internal import TicketReports
internal import TicketSyncServer

/// `report_facts` on PostgreSQL: one row of ``TicketFacts`` (JSON) per ticket, written by the
/// planner with the ticket's timers.
enum PostgresFactRows {
    static func save(_ facts: TicketFacts, ticket: TicketID, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let id = ByteBuffer(bytes: ticket.bytes)
        let body = ByteBuffer(bytes: try JSONEncoder().encode(facts))
        let created = Int64(bitPattern: facts.createdMillis)
        let (site, team) = (facts.site, facts.team)
        try await connection.query(
            """
            INSERT INTO report_facts (ticket, created_ms, site, team, body) VALUES (\(id), \(created), \(site), \(team), \(body))
            ON CONFLICT (ticket) DO UPDATE SET created_ms = excluded.created_ms, site = excluded.site, team = excluded.team, body = excluded.body
            """,
            logger: logger
        )
    }

    static func load(createdFrom from: UInt64, to: UInt64, _ connection: PostgresConnection, _ logger: Logger) async throws -> [TicketFacts] {
        let (start, end) = (Int64(clamping: from), Int64(clamping: to))
        let rows = try await connection.query(
            "SELECT body FROM report_facts WHERE created_ms >= \(start) AND created_ms < \(end)", logger: logger
        )
        let decoder = JSONDecoder()
        var facts: [TicketFacts] = []
        for try await body in rows.decode(ByteBuffer.self) {
            do {
                facts.append(try decoder.decode(TicketFacts.self, from: Data(body.readableBytesView)))
            } catch {
                throw ServerError(.storage, "a report row is damaged (\(error)); restart ticketsyncd to rebuild it")
            }
        }
        return facts
    }
}
