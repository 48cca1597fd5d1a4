import Foundation
import TicketModel
import TicketSLA
import TicketSyncClient

/// The SLA section of `show` for people: one row per clock with the time left in business time,
/// the state, the due instant in the station's time zone, and whether the server confirmed it.
struct SLAText {
    var status: TicketSLAStatus

    func render() -> String {
        let source = status.clocks.contains(where: \.isConfirmed) ? "confirmed by the server" : "provisional (computed at this station)"
        var lines = ["SLA: policy \(status.policyID) (\(status.policyVersion)), \(source)"]
        if status.clocks.isEmpty {
            lines.append("  no clocks: the policy sets no targets")
        } else {
            var table = Table(headings: ["CLOCK", "STATE", "LEFT", "DUE (LOCAL)", "ELAPSED", "PAUSED", "SOURCE"])
            for shown in status.clocks {
                table.rows.append([
                    Self.name(shown.clock), Self.state(shown), Self.left(shown), Self.due(shown.clock),
                    Self.duration(shown.clock.elapsedMillis), Self.duration(shown.clock.pausedMillis),
                    shown.isConfirmed ? "confirmed" : "provisional",
                ])
            }
            lines += table.render().split(separator: "\n").map { "  " + $0 }
        }
        var tier = "  tier \(status.currentTier)"
        if status.tier > status.currentTier { tier += " (the escalation matrix calls for tier \(status.tier))" }
        lines.append(tier)
        return lines.joined(separator: "\n")
    }

    static func name(_ clock: SLAClock) -> String {
        let base = clock.metric.rawValue.replacingOccurrences(of: "_", with: " ")
        return clock.metric == .nextResponse ? "\(base) #\(clock.cycle)" : base
    }

    static func state(_ shown: TicketSLAStatus.Clock) -> String {
        var text = shown.clock.state.rawValue.replacingOccurrences(of: "_", with: " ")
        if shown.isAtRisk { text += ", at risk" }
        if let local = shown.provisionalState { text += " (here: \(local.rawValue.replacingOccurrences(of: "_", with: " ")))" }
        return text
    }

    static func left(_ shown: TicketSLAStatus.Clock) -> String {
        switch shown.clock.state {
        case .running, .paused: return duration(shown.remainingMillis)
        default: return "-"
        }
    }

    static func due(_ clock: SLAClock) -> String {
        if let stopped = clock.stoppedMillis, clock.state.isMet { return "met \(TimeText.local(millis: stopped))" }
        if let due = clock.dueMillis { return TimeText.local(millis: due) }
        return clock.state == .paused ? "paused" : "-"
    }

    /// Business time to the second: `1h30m`, `45s`, `0s`.
    static func duration(_ millis: UInt64) -> String { SLADuration.text(millis / 1000 * 1000) }
}
