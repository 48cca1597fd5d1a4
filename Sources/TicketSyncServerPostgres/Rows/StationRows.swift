internal import Foundation
internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import TicketModel
internal import TicketSyncServer

/// Writes and reads the `stations` table.
enum StationRows {
    static let columns = "name, scopes, replica, revoked, created_ms, kind"

    typealias Row = (String, String, Int64?, Bool, Int64, String)

    static func record(_ row: Row) throws -> StationRecord {
        let (name, scopes, replica, revoked, created, kindText) = row
        guard let kind = CredentialKind(named: kindText) else {
            throw ServerError(.storage, "credential '\(name)' has the unknown kind '\(kindText.prefix(40))'; it was written by a newer ticketsyncd")
        }
        return StationRecord(
            name: name, scopes: try decodeScopes(scopes, station: name), replica: replica.map { ReplicaID(UInt64(bitPattern: $0)) },
            revoked: revoked, createdMillis: UInt64(bitPattern: created), kind: kind
        )
    }

    static func records(_ rows: PostgresRowSequence) async throws -> [StationRecord] {
        var records: [StationRecord] = []
        for try await row in rows.decode(Row.self) { records.append(try record(row)) }
        return records
    }

    static func find(name: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> StationRecord? {
        try await records(
            connection.query("SELECT name, scopes, replica, revoked, created_ms, kind FROM stations WHERE name = \(name)", logger: logger)
        ).first
    }

    static func find(tokenHash: [UInt8], _ connection: PostgresConnection, _ logger: Logger) async throws -> StationRecord? {
        let hash = ByteBuffer(bytes: tokenHash)
        return try await records(
            connection.query("SELECT name, scopes, replica, revoked, created_ms, kind FROM stations WHERE token_hash = \(hash)", logger: logger)
        ).first
    }

    /// Scopes as a JSON array of their texts (the same text as the SQLite store's).
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
