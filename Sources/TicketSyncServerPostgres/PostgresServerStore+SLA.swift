public import TicketModel
public import TicketSyncServer
public import TicketSLA
public import TicketReports
internal import Logging
internal import PostgresNIO

/// The SLA engine's storage in the same database and transactions as the log (see ``SLAStore``),
/// so that several nodes share one set of timers. Planning and firing take one advisory lock
/// (`engineLock`), so one engine of any node plans or fires at a time, and take the `log_head`
/// write lock that every append takes only to append the server's operations; a claim takes its
/// timers' rows with `SKIP LOCKED`. A timer fires exactly once: its effect and its completion
/// commit together, fenced by the attempt number its claim raised. A node that dies or stalls
/// mid-firing loses its claim when the lease runs out (its transaction, if it was in one, is
/// ended by PostgreSQL's `idle_in_transaction_session_timeout` or the lost connection, and rolled
/// back), and another node claims the timer again.
extension PostgresServerStore: SLAStore {
    /// Plans the next `limit` log entries in one transaction. When the cursor is already at the
    /// log's end (another node planned it), it says so without taking the `log_head` lock, so
    /// idle engines of several nodes do not queue behind appends.
    public func planSLA(limit: Int, rule: CountedTimeRule, now: UInt64, decider: any SLADecider) async throws(ServerError) -> SLAPlanReport {
        let logger = self.logger
        let replica = try await serverReplica()
        let pending = try await reading("reading the SLA cursor") { connection in
            let rows = try await connection.query(
                "SELECT COALESCE((SELECT value FROM sla_meta WHERE key = 'cursor'), 0) < (SELECT last_position FROM log_head WHERE id = 1)",
                logger: logger
            )
            for try await behind in rows.decode(Bool.self) { return behind }
            return true
        }
        if !pending { return SLAPlanReport(entries: 0, tickets: 0, operations: 0, caughtUp: true) }
        return try await writing("planning SLA timers", lockLog: false) { connection in
            // One planner (or firer) at a time on any node; appends go on meanwhile. The log it
            // reads is a prefix (positions commit in order), so nothing can be skipped, and what
            // commits after it read a ticket is planned in the next step.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.engineLock))", logger: logger)
            let log = PostgresSLALog(connection: connection, logger: logger)
            let timers = PostgresTimerRows(connection: connection, logger: logger)
            let cursor = try await log.cursor()
            let consumed = try await log.consume(after: cursor, limit: max(1, limit), rule: rule)
            // A ticket with entries past this step is planned by the step that reads its last one.
            let later = try await log.entries(among: Set(consumed.tickets), after: consumed.last, stationsOnly: false)
            let due = consumed.tickets.filter { !later.contains($0) }
            let read = try await log.contexts(of: Set(due))
            var planned: [(ticket: TicketID, payloads: [Payload])] = []
            var timerPlans: [TicketID: [PlannedTimer]] = [:]
            var facts: [TicketID: TicketFacts] = [:]
            for ticket in due {
                guard let context = read[ticket]?.context else { continue }
                let plan = try decider.plan(context, now: now)
                if !plan.writes.isEmpty { planned.append((ticket, plan.writes)) }
                timerPlans[ticket] = plan.timers
                facts[ticket] = plan.facts
            }
            try await timers.replace(timerPlans, now: now)
            try await PostgresFactRows.save(facts, connection, logger)
            // The write lock only for appending the server's operations, onto each ticket's state
            // as it stands now (an append may have changed it since it was read above).
            var operations = 0
            if !planned.isEmpty {
                var writes = try await PostgresServerWrites.locking(connection, replica: replica, logger: logger)
                operations = try await writes.append(planned, now: now)
                try await writes.finish()
            }
            if consumed.last != cursor { try await log.setCursor(consumed.last) }
            return SLAPlanReport(
                entries: consumed.count, tickets: consumed.tickets.count, operations: operations, caughtUp: consumed.count < max(1, limit)
            )
        }
    }

    /// The policy version recorded in `meta` after the last full re-plan.
    public func plannedPolicyVersion() async throws(ServerError) -> String? {
        let logger = self.logger
        return try await reading("reading the planned policy version") { connection in
            let rows = try await connection.query("SELECT value FROM meta WHERE key = \(Self.policyVersionKey)", logger: logger)
            for try await value in rows.decode(String.self) { return value }
            return nil
        }
    }

