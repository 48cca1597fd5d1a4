internal import Logging
internal import PostgresNIO
internal import TicketSyncServer

/// The PostgreSQL store's schema, as numbered migrations recorded in `ticketsync_schema`. Each
/// migration runs once, in one transaction with the others being applied, under a
/// transaction-scoped advisory lock so that nodes starting together do not race. A database
/// whose recorded version is above ``latest`` was written by a newer `ticketsyncd` and is refused.
enum PostgresSchema {
    /// A key for `pg_advisory_xact_lock`, only held while migrating.
    static let migrationLock: Int64 = 0x7469_636B_6574_7331

    /// Migration `n` is `migrations[n - 1]`: SQL statements run in order.
    static let migrations: [[String]] = [
        [
            // Small named values: the server's replica id.
            "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)",
            // Station credentials: the secret only as its SHA-256; scopes a JSON array of texts.
            """
            CREATE TABLE stations (
                name text PRIMARY KEY, token_hash bytea NOT NULL UNIQUE, scopes text NOT NULL, replica bigint,
                revoked boolean NOT NULL DEFAULT false, created_ms bigint NOT NULL)
            """,
            "CREATE INDEX stations_by_replica ON stations (replica)",
            // The one row every write transaction locks first: it serialises writers across all
            // nodes, so positions become visible in order (docs/cursor.md). last_position is the
            // highest position given.
            "CREATE TABLE log_head (id integer PRIMARY KEY CHECK (id = 1), last_position bigint NOT NULL)",
            "INSERT INTO log_head (id, last_position) VALUES (1, 0)",
            // The log: every accepted operation, at the position it was accepted.
            """
            CREATE TABLE operations (
                position bigint PRIMARY KEY, replica bigint NOT NULL, seq bigint NOT NULL, ticket bytea NOT NULL,
                body bytea NOT NULL, station text NOT NULL, received_ms bigint NOT NULL, has_before boolean NOT NULL,
                site_before text, team_before text, site_after text, team_after text, UNIQUE (replica, seq))
            """,
            "CREATE INDEX operations_by_ticket ON operations (ticket, position)",
            // Operations refused for good (a re-send gets the same answer).
            """
            CREATE TABLE rejections (
                replica bigint NOT NULL, seq bigint NOT NULL, code text NOT NULL, message text NOT NULL,
                station text NOT NULL, received_ms bigint NOT NULL, PRIMARY KEY (replica, seq))
            """,
            // Materialised tickets: placement for scope checks, and the detail-free CRDT state.
            "CREATE TABLE tickets (id bytea PRIMARY KEY, site text, team text, state bytea NOT NULL)",
            // Per replica: every seq up to `decided` is in operations or rejections.
            "CREATE TABLE replicas (replica bigint PRIMARY KEY, decided bigint NOT NULL)",
        ],
        [
            // What each credential is for: 'station', 'integration' (HTTP API) or 'dashboard'.
            "ALTER TABLE stations ADD COLUMN kind text NOT NULL DEFAULT 'station'",
        ],
        [
            // The SLA engine, as in the SQLite store (ServerSchema+SLA): small named integers
            // ('cursor': the last log position planned), the counted time of each planned entry,
            // each station's last two contacts, the timers (attempt is the fencing number; state
            // 0 pending, 1 claimed, 2 done, 3 cancelled), the webhook outbox (event_id is the
            // idempotency key; state 0 pending, 1 delivered, 2 dead) and the report facts.
            "CREATE TABLE sla_meta (key text PRIMARY KEY, value bigint NOT NULL)",
            "CREATE TABLE sla_counted (position bigint PRIMARY KEY, counted_ms bigint NOT NULL)",
            "CREATE TABLE sla_contacts (station text PRIMARY KEY, last_ms bigint NOT NULL, previous_ms bigint NOT NULL)",
            """
            CREATE TABLE sla_timers (
                id bigserial PRIMARY KEY, ticket bytea NOT NULL, key text NOT NULL, kind text NOT NULL, due_ms bigint NOT NULL,
                state bigint NOT NULL, attempt bigint NOT NULL, lease_owner text, lease_until_ms bigint, fired_ms bigint, outcome text,
                UNIQUE (ticket, key))
            """,
            "CREATE INDEX sla_timers_pending ON sla_timers (due_ms) WHERE state = 0",
            "CREATE INDEX sla_timers_claimed ON sla_timers (lease_until_ms) WHERE state = 1",
            """
            CREATE TABLE sla_webhooks (
                id bigserial PRIMARY KEY, event_id text NOT NULL UNIQUE, endpoint text NOT NULL, type text NOT NULL, body bytea NOT NULL,
                state bigint NOT NULL, attempts bigint NOT NULL, next_attempt_ms bigint NOT NULL, last_error text,
                created_ms bigint NOT NULL, delivered_ms bigint)
            """,
            "CREATE INDEX sla_webhooks_pending ON sla_webhooks (next_attempt_ms) WHERE state = 0",
            """
            CREATE TABLE report_facts (
                ticket bytea PRIMARY KEY, created_ms bigint NOT NULL, site text NOT NULL, team text NOT NULL, body bytea NOT NULL)
            """,
            "CREATE INDEX report_facts_by_created ON report_facts (created_ms)",
        ],
    ]

    /// The schema version this build writes.
    static var latest: Int32 { Int32(migrations.count) }

    /// What a migration run did.
    struct Outcome: Sendable, Equatable {
        var from: Int32
        var to: Int32
    }

    /// Brings the database to ``latest``; refuses one at a newer version.
    static func migrate(_ connection: PostgresConnection, database: DatabaseURL, logger: Logger) async throws -> Outcome {
        try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
        try await connection.query(
            "CREATE TABLE IF NOT EXISTS ticketsync_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            logger: logger
        )
        let current = try await version(connection, logger: logger)
        guard current <= latest else { throw newer(current, database: database) }
        for version in (current + 1)..<(latest + 1) {
            for statement in migrations[Int(version) - 1] {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("INSERT INTO ticketsync_schema (version) VALUES (\(version))", logger: logger)
            logger.info("applied schema migration", metadata: ["ticketsync.schema_version": .stringConvertible(version)])
        }
        return Outcome(from: current, to: latest)
    }

    /// The version recorded in the database (0: none yet).
    static func version(_ connection: PostgresConnection, logger: Logger) async throws -> Int32 {
        let exists = try await connection.query("SELECT to_regclass('ticketsync_schema') IS NOT NULL", logger: logger)
        for try await present in exists.decode(Bool.self) where !present { return 0 }
        let rows = try await connection.query("SELECT COALESCE(MAX(version), 0)::integer FROM ticketsync_schema", logger: logger)
        for try await version in rows.decode(Int32.self) { return version }
        return 0
    }

    static func newer(_ version: Int32, database: DatabaseURL) -> ServerError {
        ServerError(
            .storage,
            "the server store in \(database) has schema version \(version), written by a newer TicketSync "
                + "(this ticketsyncd knows up to \(latest)); upgrade ticketsyncd to open it"
        )
    }
}
