public import TicketModel
internal import GRDB

/// Where a station stands: identity, outbox, sync.
public struct StationStatus: Sendable {
    /// The station's replica id.
    public var replica: ReplicaID
    /// The agent acting here.
    public var agent: String
    /// The store's path.
    public var path: String
    /// Operations waiting to be acknowledged by a server.
    public var outbox: Int
    /// Operations in the local log (own and received).
    public var operations: Int
    /// Tickets known here.
    public var tickets: Int
    /// The sequence number of this station's latest own operation.
    public var lastSequence: UInt64
    /// The server this station syncs with, if configured.
    public var server: String?
    /// The server's cursor this station has received up to, if any.
    public var cursor: String?
    /// When the last successful sync ended (milliseconds since the Unix epoch), if ever.
    public var lastSyncMillis: UInt64?
}

extension Station {
    /// The station's status.
    public func status() throws(StationError) -> StationStatus {
        try withCurrentRows { db in
                StationStatus(
                    replica: replica, agent: agent.name, path: path,
                    outbox: try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0,
                    operations: try Int.fetchOne(db, sql: "SELECT count(*) FROM operations") ?? 0,
                    tickets: try Int.fetchOne(db, sql: "SELECT count(*) FROM tickets WHERE is_created") ?? 0,
                    lastSequence: try Meta.integer(.lastSequence, db),
                    server: try Meta.get(.serverURL, db),
                    cursor: try Meta.get(.cursor, db),
                    lastSyncMillis: try Meta.get(.lastSyncMillis, db).flatMap { UInt64($0) }
                )
        }
    }

    /// Records the server this station syncs with and its credential (stored in the station's
    /// store, readable only by the store's owner).
    public func configureServer(url: String, token: String?, pin: String? = nil, caFile: String? = nil) throws(StationError) {
        try writeKeepingRows { db in
            try Meta.set(.serverURL, url, db)
            for (key, value) in [(Meta.Key.token, token), (.pin, pin), (.caFile, caFile)] {
                if let value { try Meta.set(key, value, db) } else { try Meta.remove(key, db) }
            }
        }
    }
}
