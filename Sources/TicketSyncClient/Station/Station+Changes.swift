public import TicketModel
internal import Synchronization

/// The stream of changes an application observes.
extension Station {
    /// Changes committed through this `Station` object from now on, local and remote, one
    /// element per ticket per transaction. The stream ends when the consumer stops iterating.
    public func changes() -> AsyncStream<TicketChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: TicketChange.self, bufferingPolicy: .bufferingNewest(10_000))
        let key = nextObserver.add(1, ordering: .relaxed).newValue
        observers.withLock { $0[key] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.observers.withLock { $0.removeValue(forKey: key) }
        }
        return stream
    }

    /// Whether anyone observes ``changes()`` now (so that work for observers can be skipped).
    var hasObservers: Bool {
        observers.withLock { !$0.isEmpty }
    }

    func notify(_ operations: [TicketOperation], states: [TicketID: TicketState], origin: TicketChange.Origin) {
        guard !operations.isEmpty else { return }
        let continuations = observers.withLock { Array($0.values) }
        guard !continuations.isEmpty else { return }
        var byTicket: [TicketID: [TicketOperation]] = [:]
        var order: [TicketID] = []
        for op in operations {
            if byTicket[op.ticket] == nil { order.append(op.ticket) }
            byTicket[op.ticket, default: []].append(op)
        }
        for ticket in order {
            let ops = byTicket[ticket]!
            let created = ops.contains { if case .create = $0.payload { true } else { false } }
            let change = TicketChange(
                ticket: ticket, kind: created ? .created : .changed, origin: origin, operations: ops,
                fields: states[ticket]?.fieldValues ?? [:]
            )
            for continuation in continuations { continuation.yield(change) }
        }
    }
}
