internal import Foundation
public import TicketModel
public import TicketSLA
internal import TicketReports

/// The server's SLA decisions with `TicketSLA`: a ticket's timers are the evaluation's deadlines
/// (plus one for each escalation request); its `sla.*` fields are the evaluation's record,
/// written when something other than the passing of time changed; a fired timer declares its
/// breach, raises the tier, reminds, or decides a request, and queues its webhook events.
///
/// Breaches are declared only by their timer (never by planning), so every breach goes through
/// the exactly-once path and has its webhook event. Planning writes the rest: a clock met,
/// paused or resumed, met-reported-late after an offline response, the policy and its version.
public struct PolicyDecider: SLADecider {
    /// The policies.
    public let policies: PolicySet
    /// Webhook endpoints by name.
    public let endpoints: [WebhookEndpoint]
    /// Who could answer a ticket and whether they are connected (nil: not tracked).
    public let presence: StationPresence?

    /// `sla.offline`: `station_offline` while every responder of an at-risk ticket is offline.
    public static let offlineField = FieldKey.sla("offline")
    /// `sla.offline_stations`: their names.
    public static let offlineStationsField = FieldKey.sla("offline_stations")

    /// Creates a decider.
    public init(policies: PolicySet, endpoints: [WebhookEndpoint], presence: StationPresence?) {
        self.policies = policies
        self.endpoints = endpoints
        self.presence = presence
    }

    /// The policy set's version.
    public var version: String { policies.version }

    /// The context's operations with their counted times.
    func counted(_ context: SLATicketContext) -> [CountedOperation] {
        context.history.map { entry in
            CountedOperation(entry.operation, countedMillis: entry.countedMillis, receivedMillis: entry.receivedMillis)
        }
    }

    /// The evaluation of the context's ticket at `now`.
    func evaluate(_ context: SLATicketContext, now: UInt64) -> SLAEvaluation? {
        policies.evaluate(counted(context), now: now)
    }

    public func plan(_ context: SLATicketContext, now: UInt64) throws(ServerError) -> SLAPlan {
        var timers = requestTimers(context)
        let counted = counted(context)
        guard let current = context.current, let evaluation = policies.evaluate(counted, now: now) else { return SLAPlan(timers: timers) }
        timers += evaluation.deadlines.map { deadline in
            PlannedTimer(key: deadline.key, kind: TimerKind(rawValue: deadline.kind.rawValue), dueMillis: deadline.dueMillis)
        }
        var writes = fieldWrites(evaluation, current: current, declaring: [])
        // Any station operation on the ticket means someone is working it: the offline mark goes.
        if let last = context.history.last, !last.station.isEmpty, isSet(current[Self.offlineField]) {
            writes += [.set(Self.offlineField, .null, overwrites: nil), .set(Self.offlineStationsField, .null, overwrites: nil)]
        }
        return SLAPlan(timers: timers, writes: writes, facts: TicketFacts.derive(from: counted, ticket: current, evaluation: evaluation))
    }

    public func fire(_ timer: TimerClaim, _ context: SLATicketContext, now: UInt64) throws(ServerError) -> TimerEffect {
        guard let current = context.current else { return TimerEffect(outcome: "obsolete: the ticket has no create") }
        if timer.kind == .escalationRequest { return decideRequest(timer, context, current) }
        guard let evaluation = evaluate(context, now: now) else { return TimerEffect(outcome: "obsolete: nothing to evaluate") }
        guard let deadline = evaluation.deadlines.first(where: { $0.key == timer.key }), deadline.dueMillis <= now else {
            // Answered, paused, solved, or moved since: re-planning will have made the next timer.
            return TimerEffect(outcome: "obsolete: \(timer.key) no longer falls due now")
        }
        let policy = policies.policy(for: current)
        switch deadline.kind {
        case .breach:
            var writes = fieldWrites(evaluation, current: current, declaring: deadline.metric.map { [$0] } ?? [])
            writes += offlineWrites(context, current)
            let event = events(.breach, timer, context, current, policy: policy, tier: current.tier, extra: ["clock": deadline.metric?.rawValue ?? ""])
            return TimerEffect(writes: writes, events: event, outcome: "breach of \(deadline.metric?.rawValue ?? "?")")
        case .warning:
            var writes = fieldWrites(evaluation, current: current, declaring: [])
            writes += offlineWrites(context, current)
            let offline = writes.contains { if case .set(Self.offlineField, _, _) = $0 { return true } else { return false } }
            let event = events(
                .warning, timer, context, current, policy: policy, tier: current.tier,
                extra: ["clock": deadline.metric?.rawValue ?? "", "station_offline": offline || isSet(current[Self.offlineField])]
            )
            return TimerEffect(writes: writes, events: event, outcome: "warning of \(deadline.metric?.rawValue ?? "?")")
        case .tierEscalation:
            let target = deadline.tier ?? evaluation.tier
            guard target > current.tier, let tier = policy.tier(target) else {
                return TimerEffect(outcome: "obsolete: the ticket is already at tier \(current.tier)")
            }
            let previous = policy.tier(current.tier)
            let limit = previous.map { " (\(SLADuration.text($0.limitMillis)) of business time)" } ?? ""
            var writes: [Payload] = [
                .escalate(
                    tier: target, kind: .automatic,
                    reason: "unresolved past the limit of tier \(current.tier)\(limit) under policy \(policy.id)", toTeam: tier.group
                ),
                .set(.group, .text(tier.group), overwrites: nil),
            ]
            if current[SLAFields.tier] != .integer(Int64(target)) { writes.append(.set(SLAFields.tier, .integer(Int64(target)), overwrites: nil)) }
            let event = events(.escalation, timer, context, current, policy: policy, tier: target, extra: ["kind": "automatic", "from_tier": current.tier, "group": tier.group])
            return TimerEffect(writes: writes, events: event, outcome: "escalated to tier \(target) (\(tier.group))")
        default:
            let body = "A customer update is due: no public reply for \(policy.targets.periodicUpdate.map { SLADuration.text($0) } ?? "the update interval") of business time."
            let event = events(.updateReminder, timer, context, current, policy: policy, tier: current.tier, extra: [:])
            return TimerEffect(writes: [.comment(body: body, visibility: .internal)], events: event, outcome: "update reminder")
        }
    }

    /// One timer per escalation request a station made: due when the server received it.
    func requestTimers(_ context: SLATicketContext) -> [PlannedTimer] {
        context.history.compactMap { entry in
            guard case .requestEscalation = entry.operation.payload, !entry.station.isEmpty else { return nil }
            return PlannedTimer(key: Self.requestKey(entry.operation.id), kind: .escalationRequest, dueMillis: entry.receivedMillis)
        }
    }

    static func requestKey(_ id: OperationID) -> String { "request:\(id)" }

    func isSet(_ value: FieldValue?) -> Bool {
        guard let value else { return false }
        return value != .null
    }
}
