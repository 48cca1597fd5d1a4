public import TicketModel
public import TicketSLA

extension PolicyDecider {
    /// Decides a station's escalation request: hierarchical (no team) goes to the next tier and
    /// its group; functional goes to the named team, which must be one the policies know (a
    /// tier's group or a group a policy matches). Refused — with an internal comment that says
    /// why — at the top tier, for an unknown team, or on a solved or closed ticket.
    func decideRequest(_ timer: TimerClaim, _ context: SLATicketContext, _ current: Ticket) -> TimerEffect {
        guard let entry = context.history.first(where: { Self.requestKey($0.operation.id) == timer.key }),
            case .requestEscalation(let reason, let team) = entry.operation.payload
        else { return TimerEffect(outcome: "obsolete: the request is not in the log") }
        let request = entry.operation
        let policy = policies.policy(for: current)
        let asked = "requested by \(request.author.name): \(reason.prefix(2000))"
        func refuse(_ why: String) -> TimerEffect {
            TimerEffect(
                writes: [.comment(body: "Escalation request \(request.id) refused: \(why)", visibility: .internal)],
                outcome: "request refused: \(why)"
            )
        }
        if current.status == .solved || current.status == .closed {
            return refuse("the ticket is \(current.status.rawValue); reopen it first")
        }
        if let team {
            let known = knownTeams
            guard known.contains(team) else {
                return refuse("'\(team.prefix(80))' is not a team of the SLA policies (known: \(known.sorted().joined(separator: ", ")))")
            }
            let event = events(
                .escalation, timer, context, current, policy: policy, tier: current.tier,
                extra: ["kind": "functional", "from_tier": current.tier, "group": team, "reason": reason]
            )
            return TimerEffect(
                writes: [
                    .escalate(tier: current.tier, kind: .functional, reason: asked, toTeam: team),
                    .set(.group, .text(team), overwrites: nil),
                ],
                events: event, outcome: "functional escalation to \(team)"
            )
        }
        let next = current.tier + 1
        guard let tier = policy.tier(next) else {
            return refuse("the ticket is at tier \(current.tier), the highest of policy \(policy.id)")
        }
        let event = events(
            .escalation, timer, context, current, policy: policy, tier: next,
            extra: ["kind": "hierarchical", "from_tier": current.tier, "group": tier.group, "reason": reason]
        )
        return TimerEffect(
            writes: [
                .escalate(tier: next, kind: .hierarchical, reason: asked, toTeam: tier.group),
                .set(.group, .text(tier.group), overwrites: nil),
            ],
            events: event, outcome: "hierarchical escalation to tier \(next) (\(tier.group))"
        )
    }

    /// Every team the policies name: their tiers' groups and the groups they match on.
    var knownTeams: Set<String> {
        Set(policies.policies.flatMap { $0.escalation.map(\.group) + Array($0.match.groups) })
    }
}
