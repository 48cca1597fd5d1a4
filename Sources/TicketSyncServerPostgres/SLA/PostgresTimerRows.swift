internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import TicketModel
internal import TicketSyncServer

/// The `sla_timers` table on PostgreSQL: the SQLite store's `TimerRows`, rule for rule.
struct PostgresTimerRows {
    let connection: PostgresConnection
    let logger: Logger

    /// Makes the ticket's open timers match `planned` (see the SQLite store's `TimerRows.replace`):
    /// a changed wanted timer is moved with its attempt raised, a cancelled one revived, a new
    /// one inserted, a done one left done; an open timer no longer wanted is cancelled unless it
    /// is already due.
    func replace(ticket: TicketID, with planned: [PlannedTimer], now: UInt64) async throws {
        let id = ByteBuffer(bytes: ticket.bytes)
        var wanted: [String: PlannedTimer] = [:]
        for timer in planned { wanted[timer.key] = timer }
        let rows = try await connection.query("SELECT id, key, kind, due_ms, state FROM sla_timers WHERE ticket = \(id)", logger: logger)
        var existing = Set<String>()
        var read: [(Int64, String, String, Int64, Int64)] = []
        for try await row in rows.decode((Int64, String, String, Int64, Int64).self) { read.append(row) }
        for (timerID, key, kind, dueValue, stateCode) in read {
            let state = TimerState(code: Int(stateCode))
            let due = UInt64(bitPattern: dueValue)
            existing.insert(key)
            if state == .done { continue }
            if let timer = wanted[key] {
                if state == .cancelled || due != timer.dueMillis || kind != timer.kind.rawValue {
                    let newDue = Int64(bitPattern: timer.dueMillis)
                    let newKind = timer.kind.rawValue
                    try await connection.query(
                        """
                        UPDATE sla_timers SET due_ms = \(newDue), kind = \(newKind), state = 0, attempt = attempt + 1,
                            lease_owner = NULL, lease_until_ms = NULL WHERE id = \(timerID)
                        """,
                        logger: logger
                    )
                }
            } else if state != .cancelled && due > now {
                try await connection.query(
                    "UPDATE sla_timers SET state = 3, attempt = attempt + 1, lease_owner = NULL, lease_until_ms = NULL WHERE id = \(timerID)",
                    logger: logger
                )
            }
        }
        for timer in planned where !existing.contains(timer.key) {
            guard timer.key.utf8.count <= 200 else {
                throw ServerError(.storage, "the SLA engine made a timer key of \(timer.key.utf8.count) bytes; the limit is 200")
            }
            let due = Int64(bitPattern: timer.dueMillis)
            let kind = timer.kind.rawValue
            let key = timer.key
            try await connection.query(
                "INSERT INTO sla_timers (ticket, key, kind, due_ms, state, attempt) VALUES (\(id), \(key), \(kind), \(due), 0, 0)",
                logger: logger
            )
        }
    }

