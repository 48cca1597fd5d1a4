internal import Foundation
internal import GRDB
internal import TicketModel
internal import TicketSyncServer

/// The `sla_timers` table.
enum TimerRows {
    /// Makes the ticket's open timers match `planned`: a wanted key that is pending or claimed is
    /// moved (its attempt raised, which fences off an in-flight claim) if its due time or kind
    /// changed; a cancelled one is revived; a new key is inserted; a done key stays done. An open
    /// timer no longer wanted is cancelled, unless it is already due at `now` (then it fires and
    /// its effect decides, on the ticket as it is then, whether anything is left to do).
    static func replace(ticket: TicketID, with planned: [PlannedTimer], now: UInt64, _ db: Database) throws {
        let ticketBytes = Data(ticket.bytes)
        var wanted: [String: PlannedTimer] = [:]
        for timer in planned { wanted[timer.key] = timer }
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, key, kind, due_ms, state FROM sla_timers WHERE ticket = ?"), arguments: [ticketBytes]
        )
        var existing = Set<String>()
        for row in rows {
            let id: Int64 = row["id"]
            let key: String = row["key"]
            let state = TimerState(code: row["state"])
            let due = UInt64(bitPattern: row["due_ms"])
            existing.insert(key)
            if state == .done { continue }
            if let timer = wanted[key] {
                if state == .cancelled || due != timer.dueMillis || (row["kind"] as String) != timer.kind.rawValue {
                    try db.cachedStatement(sql: """
                            UPDATE sla_timers SET due_ms = ?, kind = ?, state = 0, attempt = attempt + 1,
                                lease_owner = NULL, lease_until_ms = NULL WHERE id = ?
                            """).execute(arguments: [Int64(bitPattern: timer.dueMillis), timer.kind.rawValue, id]
                    )
                }
            } else if state != .cancelled && due > now {
                try db.cachedStatement(sql: "UPDATE sla_timers SET state = 3, attempt = attempt + 1, lease_owner = NULL, lease_until_ms = NULL WHERE id = ?").execute(arguments: [id]
                )
            }
        }
        let insert = try db.cachedStatement(
            sql: "INSERT INTO sla_timers (ticket, key, kind, due_ms, state, attempt) VALUES (?, ?, ?, ?, 0, 0)"
        )
        for timer in planned where !existing.contains(timer.key) {
            guard timer.key.utf8.count <= 200 else {
                throw ServerError(.storage, "the SLA engine made a timer key of \(timer.key.utf8.count) bytes; the limit is 200")
            }
            try insert.execute(arguments: [ticketBytes, timer.key, timer.kind.rawValue, Int64(bitPattern: timer.dueMillis)])
        }
    }

    /// Claims due timers, earliest first: pending ones due by `now`, then claimed ones whose lease lapsed.
    static func claim(now: UInt64, limit: Int, leaseMillis: UInt64, owner: String, _ db: Database) throws -> [TimerClaim] {
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: """
                UPDATE sla_timers SET state = 1, attempt = attempt + 1, lease_owner = ?1, lease_until_ms = ?2
                WHERE id IN (
                    SELECT id FROM (SELECT id, due_ms FROM sla_timers WHERE state = 0 AND due_ms <= ?3 ORDER BY due_ms LIMIT ?4)
                    UNION ALL
                    SELECT id FROM (SELECT id, due_ms FROM sla_timers WHERE state = 1 AND lease_until_ms <= ?3 ORDER BY lease_until_ms LIMIT ?4)
                )
                RETURNING id, ticket, key, kind, due_ms, attempt
                """),
            arguments: [owner, Int64(bitPattern: now &+ leaseMillis), Int64(bitPattern: now), limit]
        )
        return try rows.map { row in
            let bytes: Data = row["ticket"]
            guard let ticket = TicketID(bytes: [UInt8](bytes)) else {
                throw ServerError(.storage, "timer \(row["id"] as Int64) has a damaged ticket id; restore the store from a backup")
            }
            return TimerClaim(
                id: row["id"], ticket: ticket, key: row["key"], kind: TimerKind(rawValue: row["kind"]),
                dueMillis: UInt64(bitPattern: row["due_ms"]), attempt: row["attempt"]
            )
        }
        .sorted { ($0.dueMillis, $0.id) < ($1.dueMillis, $1.id) }
    }

    /// Whether the timer is still claimed under `attempt`.
    static func holds(_ claim: TimerClaim, _ db: Database) throws -> Bool {
        let statement = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM sla_timers WHERE id = ? AND state = 1 AND attempt = ?)")
        return try Bool.fetchOne(statement, arguments: [claim.id, claim.attempt]) ?? false
    }

    /// Completes a claimed timer (fenced by its attempt).
    static func complete(_ claim: TimerClaim, now: UInt64, outcome: String, _ db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE sla_timers SET state = 2, fired_ms = ?, outcome = ?, lease_owner = NULL, lease_until_ms = NULL
            WHERE id = ? AND attempt = ? AND state = 1
            """)
            .execute(arguments: [Int64(bitPattern: now), String(outcome.prefix(500)), claim.id, claim.attempt])
    }

    /// Hands a claimed timer back, unfired, to be claimed again at once.
    static func release(_ claim: TimerClaim, _ db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE sla_timers SET state = 0, lease_owner = NULL, lease_until_ms = NULL WHERE id = ? AND attempt = ? AND state = 1
            """)
            .execute(arguments: [claim.id, claim.attempt])
    }

    /// The earliest due time of a pending timer or lease end of a claimed one.
    static func nextDue(_ db: Database) throws -> UInt64? {
        let pending = try Int64.fetchOne(db, sql: "SELECT MIN(due_ms) FROM sla_timers WHERE state = 0")
        let lease = try Int64.fetchOne(db, sql: "SELECT MIN(lease_until_ms) FROM sla_timers WHERE state = 1")
        return [pending, lease].compactMap { $0 }.min().map { UInt64(bitPattern: max(0, $0)) }
    }

    static func all(of ticket: TicketID, _ db: Database) throws -> [TimerRecord] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, key, kind, due_ms, state, attempt, fired_ms, outcome FROM sla_timers WHERE ticket = ? ORDER BY due_ms, id"),
            arguments: [Data(ticket.bytes)]
        )
        .map { row in
            let fired: Int64? = row["fired_ms"]
            return TimerRecord(
                id: row["id"], ticket: ticket, key: row["key"], kind: TimerKind(rawValue: row["kind"]),
                dueMillis: UInt64(bitPattern: row["due_ms"]), state: TimerState(code: row["state"]), attempt: row["attempt"],
                firedMillis: fired.map { UInt64(bitPattern: $0) }, outcome: row["outcome"]
            )
        }
    }
}
