internal import GRDB

/// The server store's schema, as GRDB migrations. A store whose applied migrations this build
/// does not know was written by a newer `ticketsyncd` and is refused (see `SQLiteServerStore.init`).
enum ServerSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                -- Small named values: the server's replica id.
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;

                -- Station credentials. The secret is kept only as its SHA-256; scopes are a JSON
                -- array of scope texts ("all", "site:DFW1", ...); replica is bound on first use.
                CREATE TABLE stations (
                    name TEXT PRIMARY KEY NOT NULL,
                    token_hash BLOB NOT NULL UNIQUE,
                    scopes TEXT NOT NULL,
                    replica INTEGER,
                    revoked INTEGER NOT NULL DEFAULT 0,
                    created_ms INTEGER NOT NULL
                );
                CREATE INDEX stations_by_replica ON stations (replica);

                -- The log: every accepted operation, in the order accepted. AUTOINCREMENT so a
                -- position is never reused, even after the last row is deleted; positions are the
                -- stations' pull cursors. Placements (site, team) before and after each operation
                -- let the pull side enforce scopes without replaying tickets.
                CREATE TABLE operations (
                    position INTEGER PRIMARY KEY AUTOINCREMENT,
                    replica INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    ticket BLOB NOT NULL,
                    body BLOB NOT NULL,
                    station TEXT NOT NULL,
                    received_ms INTEGER NOT NULL,
                    has_before INTEGER NOT NULL,
                    site_before TEXT,
                    team_before TEXT,
                    site_after TEXT,
                    team_after TEXT,
                    UNIQUE (replica, seq)
                );
                CREATE INDEX operations_by_ticket ON operations (ticket, position);

                -- Operations refused for good: a re-sent one gets the same answer, and counts as
                -- decided so the replica's acknowledged sequence can pass it.
                CREATE TABLE rejections (
                    replica INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    code TEXT NOT NULL,
                    message TEXT NOT NULL,
                    station TEXT NOT NULL,
                    received_ms INTEGER NOT NULL,
                    PRIMARY KEY (replica, seq)
                ) WITHOUT ROWID;

                -- Materialised tickets: placement columns for scope queries, and the detail-free
                -- CRDT state needed to validate and apply the next operation.
                CREATE TABLE tickets (
                    id BLOB PRIMARY KEY NOT NULL,
                    site TEXT,
                    team TEXT,
                    state BLOB NOT NULL
                );
                CREATE INDEX tickets_by_site ON tickets (site);
                CREATE INDEX tickets_by_team ON tickets (team);

                -- Per replica: the highest seq such that every seq up to it is in operations or
                -- rejections (what a station may drop from its outbox).
                CREATE TABLE replicas (replica INTEGER PRIMARY KEY NOT NULL, decided INTEGER NOT NULL);
                """)
        }
        registerSLA(&migrator)
        registerReports(&migrator)
        return migrator
    }
}
