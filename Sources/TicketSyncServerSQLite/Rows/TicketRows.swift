internal import Foundation
internal import GRDB
internal import TicketModel
internal import TicketSyncServer

/// Writes and reads the `tickets` table: each ticket's placement and detail-free CRDT state.
enum TicketRows {
    static func load(_ id: TicketID, _ db: Database) throws -> TicketState? {
        let statement = try db.cachedStatement(sql: "SELECT state FROM tickets WHERE id = ?")
        guard let data = try Data.fetchOne(statement, arguments: [Data(id.bytes)]) else { return nil }
        return try decode(data, id: id)
    }

    /// A stored `state` column.
    static func decode(_ data: Data, id: TicketID) throws -> TicketState {
        do {
            return try TicketState(encodedRecord: [UInt8](data))
        } catch {
            throw ServerError(.storage, "the stored state of ticket \(id) is damaged (\(error.message)); restore the store from a backup")
        }
    }

    static func save(_ state: TicketState, _ db: Database) throws {
        let placement = state.placement
        let statement = try db.cachedStatement(sql: """
            INSERT INTO tickets (id, site, team, state) VALUES (?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET site = excluded.site, team = excluded.team, state = excluded.state
            """)
        try statement.execute(arguments: [Data(state.id.bytes), placement.site, placement.team, Data(state.encodedRecord())])
    }
}
