public import TicketModel
public import TicketSLA
public import TicketReports

/// Where the SLA engine keeps its durable state, beside the log: its own log cursor, the counted
/// time of every log entry, the timers, and the webhook outbox. A back end implements it in the
/// same database as its ``ServerStore``, so that a timer's effect (server-authored operations in
/// the log), its completion and its webhook rows commit in ONE transaction.
///
/// Every method is one transaction. The pure decisions (what a ticket's timers are, what a timer
/// does) are made by an ``SLADecider`` that the store calls inside the transaction, on a snapshot
/// that the same transaction then writes to: nothing can slip in between reading and writing.
public protocol SLAStore: Sendable {
    /// One planning step: reads at most `limit` log entries after the engine's cursor, gives each
    /// its counted time by `rule` (see ``CountedTimeRule``), re-plans every ticket they touch (the decider's timers replace
    /// the ticket's pending ones; its writes are appended as server operations), and advances the
    /// cursor, all in one transaction. A crash before it commits leaves the cursor where it was.
    func planSLA(
        limit: Int, rule: CountedTimeRule, now: UInt64, decider: any SLADecider
    ) async throws(ServerError) -> SLAPlanReport

    /// The policy version every ticket was last re-planned with (nil: never).
    func plannedPolicyVersion() async throws(ServerError) -> String?

    /// Re-plans, in one transaction, at most `limit` tickets whose ids sort after `after` (nil:
    /// from the first), as planning does; returns the last one planned, nil when none was left.
    /// When the policies change, the engine walks every ticket with it, then records the version.
    func replanTickets(after: TicketID?, limit: Int, now: UInt64, decider: any SLADecider) async throws(ServerError) -> TicketID?

    /// Records the policy version every ticket is now planned with.
    func setPlannedPolicyVersion(_ version: String) async throws(ServerError)

    /// Claims at most `limit` timers that are due at `now` (pending with `due <= now`, or claimed
    /// by someone whose lease ran out), earliest first: each claim raises the timer's attempt
    /// number, which fences off every earlier claim.
    func claimTimers(now: UInt64, limit: Int, leaseMillis: UInt64, owner: String) async throws(ServerError) -> [TimerClaim]

    /// Fires claimed timers in one transaction: for each claim still holding its attempt number,
    /// the decider's effect (server operations, webhook events) is written and the timer
    /// completed. A claim fenced off by a later claim or a re-plan does nothing. A timer whose
    /// ticket has operations the planner has not seen yet is handed back (deferred) unfired.
    func fireTimers(_ claims: [TimerClaim], now: UInt64, decider: any SLADecider) async throws(ServerError) -> SLAFireReport

    /// The earliest instant a timer becomes claimable (a pending due time or a lapsed lease), or
    /// nil with no open timers.
    func nextTimerDue() async throws(ServerError) -> UInt64?

    /// The timers of one ticket (every state), by due time.
    func timers(of ticket: TicketID) async throws(ServerError) -> [TimerRecord]

    /// Counts of timers by state, and the engine's cursor.
    func slaStatus() async throws(ServerError) -> SLAStatus

    /// Claims at most `limit` webhook deliveries due at `now`: each claim raises the delivery's
    /// attempt count and pushes its next attempt `leaseMillis` ahead (so a sender that dies
    /// mid-delivery is retried after that lease).
    func claimWebhooks(now: UInt64, limit: Int, leaseMillis: UInt64) async throws(ServerError) -> [WebhookDelivery]

    /// Records how a claimed delivery went. Ignored if the delivery was claimed again since
    /// (its attempt count moved on) or is no longer pending.
    func finishWebhook(_ delivery: WebhookDelivery, outcome: WebhookOutcome, now: UInt64) async throws(ServerError)

    /// The earliest next attempt of a pending delivery, or nil.
    func nextWebhookDue() async throws(ServerError) -> UInt64?

    /// The report facts of the tickets created in `[from, to)` (see ``SLAPlan/facts``).
    func reportFacts(createdFrom from: UInt64, to: UInt64) async throws(ServerError) -> [TicketFacts]
    /// Webhook deliveries, newest first, at most `limit`; `includeDelivered` adds the delivered ones.
    func webhooks(includeDelivered: Bool, limit: Int) async throws(ServerError) -> [WebhookRecord]
}
