internal import GRDB
internal import TicketModel

/// The station store's schema, as GRDB migrations. A store whose applied migrations this build
/// does not know was written by a newer TicketSync and is refused.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // Station identity, clock, sequence, server settings and cursor: one row per key.
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;

                -- Every operation this station has accepted, its own and others', in the order
                -- accepted (position). The log is the truth; tickets below are derived from it.
                -- `prev` is the position of the previous operation on the same ticket: a ticket's
                -- operations form a chain from tickets.last_op back, which replaces an index by
                -- ticket (written at random places by every batch). The body is the canonical
                -- encoding of a batch holding just the operation.
                CREATE TABLE operations (
                    position INTEGER PRIMARY KEY,
                    replica INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    prev INTEGER,
                    body BLOB NOT NULL,
                    UNIQUE (replica, seq)
                );

                -- This station's operations not yet acknowledged by a server.
                CREATE TABLE outbox (seq INTEGER PRIMARY KEY NOT NULL);

                -- Materialised tickets: the query columns, the head of the ticket's operation
                -- chain and how many operations it holds.
                CREATE TABLE tickets (
                    key INTEGER PRIMARY KEY AUTOINCREMENT,
                    id BLOB NOT NULL UNIQUE,
                    is_created INTEGER NOT NULL,
                    title TEXT, description TEXT,
                    status TEXT, priority TEXT, priority_rank INTEGER, status_rank INTEGER,
                    category TEXT, site TEXT, assignee TEXT, team TEXT, requester TEXT, order_ref TEXT,
                    tags TEXT NOT NULL DEFAULT '',
                    tier INTEGER NOT NULL DEFAULT 1,
                    created_ms INTEGER, updated_ms INTEGER,
                    op_count INTEGER NOT NULL,
                    last_op INTEGER NOT NULL,
                    -- A new random number at every save: how a station's in-memory cache of
                    -- states (TicketCache) sees that another process changed the row.
                    version INTEGER NOT NULL
                );
                -- The list the CLI runs most (status and site, newest first) reads this index;
                -- other filters and orders scan the table (about 40 ms at 100,000 tickets). Every
                -- further index would be written by every batch.
                CREATE INDEX tickets_by_status_site ON tickets (status, site, updated_ms);

                -- The fields-only CRDT state of a ticket (TicketState's compact store encoding)
                -- after its operations up to position through_op; rewritten every
                -- TicketRow.snapshotInterval operations, not at every change. A ticket's state is
                -- its snapshot plus the operations of its chain after through_op.
                CREATE TABLE ticket_states (
                    ticket INTEGER PRIMARY KEY,
                    through_op INTEGER NOT NULL,
                    state BLOB NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2") { db in
            // Which operation ids the log holds moves from a unique index on (replica, seq),
            // written by every operation inserted, to bitmaps (SeenOperations); the outbox names
            // its operations' positions, since nothing looks operations up by id any more.
            try db.execute(sql: """
                CREATE TABLE seen_ops (
                    replica INTEGER NOT NULL,
                    block INTEGER NOT NULL,
                    bits BLOB NOT NULL,
                    PRIMARY KEY (replica, block)
                ) WITHOUT ROWID;

                CREATE TABLE operations_v2 (
                    position INTEGER PRIMARY KEY,
                    replica INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    prev INTEGER,
                    body BLOB NOT NULL
                );
                INSERT INTO operations_v2 (position, replica, seq, prev, body)
                    SELECT position, replica, seq, prev, body FROM operations;

                CREATE TABLE outbox_v2 (seq INTEGER PRIMARY KEY NOT NULL, position INTEGER NOT NULL);
                """)
            if let own = try Meta.get(.replica, db).flatMap({ ReplicaID(hex: $0) }) {
                try db.execute(
                    sql: """
                        INSERT INTO outbox_v2 (seq, position)
                            SELECT x.seq, o.position FROM outbox x JOIN operations o ON o.replica = ? AND o.seq = x.seq
                        """,
                    arguments: [Int64(bitPattern: own.rawValue)]
                )
            }
            try db.execute(sql: """
                DROP TABLE outbox;
                DROP TABLE operations;
                ALTER TABLE operations_v2 RENAME TO operations;
                ALTER TABLE outbox_v2 RENAME TO outbox;
                """)
            try SeenOperations.rebuild(db)
        }
        return migrator
    }
}
