internal import Foundation
internal import GRDB
internal import TicketSyncServer

/// The `sla_webhooks` outbox.
enum WebhookRows {
    /// Queues an event; an event id already queued is kept as it is (returns false).
    static func enqueue(_ event: WebhookEvent, now: UInt64, _ db: Database) throws -> Bool {
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO sla_webhooks (event_id, endpoint, type, body, state, attempts, next_attempt_ms, created_ms)
            VALUES (?, ?, ?, ?, 0, 0, ?, ?)
            """)
            .execute(arguments: [event.eventID, event.endpoint, event.type, Data(event.body), Int64(bitPattern: now), Int64(bitPattern: now)])
        return db.changesCount > 0
    }

    static func claim(now: UInt64, limit: Int, leaseMillis: UInt64, _ db: Database) throws -> [WebhookDelivery] {
        try Row.fetchAll(
            db.cachedStatement(sql: """
                UPDATE sla_webhooks SET attempts = attempts + 1, next_attempt_ms = ?1
                WHERE id IN (SELECT id FROM sla_webhooks WHERE state = 0 AND next_attempt_ms <= ?2 ORDER BY next_attempt_ms LIMIT ?3)
                RETURNING id, event_id, endpoint, type, body, attempts
                """),
            arguments: [Int64(bitPattern: now &+ leaseMillis), Int64(bitPattern: now), limit]
        )
        .map { row in
            let body: Data = row["body"]
            return WebhookDelivery(
                id: row["id"], event: WebhookEvent(eventID: row["event_id"], endpoint: row["endpoint"], type: row["type"], body: [UInt8](body)),
                attempt: row["attempts"]
            )
        }
        .sorted { $0.id < $1.id }
    }

    static func finish(_ delivery: WebhookDelivery, outcome: WebhookOutcome, now: UInt64, _ db: Database) throws {
        let fence = "WHERE id = ? AND attempts = ? AND state = 0"
        switch outcome {
        case .delivered:
            try db.execute(
                sql: "UPDATE sla_webhooks SET state = 1, delivered_ms = ?, last_error = NULL \(fence)",
                arguments: [Int64(bitPattern: now), delivery.id, delivery.attempt]
            )
        case .retry(let next, let error):
            try db.execute(
                sql: "UPDATE sla_webhooks SET next_attempt_ms = ?, last_error = ? \(fence)",
                arguments: [Int64(bitPattern: next), String(error.prefix(500)), delivery.id, delivery.attempt]
            )
        case .dead(let error):
            try db.execute(
                sql: "UPDATE sla_webhooks SET state = 2, last_error = ? \(fence)",
                arguments: [String(error.prefix(500)), delivery.id, delivery.attempt]
            )
        }
    }

    static func nextDue(_ db: Database) throws -> UInt64? {
        try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_ms) FROM sla_webhooks WHERE state = 0").map { UInt64(bitPattern: max(0, $0)) }
    }

    static func list(includeDelivered: Bool, limit: Int, _ db: Database) throws -> [WebhookRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, event_id, endpoint, type, state, attempts, next_attempt_ms, last_error, created_ms, delivered_ms
                FROM sla_webhooks \(includeDelivered ? "" : "WHERE state <> 1") ORDER BY id DESC LIMIT ?
                """,
            arguments: [limit]
        )
        .map { row in
            let delivered: Int64? = row["delivered_ms"]
            return WebhookRecord(
                id: row["id"], eventID: row["event_id"], endpoint: row["endpoint"], type: row["type"], state: WebhookState(code: row["state"]),
                attempts: row["attempts"], nextAttemptMillis: UInt64(bitPattern: row["next_attempt_ms"]), lastError: row["last_error"],
                createdMillis: UInt64(bitPattern: row["created_ms"]), deliveredMillis: delivered.map { UInt64(bitPattern: $0) }
            )
        }
    }
}
