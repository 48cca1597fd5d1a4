internal import TicketModel

extension PolicySet {
    /// Derives a ticket's SLA state at `now` from its operations.
    ///
    /// `operations` are the ticket's operations (in log order; the order does not change the
    /// result), each with its counted time. Operations of other tickets are ignored; so are
    /// repeats of an id (the earliest counted one is kept). Returns nil until the ticket's
    /// create is among them.
    ///
    /// What starts, pauses and stops each clock is written down in `docs/sla.md`: first response
    /// is the first public comment by an agent, resolution is status `solved` (or `closed`), a
    /// requester's public comment after the first response opens a next-response cycle, and the
    /// policy's pause statuses pause every clock. Breaches the server declared in `sla.*` fields
    /// stay: a clock that then turns out met becomes ``SLAClockState/metReportedLate``.
    public func evaluate(_ operations: [CountedOperation], now: UInt64) -> SLAEvaluation? {
        guard let ticketID = operations.first(where: { if case .create = $0.operation.payload { true } else { false } })?
            .operation.ticket
        else { return nil }
        var seen = Set<OperationID>()
        let ordered = operations.filter { $0.operation.ticket == ticketID }
            .sorted { ($0.countedMillis, $0.operation.stamp) < ($1.countedMillis, $1.operation.stamp) }
            .filter { seen.insert($0.operation.id).inserted }
        let replica = TicketReplica.replaying(ordered.map(\.operation), as: ReplicaID(1))
        guard let ticket = replica.ticket(ticketID) else { return nil }
        let created = ordered.compactMap { counted -> UInt64? in
            if case .create = counted.operation.payload { return counted.countedMillis }
            return nil
        }.min()!
        let policy = self.policy(for: ticket)
        var evaluator = Evaluator(
            policy: policy, operations: ordered, created: created, now: max(now, created),
            timeline: StatusTimeline(ordered, createdMillis: created)
        )
        let clocks = evaluator.clocks()
        let (tier, tierDeadlines) = evaluator.tiers(currentTier: ticket.tier)
        var deadlines = evaluator.deadlines + tierDeadlines + evaluator.updateReminder()
        deadlines.sort { ($0.dueMillis, $0.key) < ($1.dueMillis, $1.key) }
        return SLAEvaluation(
            ticket: ticketID, policyID: policy.id, policyVersion: version, evaluatedAtMillis: now, clocks: clocks,
            tier: tier, currentTier: ticket.tier, deadlines: deadlines
        )
    }
}

/// The work of one evaluation.
struct Evaluator {
    let policy: SLAPolicy
    let operations: [CountedOperation]
    let created: UInt64
    let now: UInt64
    let timeline: StatusTimeline
    var deadlines: [SLADeadline] = []

    init(policy: SLAPolicy, operations: [CountedOperation], created: UInt64, now: UInt64, timeline: StatusTimeline) {
        self.policy = policy
        self.operations = operations
        self.created = created
        self.now = now
        self.timeline = timeline
    }

    var calendar: BusinessCalendar { policy.calendar }
    var pauses: Set<TicketStatus> { policy.pauseStatuses }

    /// Public comments counted up to now, as (instant, author kind), in counted order.
    var publicComments: [(at: UInt64, kind: Author.Kind)] {
        operations.compactMap { counted in
            guard case .comment(_, .public) = counted.operation.payload, counted.countedMillis <= now else { return nil }
            return (max(counted.countedMillis, created), counted.operation.author.kind)
        }
    }

    /// Breaches the server declared, per (metric, cycle): the earliest declaring operation's counted time.
    var declaredBreaches: [SLAFields.ClockKey: UInt64] {
        var result: [SLAFields.ClockKey: UInt64] = [:]
        for counted in operations where counted.operation.author.kind == .server {
            guard case .set(let field, let value, _) = counted.operation.payload,
                let metric = SLAFields.metric(of: field), let record = value.text.flatMap(SLAFields.ClockRecord.init(parsing:)),
                record.state == .breached || record.declaredBreachMillis != nil
            else { continue }
            let key = SLAFields.ClockKey(metric: metric, cycle: record.cycle)
            let at = record.declaredBreachMillis ?? counted.countedMillis
            result[key] = min(result[key] ?? at, at)
        }
        return result
    }

    /// The first instant the ticket was solved or closed, up to now.
    var firstStop: UInt64? { timeline.first(of: ClockRun.stopStatuses, from: created, to: now) }

    mutating func clocks() -> [SLAClock] {
        let declared = declaredBreaches
        var clocks: [SLAClock] = []
        let agentReplies = publicComments.filter { $0.kind == .agent }.map(\.at)
        let firstReply = agentReplies.first
        if let target = policy.targets.firstResponse {
            let stop = [firstReply, firstStop].compactMap { $0 }.min()
            clocks.append(
                clock(.firstResponse, cycle: 1, start: created, stop: stop, target: target, declared: declared)
            )
        }
        if let target = policy.targets.nextResponse, let firstReply {
            for (index, cycle) in nextResponseCycles(after: firstReply).enumerated() {
                clocks.append(
                    clock(.nextResponse, cycle: index + 1, start: cycle.start, stop: cycle.stop, target: target, declared: declared)
                )
            }
        }
        if let target = policy.targets.resolution {
            // Reopening resumes the resolution clock: it is stopped only while solved or closed.
            let stop = timeline.lastEntry(into: ClockRun.stopStatuses, atOrBefore: now)
            clocks.append(clock(.resolution, cycle: 1, start: created, stop: stop, target: target, declared: declared))
        }
        return clocks
    }

