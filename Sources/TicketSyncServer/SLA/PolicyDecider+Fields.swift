public import TicketModel
public import TicketSLA

extension PolicyDecider {
    /// The `sla.*` writes that bring the ticket's record in line with `evaluation`: a field is
    /// written when it differs in more than the time counted so far (elapsed, paused), so the
    /// passing of time alone writes nothing and re-planning the server's own writes converges.
    /// A clock newly breached is written only for the metrics in `declaring` (its breach timer);
    /// `sla.tier` only by escalations. A declared breach records its own instant (`declared`),
    /// so later evaluations read back the same record.
    func fieldWrites(_ evaluation: SLAEvaluation, current: Ticket, declaring: Set<SLAMetric>) -> [Payload] {
        var writes: [Payload] = []
        var values = SLAFields.values(of: evaluation)
        for metric in declaring {
            guard var clock = evaluation.clock(metric), clock.state == .breached, clock.declaredBreachMillis == nil else { continue }
            clock.declaredBreachMillis = evaluation.evaluatedAtMillis
            values[SLAFields.field(for: metric)] = SLAFields.record(of: clock)
        }
        for (field, value) in values.sorted(by: { $0.key < $1.key }) where field != SLAFields.evaluatedAt && field != SLAFields.tier {
            let old = current[field]
            if let metric = SLAFields.metric(of: field) {
                guard let clock = SLAFields.clock(metric, from: value) else { continue }
                let previous = old.flatMap { SLAFields.clock(metric, from: $0) }
                if clock.state == .breached, previous?.state != .breached, !declaring.contains(metric) { continue }
                if let previous, Self.significant(previous) == Self.significant(clock) { continue }
                // A breach declared stays declared: never write it back to undeclared.
                if clock.state == .breached, previous?.state == .breached { continue }
            } else if old == value {
                continue
            }
            writes.append(.set(field, value, overwrites: nil))
        }
        if !writes.isEmpty {
            writes.append(.set(SLAFields.evaluatedAt, .integer(Int64(clamping: evaluation.evaluatedAtMillis)), overwrites: nil))
        }
        return writes
    }

    /// A clock without the time counted so far.
    static func significant(_ clock: SLAClock) -> SLAClock {
        var clock = clock
        clock.elapsedMillis = 0
        clock.pausedMillis = 0
        return clock
    }

    /// `sla.offline` and `sla.offline_stations` when every responder is offline (and not marked yet).
    func offlineWrites(_ context: SLATicketContext, _ current: Ticket) -> [Payload] {
        guard let presence, presence.respondersOffline(context.ticket, at: context.placement), !isSet(current[Self.offlineField]) else { return [] }
        let names = presence.responders(of: context.ticket, at: context.placement).all.joined(separator: ",")
        return [
            .set(Self.offlineField, .text("station_offline"), overwrites: nil),
            .set(Self.offlineStationsField, .text(String(names.prefix(1000))), overwrites: nil),
        ]
    }
}
