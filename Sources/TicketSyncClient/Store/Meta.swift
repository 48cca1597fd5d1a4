internal import GRDB

/// The `meta` table: small named values of the station.
enum Meta {
    enum Key: String {
        case replica, agent, createdMillis = "created_ms", clock, lastSequence = "last_seq"
        case serverURL = "server_url", token, pin, caFile = "ca_file"
        case cursor, lastSyncMillis = "last_sync_ms"
        /// The SLA policy file's text (YAML) and the path it was read from; absent: the default set.
        case slaPolicies = "sla_policies", slaPolicyFile = "sla_policy_file"
        /// Every operation at or below this position is reflected in the ticket rows (see
        /// ``PendingRows``); absent: every operation is.
        case rowsThrough = "rows_through"
    }

    static func get(_ key: Key, _ db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [key.rawValue])
    }

    static func set(_ key: Key, _ value: String, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").execute(arguments: [key.rawValue, value])
    }

    static func remove(_ key: Key, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [key.rawValue])
    }

    static func integer(_ key: Key, _ db: Database) throws -> UInt64 {
        try get(key, db).flatMap { UInt64($0) } ?? 0
    }
}
