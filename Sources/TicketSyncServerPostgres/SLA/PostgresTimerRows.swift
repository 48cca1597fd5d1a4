internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import TicketModel
internal import TicketSyncServer

/// The `sla_timers` table on PostgreSQL: the SQLite store's `TimerRows`, rule for rule.
struct PostgresTimerRows {
    let connection: PostgresConnection
    let logger: Logger

    /// Makes each ticket's open timers match its planned ones (the rule is ``TimerChanges``), in
    /// at most four statements for the whole batch: one read of the tickets' rows, then the
    /// moves, the cancels and the inserts, each one statement of `unnest`ed arrays.
    func replace(_ plans: [TicketID: [PlannedTimer]], now: UInt64) async throws {
        guard !plans.isEmpty else { return }
        let ids = plans.keys.map { ByteBuffer(bytes: $0.bytes) }
        let rows = try await connection.query(
            "SELECT ticket, id, key, kind, due_ms, state FROM sla_timers WHERE ticket = ANY(\(ids)::bytea[])", logger: logger
        )
        var existing: [TicketID: [StoredTimer]] = [:]
        for try await (ticketBytes, id, key, kind, due, state) in rows.decode((ByteBuffer, Int64, String, String, Int64, Int64).self) {
            guard let ticket = TicketID(bytes: ticketBytes.readableBytesView) else {
                throw ServerError(.storage, "timer \(id) has a damaged ticket id; restore the store from a backup")
            }
            existing[ticket, default: []].append(
                StoredTimer(id: id, key: key, kind: kind, dueMillis: UInt64(bitPattern: due), state: TimerState(code: Int(state)))
            )
        }
        var movedIDs: [Int64] = [], movedDues: [Int64] = [], movedKinds: [String] = [], cancelled: [Int64] = []
        var newTickets: [ByteBuffer] = [], newKeys: [String] = [], newKinds: [String] = [], newDues: [Int64] = []
        for (ticket, planned) in plans {
            let changes = try TimerChanges(existing: existing[ticket] ?? [], planned: planned, now: now)
            for (id, timer) in changes.moved {
                movedIDs.append(id)
                movedDues.append(Int64(bitPattern: timer.dueMillis))
                movedKinds.append(timer.kind.rawValue)
            }
            cancelled += changes.cancelled
            for timer in changes.inserted {
                newTickets.append(ByteBuffer(bytes: ticket.bytes))
                newKeys.append(timer.key)
                newKinds.append(timer.kind.rawValue)
                newDues.append(Int64(bitPattern: timer.dueMillis))
            }
        }
        if !movedIDs.isEmpty {
            try await connection.query(
                """
                UPDATE sla_timers t SET due_ms = u.due, kind = u.kind, state = 0, attempt = t.attempt + 1,
                    lease_owner = NULL, lease_until_ms = NULL
                FROM unnest(\(movedIDs)::bigint[], \(movedDues)::bigint[], \(movedKinds)::text[]) AS u(id, due, kind) WHERE t.id = u.id
                """,
                logger: logger
            )
        }
        if !cancelled.isEmpty {
            try await connection.query(
                """
                UPDATE sla_timers SET state = 3, attempt = attempt + 1, lease_owner = NULL, lease_until_ms = NULL
                WHERE id = ANY(\(cancelled)::bigint[])
                """,
                logger: logger
            )
        }
        if !newKeys.isEmpty {
            try await connection.query(
                """
                INSERT INTO sla_timers (ticket, key, kind, due_ms, state, attempt)
                SELECT t, k, c, d, 0, 0 FROM unnest(\(newTickets)::bytea[], \(newKeys)::text[], \(newKinds)::text[], \(newDues)::bigint[])
                    AS u(t, k, c, d)
                """,
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

    /// Of `claims`, the timer ids still claimed under their attempt, in one query.
    func holding(_ claims: [TimerClaim]) async throws -> Set<Int64> {
        guard !claims.isEmpty else { return [] }
        let ids = claims.map(\.id), attempts = claims.map(\.attempt)
        let rows = try await connection.query(
            """
            SELECT t.id FROM sla_timers t JOIN unnest(\(ids)::bigint[], \(attempts)::bigint[]) AS u(id, attempt)
                ON t.id = u.id AND t.attempt = u.attempt
            WHERE t.state = 1
            """,
            logger: logger
        )
        var held = Set<Int64>()
        for try await id in rows.decode(Int64.self) { held.insert(id) }
        return held
    }

    /// Completes claimed timers with their outcomes (each fenced by its attempt), in one statement.
    func complete(_ done: [(claim: TimerClaim, outcome: String)], now: UInt64) async throws {
        guard !done.isEmpty else { return }
        let ids = done.map(\.claim.id), attempts = done.map(\.claim.attempt), outcomes = done.map { String($0.outcome.prefix(500)) }
        let fired = Int64(bitPattern: now)
        try await connection.query(
            """
            UPDATE sla_timers t SET state = 2, fired_ms = \(fired), outcome = u.outcome, lease_owner = NULL, lease_until_ms = NULL
            FROM unnest(\(ids)::bigint[], \(attempts)::bigint[], \(outcomes)::text[]) AS u(id, attempt, outcome)
            WHERE t.id = u.id AND t.attempt = u.attempt AND t.state = 1
            """,
            logger: logger
        )
    }

    /// Hands claimed timers back, unfired, to be claimed again at once (each fenced by its attempt).
    func release(_ claims: [TimerClaim]) async throws {
        guard !claims.isEmpty else { return }
        let ids = claims.map(\.id), attempts = claims.map(\.attempt)
        try await connection.query(
            """
            UPDATE sla_timers t SET state = 0, lease_owner = NULL, lease_until_ms = NULL
            FROM unnest(\(ids)::bigint[], \(attempts)::bigint[]) AS u(id, attempt)
            WHERE t.id = u.id AND t.attempt = u.attempt AND t.state = 1
            """,
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
