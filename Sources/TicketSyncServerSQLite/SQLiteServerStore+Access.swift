internal import GRDB
internal import TicketSyncServer

/// Every store call is one transaction, and every failure a ``ServerError``.
extension SQLiteServerStore {
    /// Runs `body` in a read transaction (a snapshot; concurrent with writes and other reads).
    func reading<T: Sendable>(_ action: String, _ body: @Sendable (Database) throws -> T) async throws(ServerError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw StorageFailure.serverError(error, doing: action, path: path)
        }
    }

    /// Runs `body` in an IMMEDIATE write transaction (it takes the write lock at the start, so it
    /// never fails half-way with SQLITE_BUSY for a lock upgrade), or without one if
    /// `transaction` is false. Committed, with `synchronous = FULL`, means durable.
    func writing<T: Sendable>(
        _ action: String, transaction: Bool = true, _ body: @Sendable (Database) throws -> T
    ) async throws(ServerError) -> T {
        do {
            return try await pool.writeWithoutTransaction { db in
                guard transaction else { return try body(db) }
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw StorageFailure.serverError(error, doing: action, path: path)
        }
    }
}
