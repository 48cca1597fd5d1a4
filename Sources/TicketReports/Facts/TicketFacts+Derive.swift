public import TicketModel
public import TicketSLA

extension TicketFacts {
    /// Derives a ticket's facts from its operations (each with its counted time), its current
    /// view, and its SLA evaluation (nil: no policy clocks, e.g. before the create arrived).
    ///
    /// Operations are taken in counted order (ties by stamp), the order the SLA engine uses, so
    /// "first response" and "first resolved" mean the same instants as the SLA clocks. Returns
    /// nil until the create is among the operations.
    public static func derive(
        from operations: [CountedOperation], ticket: Ticket, evaluation: SLAEvaluation?
    ) -> TicketFacts? {
        let ordered = operations.filter { $0.operation.ticket == ticket.id }
            .sorted { ($0.countedMillis, $0.operation.stamp) < ($1.countedMillis, $1.operation.stamp) }
        guard let create = ordered.first(where: { if case .create = $0.operation.payload { true } else { false } }) else {
            return nil
        }
        let created = create.countedMillis
        var walk = Walk(created: created)
        for counted in ordered { walk.take(counted) }

        func text(_ key: FieldKey) -> String { ticket[key]?.text ?? "" }
        return TicketFacts(
            ticket: ticket.id.description,
            policy: evaluation?.policyID ?? "",
            tier: ticket.tier,
            status: ticket.status.rawValue,
            priority: ticket.priority.rawValue,
            category: text(.category),
            site: text(.site),
            team: text(.group),
            assignee: text(.assignee),
            requester: text(.requester),
            orderRef: text(.orderRef),
            createdMillis: created,
            firstResponseMillis: walk.firstResponse,
            resolvedMillis: walk.resolved,
            reopenCount: walk.reopens,
            tierAtResolution: walk.tierAtResolution,
            escalations: walk.escalations,
            csat: ticket[.csat]?.integer.map { Int($0) },
            rootCause: text(.rootCause),
            pausedMillis: evaluation?.clock(.resolution)?.pausedMillis ?? 0,
            clocks: (evaluation?.clocks ?? []).map { clock in
                ClockFact(
                    metric: clock.metric.rawValue, cycle: clock.cycle, state: clock.state.rawValue,
                    dueMillis: clock.isOpen ? clock.dueMillis : nil, warningMillis: clock.isOpen ? clock.warningMillis : nil
                )
            }
        )
    }

    /// The walk through a ticket's operations in counted order.
    struct Walk {
        let created: UInt64
        var status: TicketStatus = .open
        var tier = 1
        var firstResponse: UInt64?
        var resolved: UInt64?
        var tierAtResolution: Int?
        var reopens = 0
        var escalations: [EscalationFact] = []

        init(created: UInt64) { self.created = created }

        static let stops: Set<TicketStatus> = [.solved, .closed]

        mutating func take(_ counted: CountedOperation) {
            let at = max(counted.countedMillis, created)
            switch counted.operation.payload {
            case .create(let fields):
                if let next = fields[.status]?.text.flatMap(TicketStatus.init(rawValue:)) { move(to: next, at: at) }
            case .set(.status, let value, _):
                if let next = value.text.flatMap(TicketStatus.init(rawValue:)) { move(to: next, at: at) }
            case .comment(_, .public) where counted.operation.author.kind == .agent:
                if firstResponse == nil { firstResponse = at }
            case .escalate(let target, _, _, _) where target > tier:
                tier = target
                escalations.append(EscalationFact(tier: target, atMillis: at))
            default:
                break
            }
        }

        mutating func move(to next: TicketStatus, at: UInt64) {
            let wasStopped = Self.stops.contains(status)
            let stops = Self.stops.contains(next)
            if stops && !wasStopped && resolved == nil {
                resolved = at
                tierAtResolution = tier
            }
            if wasStopped && !stops { reopens += 1 }
            status = next
        }
    }
}
