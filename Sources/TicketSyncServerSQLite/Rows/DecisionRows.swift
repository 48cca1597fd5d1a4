internal import GRDB
internal import TicketModel

/// The `rejections` table (operations refused for good) and the `replicas` table (how far each
/// replica's operations are decided).
enum DecisionRows {
    /// A stored refusal.
    struct Rejection {
        var code: String
        var message: String
    }

    static func rejection(_ id: OperationID, _ db: Database) throws -> Rejection? {
        let statement = try db.cachedStatement(sql: "SELECT code, message FROM rejections WHERE replica = ? AND seq = ?")
        return try Row.fetchOne(statement, arguments: LogRows.key(id)).map { Rejection(code: $0["code"], message: $0["message"]) }
    }

    static func reject(_ id: OperationID, _ rejection: Rejection, station: String, receivedMillis: UInt64, _ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO rejections (replica, seq, code, message, station, received_ms) VALUES (?, ?, ?, ?, ?, ?)"
        )
        try statement.execute(arguments: [
            Int64(bitPattern: id.replica.rawValue), Int64(bitPattern: id.seq), rejection.code, rejection.message, station,
            Int64(bitPattern: receivedMillis),
        ])
    }

    /// Whether the operation is in the log or refused for good.
    static func isDecided(_ id: OperationID, _ db: Database) throws -> Bool {
        let statement = try db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM operations WHERE replica = ?1 AND seq = ?2)
                OR EXISTS (SELECT 1 FROM rejections WHERE replica = ?1 AND seq = ?2)
            """)
        return try Bool.fetchOne(statement, arguments: LogRows.key(id)) ?? false
    }

    static func decided(_ replica: ReplicaID, _ db: Database) throws -> UInt64 {
        let statement = try db.cachedStatement(sql: "SELECT decided FROM replicas WHERE replica = ?")
        return try Int64.fetchOne(statement, arguments: [Int64(bitPattern: replica.rawValue)]).map { UInt64(bitPattern: $0) } ?? 0
    }

    static func setDecided(_ replica: ReplicaID, _ seq: UInt64, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO replicas (replica, decided) VALUES (?, ?)")
            .execute(arguments: [Int64(bitPattern: replica.rawValue), Int64(bitPattern: seq)])
    }
}
