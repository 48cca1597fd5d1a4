internal import GRDB

/// Cheap bookkeeping for a sync session: it counts what it pushed from what each
/// acknowledgement removed, instead of counting the whole store around every PushResult.
extension Station {
    /// Removes operations up to `seq` from the outbox, like ``acknowledge(upTo:)``, and returns
    /// how many it removed.
    func acknowledgeCounting(upTo seq: UInt64) throws(StationError) -> Int {
        try writeKeepingRows { db in
            try db.execute(sql: "DELETE FROM outbox WHERE seq <= ?", arguments: [Int64(bitPattern: seq)])
            return db.changesCount
        }
    }

    /// Operations waiting in the outbox.
    func outboxCount() throws(StationError) -> Int {
        try storeCall { try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0 } }
    }
}