    /// Claims due timers, earliest first: pending ones due by `now`, then claimed ones whose
    /// lease lapsed. `FOR UPDATE SKIP LOCKED`: nodes claiming at once take different timers, and
    /// none waits for another (a claim writes no log, so it needs no `log_head` lock).
    func claim(now: UInt64, limit: Int, leaseMillis: UInt64, owner: String) async throws -> [TimerClaim] {
        let until = Int64(bitPattern: now &+ leaseMillis)
        let current = Int64(bitPattern: now)
        let count = Int64(limit)
        let rows = try await connection.query(
            """
            WITH due AS (
                    SELECT id FROM sla_timers WHERE state = 0 AND due_ms <= \(current) ORDER BY due_ms LIMIT \(count) FOR UPDATE SKIP LOCKED),
                lapsed AS (
                    SELECT id FROM sla_timers WHERE state = 1 AND lease_until_ms <= \(current) ORDER BY lease_until_ms LIMIT \(count)
                    FOR UPDATE SKIP LOCKED)
            UPDATE sla_timers SET state = 1, attempt = attempt + 1, lease_owner = \(owner), lease_until_ms = \(until)
            WHERE id IN (SELECT id FROM due UNION ALL SELECT id FROM lapsed)
            RETURNING id, ticket, key, kind, due_ms, attempt
            """,
            logger: logger
        )
        var claims: [TimerClaim] = []
        for try await (id, ticketBytes, key, kind, due, attempt) in rows.decode((Int64, ByteBuffer, String, String, Int64, Int64).self) {
            guard let ticket = TicketID(bytes: ticketBytes.readableBytesView) else {
                throw ServerError(.storage, "timer \(id) has a damaged ticket id; restore the store from a backup")
            }
            claims.append(TimerClaim(id: id, ticket: ticket, key: key, kind: TimerKind(rawValue: kind), dueMillis: UInt64(bitPattern: due), attempt: attempt))
        }
        return claims.sorted { ($0.dueMillis, $0.id) < ($1.dueMillis, $1.id) }
    }

    /// Whether the timer is still claimed under its attempt.
    func holds(_ claim: TimerClaim) async throws -> Bool {
        let (id, attempt) = (claim.id, claim.attempt)
        let rows = try await connection.query(
            "SELECT EXISTS (SELECT 1 FROM sla_timers WHERE id = \(id) AND state = 1 AND attempt = \(attempt))", logger: logger
        )
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    /// Completes a claimed timer (fenced by its attempt).
    func complete(_ claim: TimerClaim, now: UInt64, outcome: String) async throws {
        let (id, attempt) = (claim.id, claim.attempt)
        let fired = Int64(bitPattern: now)
        let text = String(outcome.prefix(500))
        try await connection.query(
            """
            UPDATE sla_timers SET state = 2, fired_ms = \(fired), outcome = \(text), lease_owner = NULL, lease_until_ms = NULL
            WHERE id = \(id) AND attempt = \(attempt) AND state = 1
            """,
            logger: logger
        )
    }

    /// Hands a claimed timer back, unfired, to be claimed again at once.
    func release(_ claim: TimerClaim) async throws {
        let (id, attempt) = (claim.id, claim.attempt)
        try await connection.query(
            "UPDATE sla_timers SET state = 0, lease_owner = NULL, lease_until_ms = NULL WHERE id = \(id) AND attempt = \(attempt) AND state = 1",
            logger: logger
        )
    }

    /// The earliest due time of a pending timer or lease end of a claimed one.
    func nextDue() async throws -> UInt64? {
        let rows = try await connection.query(
            """
            SELECT LEAST((SELECT MIN(due_ms) FROM sla_timers WHERE state = 0), (SELECT MIN(lease_until_ms) FROM sla_timers WHERE state = 1))
            """,
            logger: logger
        )
        for try await value in rows.decode(Int64?.self) { return value.map { UInt64(bitPattern: max(0, $0)) } }
        return nil
    }

    func all(of ticket: TicketID) async throws -> [TimerRecord] {
        let id = ByteBuffer(bytes: ticket.bytes)
        let rows = try await connection.query(
            "SELECT id, key, kind, due_ms, state, attempt, fired_ms, outcome FROM sla_timers WHERE ticket = \(id) ORDER BY due_ms, id",
            logger: logger
        )
        var records: [TimerRecord] = []
        for try await (timerID, key, kind, due, state, attempt, fired, outcome)
            in rows.decode((Int64, String, String, Int64, Int64, Int64, Int64?, String?).self)
        {
            records.append(TimerRecord(
                id: timerID, ticket: ticket, key: key, kind: TimerKind(rawValue: kind), dueMillis: UInt64(bitPattern: due),
                state: TimerState(code: Int(state)), attempt: attempt, firedMillis: fired.map { UInt64(bitPattern: $0) }, outcome: outcome
            ))
        }
        return records
    }
}
