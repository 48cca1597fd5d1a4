internal import Foundation
public import TicketModel
public import TicketSLA

/// The webhook event types.
enum SLAEventType: String {
    case warning = "sla.warning"
    case breach = "sla.breach"
    case escalation = "sla.escalation"
    case updateReminder = "sla.update_reminder"
}

extension PolicyDecider {
    /// The events of a fired timer, one per endpoint that takes the type. Routing is per tier:
    /// the endpoints the policy's tier (`tier`) names in `notify`, or every endpoint when the
    /// policy has no such tier or the tier names none. The event id — the receiver's
    /// idempotency key — is `TICKET:TIMER-KEY:ENDPOINT`, fixed by the timer.
    func events(
        _ type: SLAEventType, _ timer: TimerClaim, _ context: SLATicketContext, _ current: Ticket, policy: SLAPolicy, tier: Int,
        extra: [String: any Sendable]
    ) -> [WebhookEvent] {
        let named = policy.tier(tier)?.notify ?? []
        let targets = endpoints.filter { (named.isEmpty || named.contains($0.name)) && $0.receives(type.rawValue) }
        return targets.map { endpoint in
            let id = "\(context.ticket):\(timer.key):\(endpoint.name)"
            var object: [String: Any] = [
                "event_id": id, "type": type.rawValue, "ticket": context.ticket.description, "title": current.title,
                "policy": policy.id, "tier": tier, "due_ms": timer.dueMillis, "timer": timer.key,
                "site": context.placement.site.map { $0 as Any } ?? NSNull(), "group": context.placement.team.map { $0 as Any } ?? NSNull(),
            ]
            for (key, value) in extra { object[key] = value }
            let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            return WebhookEvent(eventID: id, endpoint: endpoint.name, type: type.rawValue, body: [UInt8](body))
        }
    }
}
