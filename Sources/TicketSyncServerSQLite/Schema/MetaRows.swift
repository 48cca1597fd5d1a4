internal import GRDB
internal import TicketModel
internal import TicketSyncServer

/// The `meta` table: small named values of the server.
enum MetaRows {
    static let serverReplicaKey = "server_replica"

    /// The server's replica id, made (once, whichever process gets there first) if missing.
    /// The server's replica id if the store has one already (a read: no write lock).
    static func existingServerReplica(_ db: Database) throws -> ReplicaID? {
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [serverReplicaKey]) else { return nil }
        guard let replica = ReplicaID(hex: text) else {
            throw ServerError(.storage, "the server store's replica id is damaged ('\(text.prefix(40))'); restore the store from a backup")
        }
        return replica
    }

    static func serverReplica(_ db: Database) throws -> ReplicaID {
        try db.execute(
            sql: "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
            arguments: [serverReplicaKey, ReplicaID.random().description]
        )
        let text = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [serverReplicaKey])
        guard let text, let replica = ReplicaID(hex: text) else {
            throw ServerError(.storage, "the server store's replica id is damaged ('\(text?.prefix(40) ?? "")'); restore the store from a backup")
        }
        return replica
    }
}