    /// Re-plans the next `limit` tickets by id in one transaction.
    public func replanTickets(after: TicketID?, limit: Int, now: UInt64, decider: any SLADecider) async throws(ServerError) -> TicketID? {
        let logger = self.logger
        let replica = try await serverReplica()
        let start = ByteBuffer(bytes: after?.bytes ?? [])
        let count = Int64(max(1, limit))
        return try await writing("re-planning SLA timers after a policy change", lockLog: false) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.engineLock))", logger: logger)
            var writes = try await PostgresServerWrites.locking(connection, replica: replica, logger: logger)
            let log = PostgresSLALog(connection: connection, logger: logger)
            let timers = PostgresTimerRows(connection: connection, logger: logger)
            let rows = try await connection.query("SELECT id FROM tickets WHERE id > \(start) ORDER BY id LIMIT \(count)", logger: logger)
            var tickets: [TicketID] = []
            for try await id in rows.decode(ByteBuffer.self) {
                if let ticket = TicketID(bytes: id.readableBytesView) { tickets.append(ticket) }
            }
            let read = try await log.contexts(of: Set(tickets))
            var planned: [(ticket: TicketID, payloads: [Payload])] = []
            var known: [TicketID: TicketState] = [:]
            var timerPlans: [TicketID: [PlannedTimer]] = [:]
            var facts: [TicketID: TicketFacts] = [:]
            for ticket in tickets {
                guard let ticketRead = read[ticket] else { continue }
                let plan = try decider.plan(ticketRead.context, now: now)
                planned.append((ticket, plan.writes))
                known[ticket] = ticketRead.state
                timerPlans[ticket] = plan.timers
                facts[ticket] = plan.facts
            }
            _ = try await writes.append(planned, known: known, now: now)
            try await timers.replace(timerPlans, now: now)
            try await PostgresFactRows.save(facts, connection, logger)
            try await writes.finish()
            return tickets.last
        }
    }

    /// Records the policy version in `meta`.
    public func setPlannedPolicyVersion(_ version: String) async throws(ServerError) {
        let logger = self.logger
        try await writing("recording the planned policy version", lockLog: false) { connection in
            try await connection.query(
                """
                INSERT INTO meta (key, value) VALUES (\(Self.policyVersionKey), \(version))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """,
                logger: logger
            )
        }
    }

    static let policyVersionKey = "sla_policy_version"

    /// The `pg_advisory_xact_lock` key held by planning and firing transactions.
    static let engineLock: Int64 = 0x7469_636B_6574_534C

    /// The report facts of tickets created in `[from, to)`, in no particular order.
    public func reportFacts(createdFrom from: UInt64, to: UInt64) async throws(ServerError) -> [TicketFacts] {
        let logger = self.logger
        return try await reading("reading report facts") { connection in
            try await PostgresFactRows.load(createdFrom: from, to: to, connection, logger)
        }
    }

    /// Claims due timers in one transaction (row locks only: it writes no log).
    public func claimTimers(now: UInt64, limit: Int, leaseMillis: UInt64, owner: String) async throws(ServerError) -> [TimerClaim] {
        let logger = self.logger
        return try await writing("claiming due timers", lockLog: false) { connection in
            try await PostgresTimerRows(connection: connection, logger: logger).claim(now: now, limit: max(1, limit), leaseMillis: leaseMillis, owner: owner)
        }
    }

    /// Fires claimed timers in one transaction: fence check, effect, completion, outbox.
    public func fireTimers(_ claims: [TimerClaim], now: UInt64, decider: any SLADecider) async throws(ServerError) -> SLAFireReport {
        guard !claims.isEmpty else { return SLAFireReport() }
        let logger = self.logger
        let replica = try await serverReplica()
        return try await writing("firing \(claims.count) timers", lockLog: false) { connection in
            // The planner's lock first, then the write lock: planning and firing (which both move
            // timers) take turns, and in the same order, so they never deadlock.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.engineLock))", logger: logger)
            var writes = try await PostgresServerWrites.locking(connection, replica: replica, logger: logger)
            let log = PostgresSLALog(connection: connection, logger: logger)
            let timers = PostgresTimerRows(connection: connection, logger: logger)
            let webhooks = PostgresWebhookRows(connection: connection, logger: logger)
            // Reads for the whole batch first (which claims still hold, which tickets the planner
            // has not caught up on, the histories and states), then every claim is decided in
            // memory in order, then the writes go out, a few statements in all.
            let cursor = try await log.cursor()
            let held = try await timers.holding(claims)
            let unplanned = try await log.entries(among: Set(claims.filter { held.contains($0.id) }.map(\.ticket)), after: cursor, stationsOnly: true)
            let split = TimerFiring.split(claims, held: held, unplanned: unplanned)
            try await timers.release(split.deferred)
            var tickets = try await log.contexts(of: Set(split.firing.map(\.ticket)))
            try await writes.prepare()
            let decided = try TimerFiring.decide(split.firing, tickets: &tickets, decider: decider, now: now) { payloads, state in
                try writes.stage(payloads, on: &state, now: now)
            }
            let queued = try await webhooks.enqueue(decided.events, now: now)
            try await timers.complete(decided.completed, now: now)
            try await writes.finish()
            return SLAFireReport(
                fired: decided.completed.count, fenced: split.fenced, deferred: split.deferred.count, operations: decided.operations, webhooks: queued
            )
        }
    }

    /// The earliest instant a timer becomes claimable.
    public func nextTimerDue() async throws(ServerError) -> UInt64? {
        let logger = self.logger
        return try await reading("reading the next timer") { connection in try await PostgresTimerRows(connection: connection, logger: logger).nextDue() }
    }

    /// The ticket's timers.
    public func timers(of ticket: TicketID) async throws(ServerError) -> [TimerRecord] {
        let logger = self.logger
        return try await reading("reading the timers of ticket \(ticket)") { connection in
            try await PostgresTimerRows(connection: connection, logger: logger).all(of: ticket)
        }
    }

    /// Timer and outbox counts and the cursor.
    public func slaStatus() async throws(ServerError) -> SLAStatus {
        let logger = self.logger
        return try await reading("reading the SLA status") { connection in
            let rows = try await connection.query(
                """
                SELECT (SELECT COUNT(*) FROM sla_timers WHERE state = 0), (SELECT COUNT(*) FROM sla_timers WHERE state = 1),
                    (SELECT COUNT(*) FROM sla_timers WHERE state = 2), (SELECT COUNT(*) FROM sla_timers WHERE state = 3),
                    (SELECT COUNT(*) FROM sla_webhooks WHERE state = 0), (SELECT COUNT(*) FROM sla_webhooks WHERE state = 2),
                    COALESCE((SELECT value FROM sla_meta WHERE key = 'cursor'), 0)
                """,
                logger: logger
            )
            for try await (pending, claimed, done, cancelled, webhooksPending, webhooksDead, cursor)
                in rows.decode((Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
            {
                return SLAStatus(
                    pending: Int(pending), claimed: Int(claimed), done: Int(done), cancelled: Int(cancelled), cursor: cursor,
                    webhooksPending: Int(webhooksPending), webhooksDead: Int(webhooksDead)
                )
            }
            return SLAStatus(pending: 0, claimed: 0, done: 0, cancelled: 0, cursor: 0, webhooksPending: 0, webhooksDead: 0)
        }
    }

    /// Claims due webhook deliveries (`SKIP LOCKED`: senders on several nodes take different ones).
    public func claimWebhooks(now: UInt64, limit: Int, leaseMillis: UInt64) async throws(ServerError) -> [WebhookDelivery] {
        let logger = self.logger
        return try await writing("claiming webhook deliveries", lockLog: false) { connection in
            try await PostgresWebhookRows(connection: connection, logger: logger).claim(now: now, limit: max(1, limit), leaseMillis: leaseMillis)
        }
    }

    /// Records a delivery's outcome (fenced by its attempt).
    public func finishWebhook(_ delivery: WebhookDelivery, outcome: WebhookOutcome, now: UInt64) async throws(ServerError) {
        let logger = self.logger
        try await writing("recording a webhook delivery", lockLog: false) { connection in
            try await PostgresWebhookRows(connection: connection, logger: logger).finish(delivery, outcome: outcome, now: now)
        }
    }

    /// The earliest next attempt of a pending delivery.
    public func nextWebhookDue() async throws(ServerError) -> UInt64? {
        let logger = self.logger
        return try await reading("reading the next webhook delivery") { connection in
            try await PostgresWebhookRows(connection: connection, logger: logger).nextDue()
        }
    }

    /// Outbox rows, newest first.
    public func webhooks(includeDelivered: Bool, limit: Int) async throws(ServerError) -> [WebhookRecord] {
        let logger = self.logger
        return try await reading("listing webhook deliveries") { connection in
            try await PostgresWebhookRows(connection: connection, logger: logger).list(includeDelivered: includeDelivered, limit: limit)
        }
    }
}
