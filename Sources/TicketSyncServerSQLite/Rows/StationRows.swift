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
            scopes: try decodeScopes(row["scopes"], station: name),
            replica: replica.map { ReplicaID(UInt64(bitPattern: $0)) },
            revoked: row["revoked"],
            createdMillis: UInt64(bitPattern: row["created_ms"]),
            kind: try kind(row["kind"], station: name)
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

    static func kind(_ text: String, station: String) throws -> CredentialKind {
        guard let kind = CredentialKind(named: text) else {
            throw ServerError(.storage, "credential '\(station)' has the unknown kind '\(text.prefix(40))'; it was written by a newer ticketsyncd")
        }
        return kind
    }

    /// Scopes as a JSON array of their texts: a site or team code may hold any character.
    static func encodeScopes(_ scopes: [Scope]) throws -> String {
        String(decoding: try JSONEncoder().encode(scopes.map(\.description)), as: UTF8.self)
    }

    static func decodeScopes(_ text: String, station: String) throws -> [Scope] {
        let texts: [String]
        do {
            texts = try JSONDecoder().decode([String].self, from: Data(text.utf8))
        } catch {
            throw ServerError(.storage, "the stored scopes of station '\(station)' are damaged; revoke it and add it again")
        }
        return try texts.map { text throws(ServerError) in try Scope(parsing: text) }
    }
}
