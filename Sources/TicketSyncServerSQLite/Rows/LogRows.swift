internal import Foundation
internal import GRDB
internal import GRDBSQLite
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
    /// decodes it. The columns are read through SQLite's C API from GRDB's cached statement:
    /// GRDB's rows copied each blob into a `Data` first (then again into the entry), and reading
    /// rows was a quarter of the server's work on a download (perf).
    static func entries(after position: Int64, limit: Int, _ db: Database) throws -> [LogEntry] {
        let statement = try db.cachedStatement(sql: """
            SELECT position, replica, seq, ticket, body, has_before, site_before, team_before, site_after, team_after
            FROM operations WHERE position > ? ORDER BY position LIMIT ?
            """)
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        defer { sqlite3_reset(handle) }
        sqlite3_bind_int64(handle, 1, position)
        sqlite3_bind_int64(handle, 2, Int64(limit))
        var entries: [LogEntry] = []
        entries.reserveCapacity(min(limit, 4_096))
        func bytes(_ column: Int32) -> UnsafeRawBufferPointer {
            let pointer = sqlite3_column_blob(handle, column)
            let count = Int(sqlite3_column_bytes(handle, column))
            return UnsafeRawBufferPointer(start: count == 0 ? nil : pointer, count: count)
        }
        func text(_ column: Int32) -> String? {
            guard sqlite3_column_type(handle, column) != SQLITE_NULL, let pointer = sqlite3_column_text(handle, column) else { return nil }
            let count = Int(sqlite3_column_bytes(handle, column))
            return String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
        }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
            }
            let position = sqlite3_column_int64(handle, 0)
            guard let ticket = TicketID(bytes: bytes(3)) else {
                throw ServerError(.storage, "the log entry at position \(position) names a damaged ticket id; restore the store from a backup")
            }
            let hasBefore = sqlite3_column_int64(handle, 5) != 0
            entries.append(
                LogEntry(
                    cursor: LogCursor.text(position),
                    id: OperationID(
                        replica: ReplicaID(UInt64(bitPattern: sqlite3_column_int64(handle, 1))),
                        seq: UInt64(bitPattern: sqlite3_column_int64(handle, 2))
                    ),
                    ticket: ticket,
                    encoded: [UInt8](bytes(4)),
                    before: hasBefore ? TicketPlacement(site: text(6), team: text(7)) : nil,
                    after: TicketPlacement(site: text(8), team: text(9))
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
