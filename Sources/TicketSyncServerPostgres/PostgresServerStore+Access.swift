internal import Logging
internal import PostgresNIO
internal import TicketSyncServer

/// Every store call is one transaction (or one statement), and every failure a ``ServerError``.
extension PostgresServerStore {
    /// Runs `body` on a pooled connection outside an explicit transaction: each statement sees
    /// what had committed when it started (READ COMMITTED).
    func reading<T: Sendable>(
        _ action: String, _ body: (PostgresConnection) async throws -> sending T
    ) async throws(ServerError) -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw PostgresFailure.serverError(error, doing: action, database: database)
        }
    }

    /// Runs `body` in a transaction that, if `lockLog`, first locks the `log_head` row, so it is
    /// the only writer on any node until it commits (the last committed position is returned by
    /// the lock and passed to `body`). Returns once COMMIT has returned, so what it wrote is
    /// durable.
    func writing<T: Sendable>(
        _ action: String, lockLog: Bool = true, _ body: (PostgresConnection) async throws -> sending T
    ) async throws(ServerError) -> T {
        let logger = self.logger
        do {
            return try await client.withTransaction(logger: logger) { connection in
                if lockLog {
                    try await connection.query("SELECT last_position FROM log_head WHERE id = 1 FOR UPDATE", logger: logger)
                }
                return try await body(connection)
            }
        } catch {
            throw PostgresFailure.serverError(error, doing: action, database: database)
        }
    }
}
