internal import CoreMetrics
public import Logging
internal import TicketModel
public import TicketSLA
public import ServiceLifecycle

/// The server's SLA authority, one `Service`: a consumer of the log with its own durable cursor
/// (planning: every touched ticket re-evaluated, its timers upserted, the cursor advanced, in one
/// transaction) and the timer scheduler (claim due timers in batches, fire each batch in one
/// transaction). It sleeps until the earliest due timer or until the log grows; it never polls.
///
/// Order within one round: plan until caught up with the log, then fire every due timer, then
/// sleep. Planning first means a timer fires on the ticket as the log stands, and a timer whose
/// ticket gained operations in between is handed back (deferred) and fires after the next plan.
public struct SLAEngine: Service {
    /// How the engine runs.
    public struct Settings: Sendable {
        /// Which time counts for the SLA.
        public var timeRule: CountedTimeRule
        /// Log entries per planning transaction.
        public var planBatch: Int
        /// Timers per claim and per firing transaction.
        public var fireBatch: Int
        /// How long a claim holds before another scheduler may take the timer (milliseconds).
        public var leaseMillis: UInt64
        /// This node's name in claims.
        public var owner: String
        /// While stations push in quick succession (two appends less than this
        /// apart), planning waits until they have appended nothing for this long (milliseconds):
        /// it shares the store's one writer with their appends, whose acknowledgements should not
        /// queue behind it (0: no waiting; so does a ``maxPlanDelayMillis`` of 0).
        public var appendQuietMillis: UInt64
        /// …but a round starts planning at most this long after it woke (milliseconds), however
        /// busy the appends are: under steady load each ticket is then planned once for all its
        /// changes of that interval, and the SLA fields and decisions lag by at most about this.
        public var maxPlanDelayMillis: UInt64

        /// Defaults: bounded time, 500 entries and 500 timers per transaction, 30 s leases;
        /// planning waits for 250 ms without appends, at most 1 s.
        public init(
            timeRule: CountedTimeRule = .bounded, planBatch: Int = 500, fireBatch: Int = 500, leaseMillis: UInt64 = 30_000, owner: String = "node",
            appendQuietMillis: UInt64 = 250, maxPlanDelayMillis: UInt64 = 1_000
        ) {
            self.timeRule = timeRule
            self.planBatch = planBatch
            self.fireBatch = fireBatch
            self.leaseMillis = leaseMillis
            self.owner = owner
            self.appendQuietMillis = appendQuietMillis
            self.maxPlanDelayMillis = maxPlanDelayMillis
        }
    }

    let store: any SLAStore
    let decider: any SLADecider
    let hub: LogHub
    let webhooks: Wakeup
    let settings: Settings
    let presence: StationPresence?
    let stations: (any ServerStore)?
    let now: @Sendable () -> UInt64
    let logger: Logger

    /// Creates the engine. `hub` wakes it when the log grows and is woken when it writes;
    /// `webhooks` is signalled when it queues deliveries; `presence`, if given, is refreshed from
    /// `stations` every round.
    public init(
        store: any SLAStore, decider: any SLADecider, hub: LogHub, webhooks: Wakeup, settings: Settings,
        presence: StationPresence? = nil, stations: (any ServerStore)? = nil, now: @escaping @Sendable () -> UInt64, logger: Logger
    ) {
        self.presence = presence
        self.stations = stations
        self.store = store
        self.decider = decider
        self.hub = hub
        self.webhooks = webhooks
        self.settings = settings
        self.now = now
        self.logger = logger
    }

