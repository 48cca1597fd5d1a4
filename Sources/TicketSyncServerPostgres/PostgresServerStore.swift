public import Logging
public import ServiceLifecycle
public import TicketModel
public import TicketSyncServer
internal import NIOCore
internal import NIOSSL
internal import PostgresNIO
internal import Synchronization

/// The server store on PostgreSQL, for several `ticketsyncd` nodes sharing one database. The
/// same semantics as the embedded SQLite store, transaction for transaction: one write
/// transaction at a time across every node (each locks the `log_head` row first), so log
/// positions become visible in order and a pull cursor never skips (docs/cursor.md).
///
/// Durability: a write returns after PostgreSQL's COMMIT, which with the default
/// `synchronous_commit = on` has flushed the WAL; an append is acknowledged only then.
///
/// Lifecycle: the store owns a `PostgresClient` (a connection pool) and is a `Service` whose
/// ``run()`` runs that client; run it (in a `ServiceGroup` or a task group) before calling
/// ``open()``, which migrates the schema and loads the server's replica id.
public final class PostgresServerStore: ServerStore, Service {
    /// Where the store lives (its description never shows the password).
    public let database: DatabaseURL

    let client: PostgresClient
    let logger: Logger
    private let replicaCache = Mutex<ReplicaID?>(nil)

    /// The LISTEN/NOTIFY channel an append notifies once it commits.
    static let channel = "ticketsync_log"

    /// Makes a store for `database` with a pool of at most `maximumConnections`. Nothing
    /// connects until ``run()`` runs and a call needs a connection.
    public init(database: DatabaseURL, maximumConnections: Int = 10, logger: Logger) {
        self.database = database
        self.logger = logger
        let tls: PostgresClient.Configuration.TLS
        switch database.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: database.host, port: database.port, username: database.user, password: database.password,
            database: database.database, tls: tls
        )
        configuration.options.maximumConnections = max(2, maximumConnections)
        configuration.options.connectTimeout = .seconds(5)
        // A node that stalls (SIGSTOP) inside a transaction holds the log_head lock and so every
        // other node's writes; PostgreSQL ends such a transaction after this long idle.
        configuration.options.additionalStartupParameters = [
            ("idle_in_transaction_session_timeout", "15s"), ("application_name", "ticketsyncd"),
        ]
        var background = logger
        background[metadataKey: "ticketsync.database"] = .string(database.description)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: background)
    }

    /// Runs the connection pool until cancelled or a graceful shutdown.
    public func run() async throws {
        await client.run()
    }

    /// Migrates the schema to this build's version (refusing a database written by a newer
    /// one) and loads the server's replica id. Returns the schema versions before and after.
    @discardableResult
    public func open() async throws(ServerError) -> (from: Int, to: Int) {
        let database = self.database
        let logger = self.logger
        try await probe()
        let outcome = try await writing("migrating the server store", lockLog: false) { connection in
            try await PostgresSchema.migrate(connection, database: database, logger: logger)
        }
        _ = try await serverReplica()
        return (Int(outcome.from), Int(outcome.to))
    }

    /// Connects once outside the pool, so that a server that is down, a wrong password or a
    /// missing database is reported at once and precisely (the pool would retry for a minute and
    /// then report only that it gave up).
    func probe() async throws(ServerError) {
        do {
            var configuration = PostgresConnection.Configuration(
                host: database.host, port: database.port, username: database.user, password: database.password,
                database: database.database, tls: try connectionTLS()
            )
            configuration.options.connectTimeout = .seconds(5)
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try? await connection.close()
        } catch {
            throw PostgresFailure.serverError(error, doing: "connecting", database: database)
        }
    }

    func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        switch database.tls {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    /// The schema version recorded in the database (0: an empty database) and this build's.
    public func schemaVersion() async throws(ServerError) -> (database: Int, build: Int) {
        let logger = self.logger
        let version = try await reading("reading the schema version") { connection in
            try await PostgresSchema.version(connection, logger: logger)
        }
        return (Int(version), Int(PostgresSchema.latest))
    }

    /// The server's own replica id, made once (whichever node gets there first) and kept.
    public func serverReplica() async throws(ServerError) -> ReplicaID {
        if let replica = replicaCache.withLock({ $0 }) { return replica }
        let logger = self.logger
        let candidate = ReplicaID.random().description
        let text = try await writing("reading the server's replica id", lockLog: false) { connection in
            try await connection.query(
                "INSERT INTO meta (key, value) VALUES ('server_replica', \(candidate)) ON CONFLICT (key) DO NOTHING", logger: logger
            )
            let rows = try await connection.query("SELECT value FROM meta WHERE key = 'server_replica'", logger: logger)
            for try await value in rows.decode(String.self) { return value }
            return ""
        }
        guard let replica = ReplicaID(hex: text) else {
            throw ServerError(.storage, "the server store's replica id is damaged ('\(text.prefix(40))'); restore the store from a backup")
        }
        replicaCache.withLock { $0 = replica }
        return replica
    }

    /// Counts of log entries, tickets and credentials.
    public func counts() async throws(ServerError) -> StoreCounts {
        let logger = self.logger
        return try await reading("counting the store's rows") { connection in
            let rows = try await connection.query(
                """
                SELECT (SELECT COUNT(*) FROM operations), (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM stations)
                """,
                logger: logger
            )
            for try await (operations, tickets, stations) in rows.decode((Int64, Int64, Int64).self) {
                return StoreCounts(operations: Int(operations), tickets: Int(tickets), stations: Int(stations))
            }
            return StoreCounts(operations: 0, tickets: 0, stations: 0)
        }
    }
}
