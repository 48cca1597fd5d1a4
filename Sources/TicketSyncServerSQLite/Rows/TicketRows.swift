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

    /// The stored states of those of `tickets` the store holds, in one statement.
    static func load(_ tickets: some Collection<TicketID>, _ db: Database) throws -> [TicketID: TicketState] {
        guard !tickets.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            db.makeStatement(sql: "SELECT id, state FROM tickets WHERE id IN (\(databaseQuestionMarks(count: tickets.count)))"),
            arguments: StatementArguments(tickets.map { Data($0.bytes) })
        )
        var states: [TicketID: TicketState] = [:]
        for row in rows {
            let bytes: Data = row[0]
            guard let id = TicketID(bytes: [UInt8](bytes)) else {
                throw ServerError(.storage, "a stored ticket id is damaged (\(bytes.count) bytes); restore the store from a backup")
            }
            states[id] = try decode(row[1], id: id)
        }
        return states
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
