internal import Foundation
internal import GRDB
internal import TicketModel

/// Writes and reads the `operations` and `outbox` tables.
enum OperationRows {
    /// Inserts an operation unless one with its id is there; returns whether it was new.
    static func insert(_ op: TicketOperation, _ db: Database) throws -> Bool {
        let statement = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO operations (replica, seq, ticket, body) VALUES (?, ?, ?, ?)"
        )
        try statement.execute(arguments: [
            Int64(bitPattern: op.id.replica.rawValue), Int64(bitPattern: op.id.seq), Data(op.ticket.bytes),
            Data(OperationCodec.encode(sortedByID: [op])),
        ])
        return db.changesCount > 0
    }

    static func addToOutbox(_ op: TicketOperation, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO outbox (seq) VALUES (?)").execute(arguments: [Int64(op.id.seq)])
    }

    static func decode(_ data: Data) throws -> TicketOperation {
        guard let op = try OperationCodec.decode([UInt8](data)).first else {
            throw StationError(.store, "an empty operation row; run 'ticketsync repair'")
        }
        return op
    }

    /// Every operation on one ticket, in the order this station accepted them.
    static func forTicket(_ ticket: TicketID, _ db: Database) throws -> [TicketOperation] {
        let statement = try db.cachedStatement(sql: "SELECT body FROM operations WHERE ticket = ? ORDER BY position")
        return try Data.fetchAll(statement, arguments: [Data(ticket.bytes)]).map(decode)
    }

    /// The operation with this id, if accepted.
    static func find(_ id: OperationID, _ db: Database) throws -> TicketOperation? {
        let statement = try db.cachedStatement(sql: "SELECT body FROM operations WHERE replica = ? AND seq = ?")
        return try Data.fetchOne(statement, arguments: [Int64(bitPattern: id.replica.rawValue), Int64(bitPattern: id.seq)])
            .map(decode)
    }

    /// Every operation, in the order accepted, in pages (so a large store is not read at once).
    static func forEach(_ db: Database, _ body: (TicketOperation) throws -> Void) throws {
        let cursor = try Data.fetchCursor(db, sql: "SELECT body FROM operations ORDER BY position")
        while let data = try cursor.next() { try body(try decode(data)) }
    }
}