    /// Runs until graceful shutdown. A store failure is logged and retried after a pause (the
    /// cursor and the timers are durable: nothing is lost by trying again).
    public func run() async throws {
        let wakeup = Wakeup()
        let (id, wakes) = hub.subscribe()
        defer { hub.unsubscribe(id) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in wakes { wakeup.signal() }
            }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    await self.loop(wakeup)
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func loop(_ wakeup: Wakeup) async {
        var failures = 0
        var replanned = false
        while !Task.isCancelled {
            do {
                if !replanned {
                    try await replanIfPoliciesChanged()
                    replanned = true
                }
                try await round()
                failures = 0
                let next = try await store.nextTimerDue()
                let timeout = next.map { due -> Duration in
                    let current = now()
                    return .milliseconds(Int64(due > current ? due - current : 0))
                }
                if timeout != .zero { await wakeup.wait(upTo: timeout) }
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.error("SLA engine round failed; retrying", metadata: ["ticketsync.error": .string("\(error)")])
                await wakeup.wait(upTo: .milliseconds(min(30_000, 100 << min(failures, 8))))
            }
        }
    }

    /// When the policies differ from those every ticket was planned with, re-plans every ticket
    /// (clocks derive from the log, so no time spent or paused is lost), then records the version.
    /// A crash half-way re-plans again from the start: planning is idempotent.
    func replanIfPoliciesChanged() async throws(ServerError) {
        guard try await store.plannedPolicyVersion() != decider.version else { return }
        var after: TicketID?
        var count = 0
        while !Task.isCancelled {
            guard let last = try await store.replanTickets(after: after, limit: settings.planBatch, now: now(), decider: decider) else { break }
            after = last
            count += 1
        }
        if Task.isCancelled { return }
        try await store.setPlannedPolicyVersion(decider.version)
        hub.notify()
        logger.notice("re-planned every ticket for the current SLA policies", metadata: ["ticketsync.policy_version": .string(decider.version)])
        _ = count
    }

    /// Waits while appends keep coming, but not past `latest`: while the last append is less
    /// than ``Settings/appendQuietMillis`` old and either came less than that after the one
    /// before or was a bulk one (``bulkAppend`` operations or more: a push that has more
    /// batches behind it). A lone small append (an agent's edit) is planned at once: a live
    /// station receives the server's answer within milliseconds; a `ticketsync sync` whose
    /// session ended first receives it at its next sync.
    func yieldToAppends(until latest: ContinuousClock.Instant) async {
        let quiet = Duration.milliseconds(settings.appendQuietMillis)
        while let pace = hub.appendPace, pace.sinceLast < quiet, pace.size >= Self.bulkAppend || (pace.gap.map { $0 < quiet } ?? false),
            !Task.isCancelled
        {
            let left = latest - ContinuousClock.now
            if left <= .zero { return }
            try? await Task.sleep(for: min(quiet - pace.sinceLast, left))
        }
    }

    /// An append of this many operations or more is taken for part of a bulk push.
    static let bulkAppend = 100

    /// Plans until caught up (letting appends go first, within ``Settings/maxPlanDelayMillis``),
    /// then fires every due timer.
    func round() async throws(ServerError) {
        if let presence, let stations { presence.update(try await stations.stations()) }
        let latest = ContinuousClock.now + .milliseconds(settings.maxPlanDelayMillis)
        while !Task.isCancelled {
            await yieldToAppends(until: latest)
            let report = try await store.planSLA(limit: settings.planBatch, rule: settings.timeRule, now: now(), decider: decider)
            if report.operations > 0 { hub.notify() }
            if report.caughtUp { break }
        }
        while !Task.isCancelled {
            let current = now()
            let claims = try await store.claimTimers(now: current, limit: settings.fireBatch, leaseMillis: settings.leaseMillis, owner: settings.owner)
            if claims.isEmpty { return }
            let report = try await store.fireTimers(claims, now: now(), decider: decider)
            let fired = now()
            for claim in claims where claim.dueMillis <= fired {
                ServerMetrics.shared.timerLag.recordMilliseconds(Int64(fired - claim.dueMillis))
            }
            ServerMetrics.shared.operationsAccepted(report.operations, source: "server")
            if report.operations > 0 { hub.notify() }
            if report.webhooks > 0 { webhooks.signal() }
            if report.fenced > 0 {
                logger.notice("timers fenced off by a later claim", metadata: ["ticketsync.count": .stringConvertible(report.fenced)])
            }
            // Deferred timers wait for the planner: start the next round with it.
            if report.deferred > 0 { return }
        }
    }
}
