internal import GRDB

/// Migration `v3-reports`: what each credential is for, and one row of report facts per ticket.
extension ServerSchema {
    static func registerReports(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-reports") { db in
            try db.execute(sql: """
                -- 'station' (syncs), 'integration' (HTTP API key) or 'dashboard' (a person's login).
                ALTER TABLE stations ADD COLUMN kind TEXT NOT NULL DEFAULT 'station';

                -- What the KPIs need of each ticket (TicketFacts as JSON), written by the SLA
                -- planner in the transaction that plans the ticket's timers. site and team are
                -- columns for scoped reports; created_ms for time ranges.
                CREATE TABLE report_facts (
                    ticket BLOB PRIMARY KEY NOT NULL,
                    created_ms INTEGER NOT NULL,
                    site TEXT NOT NULL,
                    team TEXT NOT NULL,
                    body BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX report_facts_by_created ON report_facts (created_ms);

                -- Tickets planned before this migration have no facts yet: forgetting the planned
                -- policy version makes the engine re-plan every ticket on its next start.
                DELETE FROM meta WHERE key = 'sla_policy_version';
                """)
        }
    }
}
