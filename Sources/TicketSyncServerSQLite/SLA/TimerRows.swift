internal import Foundation
internal import GRDB
internal import TicketModel
internal import TicketSyncServer

/// The `sla_timers` table.
enum TimerRows {
    /// Makes the ticket's open timers match `planned` (the rule is ``TimerChanges``).
    static func replace(ticket: TicketID, with planned: [PlannedTimer], now: UInt64, _ db: Database) throws {
        let ticketBytes = Data(ticket.bytes)
        let existing = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, key, kind, due_ms, state FROM sla_timers WHERE ticket = ?"), arguments: [ticketBytes]
        )
        .map { row in
            StoredTimer(id: row[0], key: row[1], kind: row[2], dueMillis: UInt64(bitPattern: row[3]), state: TimerState(code: row[4]))
        }
        let changes = try TimerChanges(existing: existing, planned: planned, now: now)
        if changes.isEmpty { return }
        for (id, timer) in changes.moved {
            try db.cachedStatement(sql: """
                UPDATE sla_timers SET due_ms = ?, kind = ?, state = 0, attempt = attempt + 1,
                    lease_owner = NULL, lease_until_ms = NULL WHERE id = ?
                """).execute(arguments: [Int64(bitPattern: timer.dueMillis), timer.kind.rawValue, id])
        }
        for id in changes.cancelled {
            try db.cachedStatement(sql: "UPDATE sla_timers SET state = 3, attempt = attempt + 1, lease_owner = NULL, lease_until_ms = NULL WHERE id = ?")
                .execute(arguments: [id])
        }
        let insert = try db.cachedStatement(sql: "INSERT INTO sla_timers (ticket, key, kind, due_ms, state, attempt) VALUES (?, ?, ?, ?, 0, 0)")
        for timer in changes.inserted {
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

    /// Of `claims`, the timer ids still claimed under their attempt, one statement per chunk.
    static func holding(_ claims: [TimerClaim], _ db: Database) throws -> Set<Int64> {
        var held = Set<Int64>()
        for chunk in claims.chunked(SLALogRows.chunk) {
            let attempts = Dictionary(chunk.map { ($0.id, $0.attempt) }, uniquingKeysWith: { first, _ in first })
            let rows = try Row.fetchAll(
                db.makeStatement(sql: "SELECT id, attempt FROM sla_timers WHERE state = 1 AND id IN (\(databaseQuestionMarks(count: chunk.count)))"),
                arguments: StatementArguments(chunk.map(\.id))
            )
            for row in rows {
                let id: Int64 = row[0]
                if attempts[id] == row[1] { held.insert(id) }
            }
        }
        return held
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
