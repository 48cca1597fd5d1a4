internal import TicketModel
internal import TicketSyncProtocol

extension SyncSessionRunner {
    /// Streams the log to the station: catch-up from `cursor`, then live. Only tickets in the
    /// station's scopes are sent; a ticket that enters the scopes is sent whole, one that leaves
    /// them is announced in a ScopeChange. The station's own operations are not echoed. Each
    /// Deliver takes one credit, so a slow station makes the server wait, not buffer.
    func deliver(
        from start: String?, scopes: [Scope], replica: ReplicaID, session: SessionContext, wakes: AsyncStream<Void>
    ) async throws {
        var cursor = start
        var wakeIterator = wakes.makeAsyncIterator()
        var creditIterator = session.credits.makeAsyncIterator()
        var announcedCaughtUp = false
        while true {
            try Task.checkCancellation()
            let entries = try await store.read(after: cursor, limit: limits.deliverBatchOperations)
            if entries.isEmpty {
                if !announcedCaughtUp {
                    try await waitForCredit(session, &creditIterator)
                    try await session.send(.deliver(operations: [], cursor: cursor ?? "0", caughtUp: true))
                    announcedCaughtUp = true
                }
                guard await wakeIterator.next() != nil else { return }
                continue
            }
            var operations: [TicketOperation] = []
            var removed: [TicketID] = []
            var sent = Set<OperationID>()
            for entry in entries {
                let op = entry.operation
                let wasIn = entry.before.map { scopes.contains(op.ticket, at: $0) } ?? false
                let isIn = scopes.contains(op.ticket, at: entry.after)
                if isIn, !wasIn, entry.before != nil {
                    for earlier in try await store.operations(of: op.ticket, through: entry.cursor)
                    where earlier.id.replica != replica && sent.insert(earlier.id).inserted {
                        operations.append(earlier)
                    }
                } else if isIn {
                    if op.id.replica != replica, sent.insert(op.id).inserted { operations.append(op) }
                } else if wasIn {
                    removed.append(op.ticket)
                }
            }
            let next = entries[entries.count - 1].cursor
            let caughtUp = entries.count < limits.deliverBatchOperations
            if !operations.isEmpty || !removed.isEmpty || caughtUp {
                try await waitForCredit(session, &creditIterator)
                if !removed.isEmpty { try await session.send(.scopeChange(removed: removed)) }
                operations.sort { $0.id < $1.id }
                try await session.send(.deliver(operations: operations, cursor: next, caughtUp: caughtUp))
            }
            cursor = next
            announcedCaughtUp = caughtUp
        }
    }

    private func waitForCredit(_ session: SessionContext, _ credits: inout AsyncStream<Void>.AsyncIterator) async throws {
        while !session.takeCredit() {
            guard await credits.next() != nil else { throw CancellationError() }
            try Task.checkCancellation()
        }
    }
}
