internal import GRDB

/// The SLA engine's tables (migration `v2-sla`): its log cursor, the counted time of each log
/// entry, each station's last two contacts, the timers, and the webhook outbox. They live in the
/// server's one SQLite file so that a timer's effect, its completion and its outbox rows commit
/// in one transaction with the log.
extension ServerSchema {
    static func registerSLA(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-sla") { db in
            try db.execute(sql: """
                -- Small named integers of the SLA engine: 'cursor' (the last log position planned).
                CREATE TABLE sla_meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;

                -- The time that counts for the SLA of each planned log entry (see CountedTimeRule),
                -- fixed once, when the engine first reads the entry, so re-planning is exact.
                CREATE TABLE sla_counted (position INTEGER PRIMARY KEY NOT NULL, counted_ms INTEGER NOT NULL);

                -- Per station: its latest receipt time and the one before (its previous contact).
                CREATE TABLE sla_contacts (
                    station TEXT PRIMARY KEY NOT NULL,
                    last_ms INTEGER NOT NULL,
                    previous_ms INTEGER NOT NULL
                ) WITHOUT ROWID;

                -- Durable timers. (ticket, key) is a timer's identity: re-planning moves it, and
                -- once done it never fires again. attempt is the fencing number: every claim and
                -- every move raises it, and an effect is written only under the attempt it claimed.
                -- state: 0 pending, 1 claimed, 2 done, 3 cancelled.
                CREATE TABLE sla_timers (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ticket BLOB NOT NULL,
                    key TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    due_ms INTEGER NOT NULL,
                    state INTEGER NOT NULL,
                    attempt INTEGER NOT NULL,
                    lease_owner TEXT,
                    lease_until_ms INTEGER,
                    fired_ms INTEGER,
                    outcome TEXT,
                    UNIQUE (ticket, key)
                );
                CREATE INDEX sla_timers_pending ON sla_timers (due_ms) WHERE state = 0;
                CREATE INDEX sla_timers_claimed ON sla_timers (lease_until_ms) WHERE state = 1;

                -- The webhook outbox. event_id is the idempotency key (one row per event and
                -- endpoint); attempts is the fence of the sender's claims.
                -- state: 0 pending, 1 delivered, 2 dead.
                CREATE TABLE sla_webhooks (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL UNIQUE,
                    endpoint TEXT NOT NULL,
                    type TEXT NOT NULL,
                    body BLOB NOT NULL,
                    state INTEGER NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_ms INTEGER NOT NULL,
                    last_error TEXT,
                    created_ms INTEGER NOT NULL,
                    delivered_ms INTEGER
                );
                CREATE INDEX sla_webhooks_pending ON sla_webhooks (next_attempt_ms) WHERE state = 0;
                """)
        }
    }
}
