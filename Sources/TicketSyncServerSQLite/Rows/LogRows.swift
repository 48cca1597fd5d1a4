internal import Foundation
internal import GRDB
internal import TicketModel
internal import TicketSyncServer

/// Writes and reads the `operations` table, the server's log.
enum LogRows {
    /// Whether the log holds the operation with this id.
    static func contains(_ id: OperationID, _ db: Database) throws -> Bool {
        let statement = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM operations WHERE replica = ? AND seq = ?)")
        return try Bool.fetchOne(statement, arguments: key(id)) ?? false
    }

    /// Appends an accepted operation; returns its position.
    static func insert(
        _ op: TicketOperation, station: String, receivedMillis: UInt64, before: TicketPlacement?, after: TicketPlacement,
        _ db: Database
    ) throws -> Int64 {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO operations (replica, seq, ticket, body, station, received_ms,
                has_before, site_before, team_before, site_after, team_after)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [
            Int64(bitPattern: op.id.replica.rawValue), Int64(bitPattern: op.id.seq), Data(op.ticket.bytes),
            Data(OperationCodec.encodeOne(op)), station, Int64(bitPattern: receivedMillis),
            before != nil, before?.site, before?.team, after.site, after.team,
        ])
        return db.lastInsertedRowID
    }

    /// The operation with this id, if the log holds it.
    static func find(_ id: OperationID, _ db: Database) throws -> TicketOperation? {
        let statement = try db.cachedStatement(sql: "SELECT position, body FROM operations WHERE replica = ? AND seq = ?")
        return try Row.fetchOne(statement, arguments: key(id)).map { row in try decode(row["body"], at: row["position"]) }
    }

    /// Entries after `position`, oldest first, their operations left encoded until a session
    /// sends one (``LogEntry/operation``): a session whose scopes leave an entry out never
    /// decodes it. Columns are read by index from a cached statement: reading by name lowercases
    /// the name on every access, and preparing the SQL on every call showed in the server's
    /// profiles.
    static func entries(after position: Int64, limit: Int, _ db: Database) throws -> [LogEntry] {
        let statement = try db.cachedStatement(sql: """
            SELECT position, replica, seq, ticket, body, has_before, site_before, team_before, site_after, team_after
            FROM operations WHERE position > ? ORDER BY position LIMIT ?
            """)
        let rows = try Row.fetchCursor(statement, arguments: [position, limit])
        var entries: [LogEntry] = []
        entries.reserveCapacity(min(limit, 4_096))
        while let row = try rows.next() {
            let position: Int64 = row[0]
            let ticketBytes: Data = row[3]
            guard let ticket = TicketID(bytes: [UInt8](ticketBytes)) else {
                throw ServerError(.storage, "the log entry at position \(position) names a damaged ticket id; restore the store from a backup")
            }
            let body: Data = row[4]
            let hasBefore: Bool = row[5]
            entries.append(
                LogEntry(
                    cursor: LogCursor.text(position),
                    id: OperationID(replica: ReplicaID(UInt64(bitPattern: row[1])), seq: UInt64(bitPattern: row[2])), ticket: ticket,
                    encoded: [UInt8](body),
                    before: hasBefore ? TicketPlacement(site: row[6], team: row[7]) : nil,
                    after: TicketPlacement(site: row[8], team: row[9])
                )
            )
        }
        return entries
    }

    /// One ticket's operations up to and including `position`, oldest first.
    static func operations(of ticket: TicketID, through position: Int64, _ db: Database) throws -> [TicketOperation] {
        let statement = try db.cachedStatement(
            sql: "SELECT position, body FROM operations WHERE ticket = ? AND position <= ? ORDER BY position"
        )
        let rows = try Row.fetchCursor(statement, arguments: [Data(ticket.bytes), position])
        var operations: [TicketOperation] = []
        while let row = try rows.next() { operations.append(try decode(row[1], at: row[0])) }
        return operations
    }

    /// Every operation in log order, read in one pass without holding them all as rows.
    static func forEach(_ db: Database, _ body: (TicketOperation) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT position, body FROM operations ORDER BY position")
        while let row = try rows.next() { try body(try decode(row["body"], at: row["position"])) }
    }

    /// The highest position ever given (0 for an empty log).
    static func lastPosition(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT MAX(position) FROM operations") ?? 0
    }

    static func decode(_ body: Data, at position: Int64) throws -> TicketOperation {
        let ops: [TicketOperation]
        do {
            ops = try OperationCodec.decode(body, maxOperations: 1)
        } catch {
            throw ServerError(.storage, "the log entry at position \(position) is damaged (\(error.message)); restore the store from a backup")
        }
        guard ops.count == 1 else {
            throw ServerError(.storage, "the log entry at position \(position) holds \(ops.count) operations instead of one; restore the store from a backup")
        }
        return ops[0]
    }

    static func key(_ id: OperationID) -> StatementArguments {
        [Int64(bitPattern: id.replica.rawValue), Int64(bitPattern: id.seq)]
    }
}
