public import TicketModel
public import TicketSyncServer
internal import NIOCore
internal import PostgresNIO

/// Station credentials: the secret only as a hash, scopes, and the replica bound on first use.
/// Writes lock `log_head` like appends, so a bind and an append, or two binds, never interleave.
extension PostgresServerStore {
    /// Adds a credential. Throws `alreadyExists` if the name, or the secret's hash, is taken.
    public func addCredential(
        name: String, kind: CredentialKind, tokenHash: [UInt8], scopes: [Scope], createdMillis: UInt64
    ) async throws(ServerError) {
        let logger = self.logger
        let scopesText: String
        do {
            scopesText = try StationRecord.storedScopes(scopes)
        } catch {
            throw ServerError(.invalidArgument, "the scopes of station '\(name.prefix(80))' cannot be stored: \(error)")
        }
        try await writing("adding station '\(name.prefix(80))'") { connection in
            if try await StationRows.find(name: name, connection, logger) != nil {
                throw ServerError(.alreadyExists, "a station named '\(name.prefix(80))' already exists; pick another name or revoke it")
            }
            if try await StationRows.find(tokenHash: tokenHash, connection, logger) != nil {
                throw ServerError(.alreadyExists, "another station already has this secret; generate a new one")
            }
            let hash = ByteBuffer(bytes: tokenHash)
            let created = Int64(bitPattern: createdMillis)
            try await connection.query(
                """
                INSERT INTO stations (name, token_hash, scopes, replica, revoked, created_ms, kind)
                VALUES (\(name), \(hash), \(scopesText), NULL, false, \(created), \(kind.rawValue))
                """,
                logger: logger
            )
        }
    }

    /// Every credential, sorted by name.
    public func stations() async throws(ServerError) -> [StationRecord] {
        let logger = self.logger
        return try await reading("listing stations") { connection in
            try await StationRows.records(
                connection.query("SELECT name, scopes, replica, revoked, created_ms, kind FROM stations ORDER BY name COLLATE \"C\"", logger: logger)
            )
        }
    }

    /// Revokes a credential (revoking it again is not an error); throws `notFound` for an unknown name.
    public func revokeStation(name: String) async throws(ServerError) {
        let logger = self.logger
        try await writing("revoking station '\(name.prefix(80))'") { connection in
            let rows = try await connection.query("UPDATE stations SET revoked = true WHERE name = \(name) RETURNING name", logger: logger)
            var found = false
            for try await _ in rows.decode(String.self) { found = true }
            if !found { throw ServerError(.notFound, "no station named '\(name.prefix(80))'; 'ticketsyncd station list' shows them") }
        }
    }

    /// The credential with this secret hash, revoked or not.
    public func station(tokenHash: [UInt8]) async throws(ServerError) -> StationRecord? {
        let logger = self.logger
        return try await reading("looking up a station credential") { connection in
            try await StationRows.find(tokenHash: tokenHash, connection, logger)
        }
    }

    /// Binds the credential to `replica` on first use; true if it is (now) bound to `replica`.
    /// False if it is bound to another replica, if `replica` is the server's own, or if another
    /// credential that is not revoked holds it (the SQLite store's rules). Throws `notFound` for
    /// an unknown name.
    public func bind(station: String, to replica: ReplicaID) async throws(ServerError) -> Bool {
        let serverReplica = try await self.serverReplica()
        let logger = self.logger
        return try await writing("binding station '\(station.prefix(80))'") { connection in
            guard let record = try await StationRows.find(name: station, connection, logger) else {
                throw ServerError(.notFound, "no station named '\(station.prefix(80))'")
            }
            if let bound = record.replica { return bound == replica }
            if replica == serverReplica || replica.rawValue == 0 { return false }
            let raw = Int64(bitPattern: replica.rawValue)
            let held = try await connection.query(
                "SELECT EXISTS (SELECT 1 FROM stations WHERE replica = \(raw) AND name <> \(station) AND NOT revoked)", logger: logger
            )
            for try await exists in held.decode(Bool.self) where exists { return false }
            try await connection.query("UPDATE stations SET replica = \(raw) WHERE name = \(station)", logger: logger)
            return true
        }
    }
}
