import Foundation
import TicketModel
import TicketSLA
import TicketSyncClient

/// The JSON shape of a ticket's SLA clocks (`show --json`'s `sla_status`, `list --json` rows
/// with `--at-risk` or `--breached`). Instants are ISO-8601 UTC; durations are business
/// milliseconds.
extension TicketSLAStatus {
    var json: JSONObject {
        [
            "policy": policyID,
            "policy_version": policyVersion,
            "time_zone": timeZone,
            "at": TimeText.iso(millis: nowMillis),
            "tier": currentTier,
            "tier_called_for": tier,
            "at_risk": isAtRisk,
            "breached": isBreached,
            "confirmed": clocks.contains(where: \.isConfirmed),
            "clocks": clocks.map(\.json),
        ]
    }
}

extension TicketSLAStatus.Clock {
    var json: JSONObject {
        func time(_ millis: UInt64?) -> Any { millis.map { TimeText.iso(millis: $0) } ?? NSNull() }
        return [
            "metric": clock.metric.rawValue,
            "cycle": clock.cycle,
            "state": clock.state.rawValue,
            "source": isConfirmed ? "confirmed" : "provisional",
            "provisional_state": JSONOutput.orNull(provisionalState?.rawValue),
            "at_risk": isAtRisk,
            "target_ms": clock.targetMillis,
            "elapsed_ms": clock.elapsedMillis,
            "paused_ms": clock.pausedMillis,
            "remaining_ms": remainingMillis,
            "started_at": time(clock.startedMillis),
            "stopped_at": time(clock.stoppedMillis),
            "due_at": time(clock.dueMillis),
            "due_local": JSONOutput.orNull(clock.dueMillis.map { TimeText.local(millis: $0) }),
            "warning_at": time(clock.warningMillis),
            "breach_declared_at": time(clock.declaredBreachMillis),
        ]
    }
}
