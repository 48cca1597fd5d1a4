public import TicketModel
internal import GRDB
internal import Synchronization

/// What applying a batch of remote operations did.
public struct RemoteBatchResult: Sendable {
    /// Operations new to this station, now applied.
    public var applied: Int
    /// Operations this station already had.
    public var duplicates: Int
    /// Operations refused, with the reason. They change nothing.
    public var refused: [(id: OperationID, error: TicketModelError)]
}

/// The sync side of the store: applying what a server sends, and the outbox it drains.
extension Station {
    /// Applies operations from elsewhere as one transaction. Idempotent: a batch applied twice
    /// changes nothing the second time. Operations the model refuses (a clock too far ahead, a
    /// bad value) are returned and the rest of the batch still applies.
    @discardableResult
    public func applyRemote(_ operations: [TicketOperation], cursor: String? = nil) throws(StationError) -> RemoteBatchResult {
        let now = wallClock.nowMillis()
        let rules = ApplyRules(acceptsServerAuthored: true, limits: limits)
        let observed = hasObservers
        let (result, applied, states) = try storeCall {
            try database.writeWithoutTransaction { db in
                var outcome: (RemoteBatchResult, [TicketOperation], [TicketID: TicketState], TicketWorkspace)?
                try db.inTransaction(.immediate) {
                    var clock = HybridLogicalClock(latest: Timestamp(rawValue: try Meta.integer(.clock, db)))
                    var result = RemoteBatchResult(applied: 0, duplicates: 0, refused: [])
                    var workspace = try TicketWorkspace(station: self, db: db, defersRows: true)
                    var inserter = try OperationRows.Inserter(db)
                    var applied: [TicketOperation] = []
                    for op in operations {
                        do throws(TicketModelError) {
                            try clock.check(op.timestamp, physicalMillis: now)
                            try OperationValidator.validate(op, rules: rules)
                        } catch {
                            result.refused.append((op.id, error))
                            continue
                        }
                        let slot = try workspace.slot(op.ticket)
                        guard let position = try inserter.insert(op, prev: workspace.head(slot)) else {
                            result.duplicates += 1
                            continue
                        }
                        try? clock.receive(op.timestamp, physicalMillis: now)
                        workspace.apply(op, at: position, in: slot)
                        if observed { applied.append(op) }
                        result.applied += 1
                    }
                    try inserter.finish()
                    let states = applied.isEmpty ? [:] : workspace.states
                    try workspace.save()
                    try Meta.set(.clock, String(clock.latest.rawValue), db)
                    if let cursor { try Meta.set(.cursor, cursor, db) }
                    outcome = (result, applied, states, workspace)
                    return .commit
                }
                let (result, applied, states, workspace) = outcome!
                workspace.finish()
                return (result, applied, states)
            }
        }
        notify(applied, states: states, origin: .remote)
        return result
    }

    /// This station's operations not yet acknowledged by a server, oldest first.
    public func outbox(limit: Int = 1000) throws(StationError) -> [TicketOperation] {
        try storeCall {
            try database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT o.body FROM outbox x JOIN operations o ON o.position = x.position
                        ORDER BY x.seq LIMIT ?
                        """,
                    arguments: [limit]
                )
                .map { try OperationRows.decode($0[0]) }
            }
        }
    }

    /// Removes operations up to and including sequence number `seq` from the outbox: a server
    /// has made them durable.
    public func acknowledge(upTo seq: UInt64) throws(StationError) {
        try writeKeepingRows { db in
            try db.execute(sql: "DELETE FROM outbox WHERE seq <= ?", arguments: [Int64(bitPattern: seq)])
        }
    }

    /// Rebuilds every materialised ticket from the operation log (after damage, or to check):
    /// relinks each ticket's operations into one chain in the order accepted, writes every row
    /// and state snapshot again, and recomputes which operation ids the log holds. Returns the
    /// number of tickets rebuilt.
    @discardableResult
    public func rebuildTickets() throws(StationError) -> Int {
        let count = try storeCall {
            try database.write { db in
                var states: [TicketID: TicketState] = [:]
                var heads: [TicketID: Int64] = [:]
                var relinks: [(position: Int64, prev: Int64?)] = []
                try OperationRows.forEachLinked(db) { position, prev, op in
                    states[op.ticket, default: TicketState(id: op.ticket, retainsDetail: false)].apply(op)
                    let expected = heads[op.ticket]
                    if prev != expected { relinks.append((position, expected)) }
                    heads[op.ticket] = position
                }
                for (position, prev) in relinks {
                    try db.execute(sql: "UPDATE operations SET prev = ? WHERE position = ?", arguments: [prev, position])
                }
                try TicketRow.deleteAll(db)
                try SeenOperations.rebuild(db)
                let rows = try TicketRow.Writer(db)
                var generator = SystemRandomNumberGenerator()
                for (ticket, state) in states {
                    _ = try rows.save(
                        state, row: nil, lastOp: heads[ticket]!, version: .random(in: .min ... .max, using: &generator),
                        forceSnapshot: true
                    )
                }
                try RowCatchUp.markCurrent(db)
                return states.count
            }
        }
        pendingRows.withLock { $0 = $0.emptied }
        return count
    }
}
