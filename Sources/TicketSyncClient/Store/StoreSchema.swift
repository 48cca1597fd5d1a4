internal import GRDB

/// The station store's schema, as GRDB migrations. A store whose applied migrations this build
/// does not know was written by a newer TicketSync and is refused.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // Station identity, clock, sequence, server settings and cursor: one row per key.
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;

                -- Every operation this station has accepted, its own and others'. The log is the
                -- truth; tickets below are derived from it.
                CREATE TABLE operations (
                    position INTEGER PRIMARY KEY,
                    replica INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    ticket BLOB NOT NULL,
                    body BLOB NOT NULL,
                    UNIQUE (replica, seq)
                );
                CREATE INDEX operations_by_ticket ON operations (ticket);

                -- This station's operations not yet acknowledged by a server.
                CREATE TABLE outbox (seq INTEGER PRIMARY KEY NOT NULL);

                -- Materialised tickets: query columns, and the CRDT state needed to apply more.
                CREATE TABLE tickets (
                    id BLOB NOT NULL UNIQUE,
                    is_created INTEGER NOT NULL,
                    title TEXT, description TEXT,
                    status TEXT, priority TEXT, priority_rank INTEGER, status_rank INTEGER,
                    category TEXT, site TEXT, assignee TEXT, team TEXT, requester TEXT, order_ref TEXT,
                    tags TEXT NOT NULL DEFAULT '',
                    tier INTEGER NOT NULL DEFAULT 1,
                    created_ms INTEGER, updated_ms INTEGER,
                    state BLOB NOT NULL
                );
                CREATE INDEX tickets_by_status_site ON tickets (status, site, updated_ms);
                CREATE INDEX tickets_by_updated ON tickets (updated_ms);
                CREATE INDEX tickets_by_assignee ON tickets (assignee, status);
                """)
        }
        return migrator
    }
}
