internal import Foundation
internal import GRDB
internal import TicketModel
internal import TicketReports
internal import TicketSyncServer

/// Writes and reads `report_facts`.
enum FactRows {
    static func save(_ facts: TicketFacts, ticket: TicketID, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO report_facts (ticket, created_ms, site, team, body) VALUES (?, ?, ?, ?, ?)").execute(arguments: [Data(ticket.bytes), Int64(bitPattern: facts.createdMillis), facts.site, facts.team, try JSONEncoder().encode(facts)]
        )
    }

    static func load(createdFrom: UInt64, to: UInt64, _ db: Database) throws -> [TicketFacts] {
        let decoder = JSONDecoder()
        let cursor = try Data.fetchCursor(
            db.cachedStatement(sql: "SELECT body FROM report_facts WHERE created_ms >= ? AND created_ms < ?"),
            arguments: [Int64(clamping: createdFrom), Int64(clamping: to)]
        )
        var result: [TicketFacts] = []
        while let body = try cursor.next() {
            do {
                result.append(try decoder.decode(TicketFacts.self, from: body))
            } catch {
                throw ServerError(.storage, "a report row is damaged (\(error)); restart ticketsyncd after 'ticketsyncd migrate' to rebuild it")
            }
        }
        return result
    }
}
