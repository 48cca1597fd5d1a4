public import TicketModel
public import TicketSyncServer
internal import GRDB

/// The embedded server store: one SQLite file holding the log, the materialised tickets and the
/// station credentials. The default back end of `ticketsyncd` (one node, no set-up).
///
/// Durability: WAL journal with `synchronous = FULL`, so a transaction that committed survives a
/// power cut, not only a crash: when ``append(_:from:receivedMillis:maxDriftMillis:)`` returns,
/// what it accepted is on disk. Other processes (the `ticketsyncd station …` commands) may open the
/// same file while the server runs; a write waits up to 10 seconds for another one to finish.
///
/// The store uses a GRDB `DatabasePool` rather than a `DatabaseQueue`: in WAL mode a pool serves
/// many reads at once (sessions catching up, snapshots, the digest, status) from snapshots, beside
/// the one writer, whereas a queue would put every pull behind every append. Writes are still
/// serialised, which is what makes positions a safe cursor (see `LogCursor`). GRDB's calls are
/// synchronous; the async methods here use GRDB's async accessors, which run them on GRDB's own
/// dispatch queues instead of blocking Swift's cooperative threads.
public final class SQLiteServerStore: ServerStore {
    /// The file the store lives in.
    public let path: String

    let pool: DatabasePool
    let replica: ReplicaID
    /// Ticket histories the SLA engine read lately (see ``SLAHistoryCache``).
    let slaHistory: SLAHistoryCache

    /// Opens the store at `path`, creating the file and its schema if needed (the directory must
    /// exist). Refuses a store written by a newer version of TicketSync, and reports a file that
    /// is not a server store, a full disk or a missing directory as ``ServerError/Code/storage``.
    ///
    /// `historyBudget` bounds how many decoded log entries the SLA engine keeps in memory between
    /// transactions (about 750 bytes each, measured; 0 keeps none, and every plan decodes its ticket's whole
    /// history).
    public init(path: String, historyBudget: Int = 100_000) throws(ServerError) {
        self.path = path
        self.slaHistory = SLAHistoryCache(budget: historyBudget)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "TicketSyncServerSQLite"
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            // Acknowledged must mean durable. Set here, not in `prepareDatabase`: GRDB switches a
            // pool's writer to WAL after `prepareDatabase` has run, and sets `synchronous = NORMAL`
            // as it does (GRDB 7.10, `Database.setUpWALMode`). Only the writer connection writes.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let migrator = ServerSchema.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw ServerError(
                    .storage, "the server store at \(path) was written by a newer TicketSync; upgrade ticketsyncd to open it"
                )
            }
            // A store already up to date is opened with reads only, so `ticketsyncd status`,
            // `station list` or `report` open a store a busy server keeps writing to without
            // waiting for its write lock.
            if try pool.read({ try migrator.hasCompletedMigrations($0) }), let replica = try pool.read(MetaRows.existingServerReplica) {
                self.replica = replica
            } else {
                try migrator.migrate(pool)
                self.replica = try pool.write { db in try MetaRows.serverReplica(db) }
            }
            self.pool = pool
        } catch {
            throw StorageFailure.serverError(error, doing: "opening the server store", path: path)
        }
    }

    /// The server's own replica id, made once when the store was created.
    public func serverReplica() async throws(ServerError) -> ReplicaID { replica }

    /// Counts of log entries, tickets and credentials.
    public func counts() async throws(ServerError) -> StoreCounts {
        try await reading("counting the store's rows") { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT COUNT(*) FROM operations) AS operations, (SELECT COUNT(*) FROM tickets) AS tickets,
                        (SELECT COUNT(*) FROM stations) AS stations
                    """
            )!
            return StoreCounts(operations: row["operations"], tickets: row["tickets"], stations: row["stations"])
        }
    }
}
