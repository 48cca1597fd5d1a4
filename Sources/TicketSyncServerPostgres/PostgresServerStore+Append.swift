public import TicketModel
public import TicketSyncServer
internal import NIOCore
internal import PostgresNIO

/// Pushes: a station's batch, validated and made durable in one transaction.
extension PostgresServerStore {
    /// Validates and makes durable a station's operations in one transaction that holds the
    /// `log_head` lock, with the SQLite store's rules and answers (see
    /// `SQLiteServerStore.append`): duplicates, stored refusals given again, refusals stored for
    /// good, the rest accepted; an unknown, revoked or unbound credential, or an operation of
    /// another replica, fails the whole call and writes nothing. Returns after COMMIT: what it
    /// accepted is durable, and listeners on every node have been notified.
    public func append(
        _ operations: [TicketOperation], from station: StationRecord, receivedMillis: UInt64, maxDriftMillis: UInt64
    ) async throws(ServerError) -> AppendResult {
        try await append(operations, from: station, receivedMillis: receivedMillis, maxDriftMillis: maxDriftMillis, beforeCommit: {})
    }

    /// ``append(_:from:receivedMillis:maxDriftMillis:)`` that runs `beforeCommit` inside the
    /// transaction, after its rows are written and before COMMIT: the tests hold a writer there.
    package func append(
        _ operations: [TicketOperation], from station: StationRecord, receivedMillis: UInt64, maxDriftMillis: UInt64,
        beforeCommit: @Sendable () async -> Void
    ) async throws(ServerError) -> AppendResult {
        let name = station.name
        let logger = self.logger
        // Encoding is CPU that needs no lock: done before the transaction takes `log_head`,
        // which every writer on every node waits for.
        let bodies = operations.map(LogRows.body(of:))
        return try await writing("appending \(operations.count) operations from station '\(name.prefix(80))'", lockLog: false) { connection in
            var batch = try await PostgresAppend(
                connection: connection, logger: logger, stationName: name, operations: operations, receivedMillis: receivedMillis,
                maxDriftMillis: maxDriftMillis
            )
            for (op, body) in zip(operations, bodies) { try await batch.decide(op, body: body) }
            let result = try await batch.finish()
            await beforeCommit()
            return result
        }
    }

    /// Every operation of `replica` up to the returned sequence number is in the log or refused for good.
    public func decidedSequence(of replica: ReplicaID) async throws(ServerError) -> UInt64 {
        let logger = self.logger
        let raw = Int64(bitPattern: replica.rawValue)
        return try await reading("reading the decided sequence of replica \(replica)") { connection in
            let rows = try await connection.query("SELECT decided FROM replicas WHERE replica = \(raw)", logger: logger)
            var value: Int64 = 0
            for try await decided in rows.decode(Int64.self) { value = decided }
            return UInt64(bitPattern: value)
        }
    }
}
