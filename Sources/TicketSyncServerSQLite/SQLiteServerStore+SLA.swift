public import TicketModel
public import TicketSyncServer
public import TicketSLA
public import TicketReports
internal import GRDB
internal import Foundation

/// The SLA engine's storage in the same file and transactions as the log (see ``SLAStore``).
extension SQLiteServerStore: SLAStore {
    /// Plans the next `limit` log entries in one IMMEDIATE transaction: counted times, each touched
    /// ticket's timers and writes, the cursor.
    public func planSLA(limit: Int, rule: CountedTimeRule, now: UInt64, decider: any SLADecider) async throws(ServerError) -> SLAPlanReport {
        let replica = self.replica
        let cache = slaHistory
        return try await writingSLA("planning SLA timers") { db in
            let cursor = try SLALogRows.cursor(db)
            let consumed = try SLALogRows.consume(after: cursor, limit: max(1, limit), rule: rule, db)
            var operations = 0
            var writes = ServerWrites(replica: replica)
            // A ticket with entries past this step is planned by the step that reads its last
            // one: planning it now would be overwritten then (and, behind a long push, would
            // decode the ticket's newer entries once per step).
            let later = try SLALogRows.entries(among: Set(consumed.tickets), after: consumed.last, stationsOnly: false, db)
            let planned = consumed.tickets.filter { !later.contains($0) }
            let read = try SLALogRows.contexts(of: planned, cache: cache, counted: consumed.last, db)
            for ticket in planned {
                guard let (context, state) = read[ticket].map({ ($0.context, $0.state) }) else { continue }
                let plan = try decider.plan(context, now: now)
                operations += try writes.append(plan.writes, to: ticket, state: state, now: now, db)
                try TimerRows.replace(ticket: ticket, with: plan.timers, now: now, db)
                if let facts = plan.facts { try FactRows.save(facts, ticket: ticket, db) }
            }
            if consumed.last != cursor { try SLALogRows.setCursor(consumed.last, db) }
            return SLAPlanReport(entries: consumed.count, tickets: consumed.tickets.count, operations: operations, caughtUp: consumed.count < max(1, limit))
        }
    }