    /// Next-response cycles: opened by a requester's public comment after the first reply (when
    /// none is open), closed by the next agent's public comment or by solving the ticket.
    func nextResponseCycles(after firstReply: UInt64) -> [(start: UInt64, stop: UInt64?)] {
        var cycles: [(start: UInt64, stop: UInt64?)] = []
        var open: UInt64?
        for comment in publicComments where comment.at >= firstReply {
            if comment.kind == .requester, open == nil {
                open = comment.at
            } else if comment.kind == .agent, let start = open {
                let solved = timeline.first(of: ClockRun.stopStatuses, from: start, to: comment.at)
                cycles.append((start, min(comment.at, solved ?? comment.at)))
                open = nil
            }
        }
        if let start = open {
            cycles.append((start, timeline.first(of: ClockRun.stopStatuses, from: start, to: now)))
        }
        return cycles
    }

    /// One clock from `start`, stopped at `stop` (if at or before now).
    mutating func clock(
        _ metric: SLAMetric, cycle: Int, start: UInt64, stop: UInt64?, target: UInt64,
        declared: [SLAFields.ClockKey: UInt64]
    ) -> SLAClock {
        let stop = stop.flatMap { $0 <= now ? $0 : nil }
        let end = stop ?? now
        let warning = policy.warningMillis(of: target)
        let run = ClockRun(
            start: start, end: end, thresholds: [target, warning], timeline: timeline, calendar: calendar, pauses: pauses
        )
        let running = stop == nil && run.isRunning(pauses: pauses)
        let due = run.reach(0, threshold: target, now: now, running: running, calendar: calendar)
        let warningAt = warning == 0 ? start : run.reach(1, threshold: warning, now: now, running: running, calendar: calendar)
        let declaredAt = declared[SLAFields.ClockKey(metric: metric, cycle: cycle)]
        var state: SLAClockState
        if run.crossings[0] != nil {
            state = .breached
        } else if stop != nil {
            state = declaredAt != nil ? .metReportedLate : .met
        } else if declaredAt != nil {
            state = .breached
        } else {
            state = running ? .running : .paused
        }
        // A stopped clock that met its target has no due instant left.
        let shownDue = state.isMet ? nil : due
        let shownWarning = state.isMet ? nil : warningAt
        let clock = SLAClock(
            metric: metric, state: state, cycle: cycle, targetMillis: target, elapsedMillis: run.elapsed,
            pausedMillis: run.paused, startedMillis: start, stoppedMillis: stop, dueMillis: shownDue,
            warningMillis: shownWarning, declaredBreachMillis: declaredAt
        )
        let cycleNumber = metric == .nextResponse ? cycle : nil
        if state == .running, let warningAt {
            deadlines.append(SLADeadline(kind: .warning, metric: metric, cycle: cycleNumber, dueMillis: warningAt))
        }
        if let due, declaredAt == nil, state == .running || state == .breached {
            deadlines.append(SLADeadline(kind: .breach, metric: metric, cycle: cycleNumber, dueMillis: due))
        }
        return clock
    }

    /// The tier the matrix calls for, and the escalations still to come (or overdue) above the
    /// ticket's current tier.
    func tiers(currentTier: Int) -> (Int, [SLADeadline]) {
        let tiers = policy.escalation
        guard tiers.count > 1 else { return (1, []) }
        let limits = tiers.dropLast().map(\.limitMillis)
        let stop = timeline.lastEntry(into: ClockRun.stopStatuses, atOrBefore: now)
        let run = ClockRun(
            start: created, end: stop ?? now, thresholds: limits, timeline: timeline, calendar: calendar, pauses: pauses
        )
        let running = stop == nil && run.isRunning(pauses: pauses)
        var calledFor = 1
        var deadlines: [SLADeadline] = []
        for (index, limit) in limits.enumerated() {
            let nextTier = tiers[index + 1].tier
            if run.crossings[index] != nil { calledFor = nextTier }
            guard nextTier > currentTier,
                let due = run.reach(index, threshold: limit, now: now, running: running, calendar: calendar)
            else { continue }
            deadlines.append(SLADeadline(kind: .tierEscalation, tier: nextTier, dueMillis: due))
        }
        return (calledFor, deadlines)
    }

    /// The periodic update reminder: business time since the latest agent public comment (or
    /// creation) reaches the policy's `periodic_update`, while the ticket is open and unpaused.
    func updateReminder() -> [SLADeadline] {
        guard let interval = policy.targets.periodicUpdate else { return [] }
        let replies = publicComments.filter { $0.kind == .agent }.map(\.at)
        let since = replies.last ?? created
        let run = ClockRun(
            start: since, end: now, thresholds: [interval], timeline: timeline, calendar: calendar, pauses: pauses
        )
        let running = run.isRunning(pauses: pauses)
        guard running || run.crossings[0] != nil, ClockRun.stopStatuses.contains(timeline.status(at: now)) == false,
            let due = run.reach(0, threshold: interval, now: now, running: running, calendar: calendar)
        else { return [] }
        return [SLADeadline(kind: .updateReminder, cycle: replies.count + 1, dueMillis: due)]
    }
}
