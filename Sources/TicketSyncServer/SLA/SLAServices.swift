internal import Logging
internal import ServiceLifecycle
internal import Foundation
internal import TicketSLA

/// Builds the SLA services of a server: the engine (planner and scheduler) and the webhook sender.
enum SLAServices {
    /// The services for `store`, or none (with a warning) if the store keeps no SLA state.
    static func make(
        _ settings: SLASettings, store: any ServerStore, hub: LogHub, registry: SessionRegistry, now: @escaping @Sendable () -> UInt64,
        logger: Logger
    ) -> [any Service] {
        guard settings.enabled else { return [] }
        guard let slaStore = store as? any SLAStore else {
            logger.warning("this store keeps no SLA timers: SLA clocks, escalations and webhooks are off")
            return []
        }
        let configured = Set(settings.webhooks.map(\.name))
        let named = Set(settings.policies.policies.flatMap { $0.escalation.flatMap(\.notify) })
        let missing = named.subtracting(configured).sorted()
        if !missing.isEmpty && !configured.isEmpty {
            logger.warning(
                "the SLA policies notify webhook endpoints that are not configured; their events are not sent",
                metadata: ["ticketsync.webhooks": .string(missing.joined(separator: ","))]
            )
        }
        // Who holds a claim, in `sla_timers.lease_owner`: host and process, unique per node.
        let nodeName = "\(ProcessInfo.processInfo.hostName)#\(ProcessInfo.processInfo.processIdentifier)"
        let presence = StationPresence(live: { registry.liveStations })
        let decider = PolicyDecider(policies: settings.policies, endpoints: settings.webhooks, presence: presence)
        let webhooks = Wakeup()
        let engine = SLAEngine(
            store: slaStore, decider: decider, hub: hub, webhooks: webhooks,
            settings: SLAEngine.Settings(
                timeRule: settings.timeRule, leaseMillis: settings.leaseMillis, owner: nodeName, maxPlanDelayMillis: settings.maxPlanDelayMillis
            ), presence: presence, stations: store, now: now, logger: logger
        )
        let sender = WebhookSender(store: slaStore, endpoints: settings.webhooks, retry: settings.retry, wakeup: webhooks, now: now, logger: logger)
        return [engine, sender]
    }
}
