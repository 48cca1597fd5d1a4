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
        return StationRecord(
            name: name, scopes: try StationRecord.scopes(stored: scopes, station: name), replica: replica.map { ReplicaID(UInt64(bitPattern: $0)) },
            revoked: revoked, createdMillis: UInt64(bitPattern: created), kind: try StationRecord.kind(stored: kindText, station: name)
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
}
