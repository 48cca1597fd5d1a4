internal import GRDB
internal import Synchronization
internal import TicketModel

/// Reading and writing the ticket rows with the ones remote batches left pending written first
/// (see ``PendingRows``).
extension Station {
    /// Writes the rows of the tickets that remote batches changed since their rows were last
    /// written. Anything that reads tickets does this first by itself; a sync round does it
    /// when it ends, so that the next process to open the store finds nothing to catch up on.
    public func flushTicketRows() throws(StationError) {
        try withCurrentRows { _ in }
    }

    /// Runs `body` on a store whose ticket rows hold every operation in the log: in a read
    /// transaction when nothing is pending, else in a write transaction that writes the pending
    /// rows first.
    func withCurrentRows<T>(_ body: (Database) throws -> T) throws(StationError) -> T {
        if pendingRows.withLock({ $0.isEmpty && $0.valid }) {
            let fast: [T] = try storeCall {
                try database.read { db in try RowCatchUp.isCurrent(db) ? [try body(db)] : [] }
            }
            if let result = fast.first { return result }
        }
        return try writeWithCurrentRows(body)
    }

    /// Runs `body` in a write transaction after the pending rows are written. With
    /// `changingRows`, `body` may change rows and operations behind the cache's back: the cache
    /// is cleared afterwards, and the watermark set to the log's end again (`body` may have
    /// deleted the newest operations).
    func writeWithCurrentRows<T>(changingRows: Bool = false, _ body: (Database) throws -> T) throws(StationError) -> T {
        try storeCall {
            try database.writeWithoutTransaction { db in
                var outcome: (T, TicketWorkspace)?
                try db.inTransaction(.immediate) {
                    var workspace = try TicketWorkspace(station: self, db: db)
                    try workspace.save()
                    try workspace.writePending()
                    let result = try body(db)
                    if changingRows, try RowCatchUp.watermark(db) != nil { try RowCatchUp.markCurrent(db) }
                    outcome = (result, workspace)
                    return .commit
                }
                let (result, workspace) = outcome!
                workspace.finish()
                if changingRows { ticketCache.withLock { $0.removeAll() } }
                return result
            }
        }
    }

    /// Starts the cache's view of a write transaction (see ``TicketCache/begin(dataVersion:totalChanges:)``):
    /// the epoch entries must match to be trusted, and whether anyone wrote the store behind it.
    func beginCachedWrite(_ db: Database) throws -> (epoch: UInt64, moved: Bool) {
        let dataVersion = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
        let totalChanges = db.totalChangesCount
        return ticketCache.withLock { $0.begin(dataVersion: dataVersion, totalChanges: totalChanges) }
    }

    /// Runs `body`, which must not touch operations or ticket rows (the outbox, `meta`), in a
    /// write transaction that leaves the pending rows and the cache trusted. Any other write by
    /// this object counts as a write behind their back, and the next batch would rebuild its
    /// pending rows from the log (`RowCatchUp`): during a live sync, acknowledgements arrive
    /// between batches.
    func writeKeepingRows<T>(_ body: (Database) throws -> T) throws(StationError) -> T {
        try storeCall {
            try database.writeWithoutTransaction { db in
                var outcome: (T, UInt64)?
                try db.inTransaction(.immediate) {
                    let (epoch, moved) = try beginCachedWrite(db)
                    // Someone else wrote the store since the last cached commit: the next
                    // workspace cannot see that any more (this begin moved the epoch), so it
                    // is told here.
                    if moved { pendingRows.withLock { $0.valid = false } }
                    outcome = (try body(db), epoch)
                    return .commit
                }
                let (result, epoch) = outcome!
                let totalChanges = db.totalChangesCount
                ticketCache.withLock { $0.commit([], epoch: epoch, totalChanges: totalChanges) }
                return result
            }
        }
    }
}
