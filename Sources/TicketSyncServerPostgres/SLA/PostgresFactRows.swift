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
    /// Saves each ticket's facts in one statement of `unnest`ed arrays.
    static func save(_ facts: [TicketID: TicketFacts], _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard !facts.isEmpty else { return }
        let encoder = JSONEncoder()
        var ids: [ByteBuffer] = [], created: [Int64] = [], bodies: [ByteBuffer] = []
        var sites = LogRows.OptionalText(), teams = LogRows.OptionalText()
        for (ticket, fact) in facts {
            ids.append(ByteBuffer(bytes: ticket.bytes))
            created.append(Int64(bitPattern: fact.createdMillis))
            sites.append(fact.site)
            teams.append(fact.team)
            bodies.append(ByteBuffer(bytes: try encoder.encode(fact)))
        }
        try await connection.query(
            """
            INSERT INTO report_facts (ticket, created_ms, site, team, body)
            SELECT i, c, CASE WHEN ss THEN s END, CASE WHEN ts THEN t END, b
            FROM unnest(\(ids)::bytea[], \(created)::bigint[], \(sites.values)::text[], \(sites.set)::boolean[],
                \(teams.values)::text[], \(teams.set)::boolean[], \(bodies)::bytea[]) AS u(i, c, s, ss, t, ts, b)
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
