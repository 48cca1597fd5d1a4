internal import Foundation
internal import GRDB
internal import TicketModel
internal import TicketSyncServer

/// Writes and reads the `stations` table.
enum StationRows {
    static let columns = "name, scopes, replica, revoked, created_ms, kind"

    static func record(_ row: Row) throws -> StationRecord {
        let name: String = row["name"]
        let replica: Int64? = row["replica"]
        return StationRecord(
            name: name,
            scopes: try StationRecord.scopes(stored: row["scopes"], station: name),
            replica: replica.map { ReplicaID(UInt64(bitPattern: $0)) },
            revoked: row["revoked"],
            createdMillis: UInt64(bitPattern: row["created_ms"]),
            kind: try StationRecord.kind(stored: row["kind"], station: name)
        )
    }

    static func find(name: String, _ db: Database) throws -> StationRecord? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM stations WHERE name = ?", arguments: [name]).map(record)
    }

    static func find(tokenHash: [UInt8], _ db: Database) throws -> StationRecord? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM stations WHERE token_hash = ?", arguments: [Data(tokenHash)])
            .map(record)
    }

    static func all(_ db: Database) throws -> [StationRecord] {
        try Row.fetchAll(db, sql: "SELECT \(columns) FROM stations ORDER BY name").map(record)
    }

    /// Whether a credential other than `name`, not revoked, holds `replica`.
    static func replicaHeldElsewhere(_ replica: ReplicaID, except name: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: "SELECT EXISTS (SELECT 1 FROM stations WHERE replica = ? AND name <> ? AND revoked = 0)",
            arguments: [Int64(bitPattern: replica.rawValue), name]
        ) ?? false
    }
}
