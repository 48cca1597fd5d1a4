internal import TicketModel
internal import TicketSyncProtocol

extension SyncSessionRunner {
    /// Streams the log to the station: catch-up from `cursor`, then live. Only tickets in the
    /// station's scopes are sent; a ticket that enters the scopes is sent whole, one that leaves
    /// them is announced in a ScopeChange. The station's own operations are not echoed. Each
    /// Deliver takes one credit, so a slow station makes the server wait, not buffer.
    ///
    /// Windows of the log are read through the shared ``LogWindowCache``. A station that is
    /// caught up is not sent a Deliver for entries of which it receives nothing: its cursor is
    /// sent with the next operations it does receive, or alone once ``idleCursorEntries``
    /// entries have passed or ``idleCursorMillis`` have gone by since the last cursor it was sent
    /// (checked whenever the log grows).
    func deliver(
        from start: String?, scopes: [Scope], replica: ReplicaID, session: SessionContext, wakes: AsyncStream<Void>
    ) async throws {
        var cursor = start
        var wakeIterator = wakes.makeAsyncIterator()
        var creditIterator = session.credits.makeAsyncIterator()
        // The caught_up flag of the last Deliver sent: false until the station was told it is.
        var stationCaughtUp = false
        // Entries passed since the last cursor sent, and when that was.
        var unsentEntries = 0
        var cursorSentMillis = now()
        // Where the store filters by scope in the database (PostgreSQL), a station reads only
        // its tickets' rows: while it catches up, and at the head too while this node serves at
        // most ``scopedTailSessions`` sessions. Otherwise it shares the node's window with every
        // session (one read per wake-up, however many sessions; each filters it in memory).
        // Without this every node read the whole log for its few stations, so each node added
        // to a cluster read it all again.
        let filtered = store.filtersByScope && !scopes.scopeFilter.all
        let limit = limits.deliverBatchOperations
        let (store, windows, hub) = (self.store, self.windows, self.hub)
        @Sendable func read(after cursor: String?, catchingUp: Bool) async throws -> LogWindow {
            let generation = hub.generation
            if filtered && (catchingUp || hub.count <= Self.scopedTailSessions) {
                return try await store.read(after: cursor, limit: limit, concerning: scopes)
            }
            // Unfiltered: the loop below checks each entry's placements once anyway.
            let read = try await windows.read(after: cursor, limit: limit, generation: generation, store: store)
            return LogWindow(entries: read, end: read.last?.cursor, reachedEnd: read.count < limit, covered: read.count)
        }
        @Sendable func readAhead(after cursor: String?) async throws -> LogWindow? {
            guard let cursor else { return nil }
            return try await read(after: cursor, catchingUp: true)
        }
        var catchingUp = true
        // While catching up, the next window is read (on the store's threads) while this one is
        // decoded, encoded, compressed and written: those were done one after the other.
        var prefetched: LogWindow?
        while true {
            try Task.checkCancellation()
            let window: LogWindow
            if let ahead = prefetched {
                window = ahead
                prefetched = nil
            } else {
                window = try await read(after: cursor, catchingUp: catchingUp)
            }
            catchingUp = !window.reachedEnd
            let aheadCursor = window.reachedEnd ? nil : window.end
            async let ahead = readAhead(after: aheadCursor)
            let entries = window.entries
            guard let next = window.end else {
                let idle = unsentEntries > 0 && now() &- cursorSentMillis >= Self.idleCursorMillis
                if !stationCaughtUp || idle {
                    try await waitForCredit(session, &creditIterator)
                    try await session.send(.deliver(operations: [], cursor: cursor ?? "0", caughtUp: true))
                    stationCaughtUp = true
                    unsentEntries = 0
                    cursorSentMillis = now()
                }
                guard await wakeIterator.next() != nil else { return }
                continue
            }
            var operations: [TicketOperation] = []
            var removed: [TicketID] = []
            var sent = Set<OperationID>()
            // Decided on the entries' ids and placements: only what is sent gets decoded.
            for entry in entries {
                let wasIn = entry.before.map { scopes.contains(entry.ticket, at: $0) } ?? false
                let isIn = scopes.contains(entry.ticket, at: entry.after)
                if isIn, !wasIn, entry.before != nil {
                    for earlier in try await store.operations(of: entry.ticket, through: entry.cursor)
                    where earlier.id.replica != replica && sent.insert(earlier.id).inserted {
                        operations.append(earlier)
                    }
                } else if isIn {
                    if entry.id.replica != replica, sent.insert(entry.id).inserted { operations.append(try entry.operation) }
                } else if wasIn {
                    removed.append(entry.ticket)
                }
            }
            let caughtUp = window.reachedEnd
            unsentEntries += window.covered
            let idle = unsentEntries >= Self.idleCursorEntries || now() &- cursorSentMillis >= Self.idleCursorMillis
            // Entries of which the station receives nothing are only worth a message when they
            // end its catch-up, or to move its cursor along now and then; otherwise the cursor
            // waits for the next Deliver that carries something.
            let announce = caughtUp && !stationCaughtUp
            if !operations.isEmpty || !removed.isEmpty || announce || idle {
                try await waitForCredit(session, &creditIterator)
                if !removed.isEmpty { try await session.send(.scopeChange(removed: removed)) }
                operations.sort { $0.id < $1.id }
                // Tickets that entered the scopes come whole, so a window can hold more than a
                // Deliver may: all but the last part keep the station's cursor where it was, so
                // a session that ends between them sends them again rather than skip them.
                let most = max(1, limits.maxOperationsPerBatch)
                var start = 0
                while operations.count - start > most {
                    try await session.send(.deliver(operations: Array(operations[start..<(start + most)]), cursor: cursor ?? "0", caughtUp: false))
                    start += most
                    try await waitForCredit(session, &creditIterator)
                }
                try await session.send(.deliver(operations: Array(operations[start...]), cursor: next, caughtUp: caughtUp))
                ServerMetrics.shared.delivered(operations.count)
                stationCaughtUp = caughtUp
                unsentEntries = 0
                cursorSentMillis = now()
            }
            cursor = next
            prefetched = try await ahead
        }
    }

    /// Up to this many live sessions on a node, each reads the log's tail filtered by its
    /// scopes (one small query per session per wake-up); beyond it they share one read.
    static let scopedTailSessions = 32

    /// A caught-up station is sent its cursor alone at the latest after this many log entries
    /// it received nothing of...
    static let idleCursorEntries = 10_000
    /// ...or once the log grows this long (ms) after the last cursor it was sent.
    static let idleCursorMillis: UInt64 = 30_000

    private func waitForCredit(_ session: SessionContext, _ credits: inout AsyncStream<Void>.AsyncIterator) async throws {
        while !session.takeCredit() {
            guard await credits.next() != nil else { throw CancellationError() }
            try Task.checkCancellation()
        }
    }
}