    /// The policy version recorded in `meta` after the last full re-plan.
    public func plannedPolicyVersion() async throws(ServerError) -> String? {
        try await reading("reading the planned policy version") { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Self.policyVersionKey])
        }
    }

    /// Re-plans the next `limit` tickets by id in one IMMEDIATE transaction.
    public func replanTickets(after: TicketID?, limit: Int, now: UInt64, decider: any SLADecider) async throws(ServerError) -> TicketID? {
        let replica = self.replica
        let cache = slaHistory
        return try await writingSLA("re-planning SLA timers after a policy change") { db in
            let cursor = try SLALogRows.cursor(db)
            let rows = try Data.fetchAll(
                db, sql: "SELECT id FROM tickets WHERE id > ? ORDER BY id LIMIT ?", arguments: [after.map { Data($0.bytes) } ?? Data(), max(1, limit)]
            )
            var last: TicketID?
            var writes = ServerWrites(replica: replica)
            let tickets = rows.compactMap { TicketID(bytes: [UInt8]($0)) }
            let read = try SLALogRows.contexts(of: tickets, cache: cache, counted: cursor, db)
            for ticket in tickets {
                guard let (context, state) = read[ticket].map({ ($0.context, $0.state) }) else { continue }
                let plan = try decider.plan(context, now: now)
                _ = try writes.append(plan.writes, to: ticket, state: state, now: now, db)
                try TimerRows.replace(ticket: ticket, with: plan.timers, now: now, db)
                if let facts = plan.facts { try FactRows.save(facts, ticket: ticket, db) }
                last = ticket
            }
            return last
        }
    }

    /// ``writing(_:transaction:_:)`` for a transaction that reads ticket histories through
    /// `slaHistory`: if it fails, the cache is emptied, since it may hold entries that the rollback
    /// took back.
    func writingSLA<T: Sendable>(_ action: String, _ body: @Sendable (Database) throws -> T) async throws(ServerError) -> T {
        do {
            return try await writing(action, body)
        } catch {
            slaHistory.clear()
            throw error
        }
    }

    /// Records the policy version in `meta`.
    public func setPlannedPolicyVersion(_ version: String) async throws(ServerError) {
        try await writing("recording the planned policy version") { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [Self.policyVersionKey, version])
        }
    }

    static let policyVersionKey = "sla_policy_version"

    /// The report facts of tickets created in `[from, to)`, in no particular order.
    public func reportFacts(createdFrom from: UInt64, to: UInt64) async throws(ServerError) -> [TicketFacts] {
        try await reading("reading report facts") { db in try FactRows.load(createdFrom: from, to: to, db) }
    }

    /// Claims due timers in one IMMEDIATE transaction.
    public func claimTimers(now: UInt64, limit: Int, leaseMillis: UInt64, owner: String) async throws(ServerError) -> [TimerClaim] {
        try await writing("claiming due timers") { db in
            try TimerRows.claim(now: now, limit: max(1, limit), leaseMillis: leaseMillis, owner: owner, db)
        }
    }

    /// Fires claimed timers in one IMMEDIATE transaction: fence check, effect, completion, outbox.
    public func fireTimers(_ claims: [TimerClaim], now: UInt64, decider: any SLADecider) async throws(ServerError) -> SLAFireReport {
        guard !claims.isEmpty else { return SLAFireReport() }
        let replica = self.replica
        let cache = slaHistory
        return try await writingSLA("firing \(claims.count) timers") { db in
            // Reads for the whole batch first (which claims still hold, which tickets the planner
            // has not caught up on, the histories and states), then every claim is decided in
            // memory in order; the writes follow, each ticket's state saved once.
            let cursor = try SLALogRows.cursor(db)
            let held = try TimerRows.holding(claims, db)
            let unplanned = try SLALogRows.entries(
                among: Set(claims.filter { held.contains($0.id) }.map(\.ticket)), after: cursor, stationsOnly: true, db
            )
            let split = TimerFiring.split(claims, held: held, unplanned: unplanned)
            for claim in split.deferred { try TimerRows.release(claim, db) }
            var seen = Set<TicketID>()
            let order = split.firing.map(\.ticket).filter { seen.insert($0).inserted }
            var tickets = try SLALogRows.contexts(of: order, cache: cache, counted: cursor, db)
            var writes = ServerWrites(replica: replica)
            let decided = try TimerFiring.decide(split.firing, tickets: &tickets, decider: decider, now: now) { payloads, state in
                try writes.make(payloads, on: &state, now: now, db)
            }
            try writes.saveStates(db)
            var queued = 0
            for event in decided.events where try WebhookRows.enqueue(event, now: now, db) { queued += 1 }
            for (claim, outcome) in decided.completed { try TimerRows.complete(claim, now: now, outcome: outcome, db) }
            return SLAFireReport(
                fired: decided.completed.count, fenced: split.fenced, deferred: split.deferred.count, operations: decided.operations, webhooks: queued
            )
        }
    }

    /// The earliest instant a timer becomes claimable.
    public func nextTimerDue() async throws(ServerError) -> UInt64? {
        try await reading("reading the next timer") { db in try TimerRows.nextDue(db) }
    }

    /// The ticket's timers.
    public func timers(of ticket: TicketID) async throws(ServerError) -> [TimerRecord] {
        try await reading("reading the timers of ticket \(ticket)") { db in try TimerRows.all(of: ticket, db) }
    }

    /// Timer and outbox counts and the cursor.
    public func slaStatus() async throws(ServerError) -> SLAStatus {
        try await reading("reading the SLA status") { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT COUNT(*) FROM sla_timers WHERE state = 0) AS pending,
                        (SELECT COUNT(*) FROM sla_timers WHERE state = 1) AS claimed,
                        (SELECT COUNT(*) FROM sla_timers WHERE state = 2) AS done,
                        (SELECT COUNT(*) FROM sla_timers WHERE state = 3) AS cancelled,
                        (SELECT COUNT(*) FROM sla_webhooks WHERE state = 0) AS webhooks_pending,
                        (SELECT COUNT(*) FROM sla_webhooks WHERE state = 2) AS webhooks_dead
                    """
            )!
            return SLAStatus(
                pending: row["pending"], claimed: row["claimed"], done: row["done"], cancelled: row["cancelled"],
                cursor: try SLALogRows.cursor(db), webhooksPending: row["webhooks_pending"], webhooksDead: row["webhooks_dead"]
            )
        }
    }

    /// Claims due webhook deliveries.
    public func claimWebhooks(now: UInt64, limit: Int, leaseMillis: UInt64) async throws(ServerError) -> [WebhookDelivery] {
        try await writing("claiming webhook deliveries") { db in
            try WebhookRows.claim(now: now, limit: max(1, limit), leaseMillis: leaseMillis, db)
        }
    }

    /// Records a delivery's outcome (fenced by its attempt).
    public func finishWebhook(_ delivery: WebhookDelivery, outcome: WebhookOutcome, now: UInt64) async throws(ServerError) {
        try await writing("recording a webhook delivery") { db in try WebhookRows.finish(delivery, outcome: outcome, now: now, db) }
    }

    /// The earliest next attempt of a pending delivery.
    public func nextWebhookDue() async throws(ServerError) -> UInt64? {
        try await reading("reading the next webhook delivery") { db in try WebhookRows.nextDue(db) }
    }

    /// Outbox rows, newest first.
    public func webhooks(includeDelivered: Bool, limit: Int) async throws(ServerError) -> [WebhookRecord] {
        try await reading("listing webhook deliveries") { db in try WebhookRows.list(includeDelivered: includeDelivered, limit: limit, db) }
    }
}
