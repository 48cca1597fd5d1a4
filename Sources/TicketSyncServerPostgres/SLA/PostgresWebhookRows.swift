internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import TicketSyncServer

/// The `sla_webhooks` outbox on PostgreSQL: the SQLite store's `WebhookRows`, rule for rule.
struct PostgresWebhookRows {
    let connection: PostgresConnection
    let logger: Logger

    /// Queues `events` in one statement; an event id already queued is kept as it is. Returns
    /// how many were queued.
    func enqueue(_ events: [WebhookEvent], now: UInt64) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        let ids = events.map(\.eventID), endpoints = events.map(\.endpoint), types = events.map(\.type)
        let bodies = events.map { ByteBuffer(bytes: $0.body) }
        let at = Int64(bitPattern: now)
        let rows = try await connection.query(
            """
            INSERT INTO sla_webhooks (event_id, endpoint, type, body, state, attempts, next_attempt_ms, created_ms)
            SELECT i, e, t, b, 0, 0, \(at), \(at)
            FROM unnest(\(ids)::text[], \(endpoints)::text[], \(types)::text[], \(bodies)::bytea[]) WITH ORDINALITY AS u(i, e, t, b, n)
            ORDER BY n
            ON CONFLICT (event_id) DO NOTHING RETURNING id
            """,
            logger: logger
        )
        var inserted = 0
        for try await _ in rows.decode(Int64.self) { inserted += 1 }
        return inserted
    }

    func claim(now: UInt64, limit: Int, leaseMillis: UInt64) async throws -> [WebhookDelivery] {
        let next = Int64(bitPattern: now &+ leaseMillis)
        let current = Int64(bitPattern: now)
        let count = Int64(limit)
        let rows = try await connection.query(
            """
            UPDATE sla_webhooks SET attempts = attempts + 1, next_attempt_ms = \(next)
            WHERE id IN (
                SELECT id FROM sla_webhooks WHERE state = 0 AND next_attempt_ms <= \(current) ORDER BY next_attempt_ms LIMIT \(count)
                FOR UPDATE SKIP LOCKED)
            RETURNING id, event_id, endpoint, type, body, attempts
            """,
            logger: logger
        )
        var deliveries: [WebhookDelivery] = []
        for try await (id, eventID, endpoint, type, body, attempts) in rows.decode((Int64, String, String, String, ByteBuffer, Int64).self) {
            deliveries.append(WebhookDelivery(
                id: id, event: WebhookEvent(eventID: eventID, endpoint: endpoint, type: type, body: Array(body.readableBytesView)), attempt: Int(attempts)
            ))
        }
        return deliveries.sorted { $0.id < $1.id }
    }

    func finish(_ delivery: WebhookDelivery, outcome: WebhookOutcome, now: UInt64) async throws {
        let (id, attempt) = (delivery.id, Int64(delivery.attempt))
        switch outcome {
        case .delivered:
            let at = Int64(bitPattern: now)
            try await connection.query(
                "UPDATE sla_webhooks SET state = 1, delivered_ms = \(at), last_error = NULL WHERE id = \(id) AND attempts = \(attempt) AND state = 0",
                logger: logger
            )
        case .retry(let next, let error):
            let at = Int64(bitPattern: next)
            let text = String(error.prefix(500))
            try await connection.query(
                "UPDATE sla_webhooks SET next_attempt_ms = \(at), last_error = \(text) WHERE id = \(id) AND attempts = \(attempt) AND state = 0",
                logger: logger
            )
        case .dead(let error):
            let text = String(error.prefix(500))
            try await connection.query(
                "UPDATE sla_webhooks SET state = 2, last_error = \(text) WHERE id = \(id) AND attempts = \(attempt) AND state = 0",
                logger: logger
            )
        }
    }

    func nextDue() async throws -> UInt64? {
        let rows = try await connection.query("SELECT MIN(next_attempt_ms) FROM sla_webhooks WHERE state = 0", logger: logger)
        for try await value in rows.decode(Int64?.self) { return value.map { UInt64(bitPattern: max(0, $0)) } }
        return nil
    }

    func list(includeDelivered: Bool, limit: Int) async throws -> [WebhookRecord] {
        let count = Int64(limit)
        let rows = try await connection.query(
            """
            SELECT id, event_id, endpoint, type, state, attempts, next_attempt_ms, last_error, created_ms, delivered_ms
            FROM sla_webhooks WHERE \(includeDelivered) OR state <> 1 ORDER BY id DESC LIMIT \(count)
            """,
            logger: logger
        )
        var records: [WebhookRecord] = []
        for try await (id, eventID, endpoint, type, state, attempts, next, error, created, delivered)
            in rows.decode((Int64, String, String, String, Int64, Int64, Int64, String?, Int64, Int64?).self)
        {
            records.append(WebhookRecord(
                id: id, eventID: eventID, endpoint: endpoint, type: type, state: WebhookState(code: Int(state)), attempts: Int(attempts),
                nextAttemptMillis: UInt64(bitPattern: next), lastError: error, createdMillis: UInt64(bitPattern: created),
                deliveredMillis: delivered.map { UInt64(bitPattern: $0) }
            ))
        }
        return records
    }
}
