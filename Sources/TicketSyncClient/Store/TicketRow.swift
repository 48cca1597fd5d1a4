internal import Foundation
internal import GRDB
internal import TicketModel

/// Writes and reads the `tickets` table: one row per ticket, derived from its CRDT state.
enum TicketRow {
    static let upsertSQL = """
        INSERT INTO tickets (id, is_created, title, description, status, priority, priority_rank, status_rank,
            category, site, assignee, team, requester, order_ref, tags, tier, created_ms, updated_ms, state)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET is_created = excluded.is_created, title = excluded.title,
            description = excluded.description, status = excluded.status, priority = excluded.priority,
            priority_rank = excluded.priority_rank, status_rank = excluded.status_rank, category = excluded.category,
            site = excluded.site, assignee = excluded.assignee, team = excluded.team, requester = excluded.requester,
            order_ref = excluded.order_ref, tags = excluded.tags, tier = excluded.tier,
            created_ms = excluded.created_ms, updated_ms = excluded.updated_ms, state = excluded.state
        """

    static func save(_ state: TicketState, _ db: Database) throws {
        func text(_ field: FieldKey) -> String? {
            switch state.value(of: field) {
            case .text(let text)?: return text.isEmpty ? nil : text
            case .integer(let value)?: return String(value)
            default: return nil
            }
        }
        let status = text(.status).flatMap(TicketStatus.init(rawValue:)) ?? .open
        let priority = text(.priority).flatMap(TicketPriority.init(rawValue:)) ?? .normal
        let tags = state.elements(of: .tags)
        let statement = try db.cachedStatement(sql: upsertSQL)
        try statement.execute(arguments: [
            Data(state.id.bytes), state.created != nil, text(.title), text(.description),
            status.rawValue, priority.rawValue, TicketPriority.allCases.firstIndex(of: priority)!,
            TicketStatus.allCases.firstIndex(of: status)!,
            text(.category), text(.site), text(.assignee), text(.group), text(.requester), text(.orderRef),
            tags.isEmpty ? "" : " " + tags.joined(separator: " ") + " ",
            state.tier,
            state.created.map { Int64(bitPattern: $0.stamp.timestamp.millis) },
            state.updatedStamp.map { Int64(bitPattern: $0.timestamp.millis) },
            Data(state.encodedRecord()),
        ])
    }

    static func load(_ id: TicketID, _ db: Database) throws -> TicketState? {
        let statement = try db.cachedStatement(sql: "SELECT state FROM tickets WHERE id = ?")
        guard let data = try Data.fetchOne(statement, arguments: [Data(id.bytes)]) else { return nil }
        do {
            return try TicketState(encodedRecord: [UInt8](data))
        } catch {
            throw StationError(.store, "the stored state of ticket \(id) is damaged (\(error.message)); run 'ticketsync repair'")
        }
    }

    static let summaryColumns = "id, title, status, priority, category, site, assignee, team, tags, tier, created_ms, updated_ms"

    static func summary(_ row: Row) -> TicketSummary {
        let id = TicketID(bytes: [UInt8](row["id"] as Data)) ?? TicketID(high: 0, low: 0)
        let tags: String = row["tags"]
        return TicketSummary(
            id: id,
            title: row["title"] ?? "",
            status: (row["status"] as String?).flatMap(TicketStatus.init(rawValue:)) ?? .open,
            priority: (row["priority"] as String?).flatMap(TicketPriority.init(rawValue:)) ?? .normal,
            category: row["category"], site: row["site"], assignee: row["assignee"], group: row["team"],
            tags: tags.split(separator: " ").map(String.init),
            tier: row["tier"],
            createdMillis: UInt64(bitPattern: row["created_ms"] ?? 0),
            updatedMillis: UInt64(bitPattern: row["updated_ms"] ?? 0)
        )
    }
}
