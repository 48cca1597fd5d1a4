public import TicketModel
public import TicketSyncServer
internal import Foundation
internal import GRDB

/// Station credentials: the secret only as a hash, scopes, and the replica bound on first use.
extension SQLiteServerStore {
    /// Adds a credential. Throws `alreadyExists` if the name, or the secret's hash, is taken.
    public func addCredential(
        name: String, kind: CredentialKind, tokenHash: [UInt8], scopes: [Scope], createdMillis: UInt64
    ) async throws(ServerError) {
        try await writing("adding station '\(name.prefix(80))'") { db in
            if try StationRows.find(name: name, db) != nil {
                throw ServerError(.alreadyExists, "a station named '\(name.prefix(80))' already exists; pick another name or revoke it")
            }
            if try StationRows.find(tokenHash: tokenHash, db) != nil {
                throw ServerError(.alreadyExists, "another station already has this secret; generate a new one")
            }
            try db.execute(
                sql: "INSERT INTO stations (name, token_hash, scopes, replica, revoked, created_ms, kind) VALUES (?, ?, ?, NULL, 0, ?, ?)",
                arguments: [name, Data(tokenHash), try StationRecord.storedScopes(scopes), Int64(bitPattern: createdMillis), kind.rawValue]
            )
        }
    }

    /// Every credential, sorted by name.
    public func stations() async throws(ServerError) -> [StationRecord] {
        try await reading("listing stations") { db in try StationRows.all(db) }
    }

    /// Revokes a credential (revoking it again is not an error); throws `notFound` for an unknown name.
    public func revokeStation(name: String) async throws(ServerError) {
        try await writing("revoking station '\(name.prefix(80))'") { db in
            try db.execute(sql: "UPDATE stations SET revoked = 1 WHERE name = ?", arguments: [name])
            if db.changesCount == 0 {
                throw ServerError(.notFound, "no station named '\(name.prefix(80))'; 'ticketsyncd station list' shows them")
            }
        }
    }

    /// The credential with this secret hash, revoked or not.
    public func station(tokenHash: [UInt8]) async throws(ServerError) -> StationRecord? {
        try await reading("looking up a station credential") { db in try StationRows.find(tokenHash: tokenHash, db) }
    }

    /// Binds the credential to `replica` on first use; true if it is (now) bound to `replica`.
    ///
    /// False if it is bound to another replica, and also if `replica` is the server's own or is
    /// held by another credential that is not revoked: otherwise two credentials could write as
    /// one replica, and each could answer for the other's operations. (A station given a new
    /// credential after its old one was revoked keeps its replica.) Throws `notFound` for an
    /// unknown name.
    public func bind(station: String, to replica: ReplicaID) async throws(ServerError) -> Bool {
        let serverReplica = self.replica
        return try await writing("binding station '\(station.prefix(80))'") { db in
            guard let record = try StationRows.find(name: station, db) else {
                throw ServerError(.notFound, "no station named '\(station.prefix(80))'")
            }
            if let bound = record.replica { return bound == replica }
            if replica == serverReplica || replica.rawValue == 0 { return false }
            if try StationRows.replicaHeldElsewhere(replica, except: station, db) { return false }
            try db.execute(
                sql: "UPDATE stations SET replica = ? WHERE name = ?", arguments: [Int64(bitPattern: replica.rawValue), station]
            )
            return true
        }
    }
}
