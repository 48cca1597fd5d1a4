public import TicketModel
public import TicketSyncServer
internal import GRDB

/// Pushes: a station's batch, validated and made durable in one transaction.
extension SQLiteServerStore {
    /// Validates and makes durable a station's operations in one IMMEDIATE transaction.
    ///
    /// Each operation, in order, is a duplicate (already in the log), a refusal given before
    /// (answered again, the same way), refused now, or accepted. Refusals — clock drift past
    /// `maxDriftMillis` ahead of `receivedMillis`, the model's rules for a station push
    /// (server-owned fields and authors, values, sizes), a missing ticket or comment, a create of
    /// an existing ticket, a ticket outside the station's scopes (before the operation, or after
    /// it for a create; code `out_of_scope`) — are stored, so they are decided for good. The rest
    /// of the batch still applies.
    ///
    /// The station is read again inside the transaction: a credential that is unknown, revoked,
    /// not bound to a replica, or an operation of a replica other than the bound one, fails the
    /// whole call (nothing is written) with `notFound` or `invalidArgument`.
    ///
    /// When this returns, every accepted operation is durable (`synchronous = FULL`).
    public func append(
        _ operations: [TicketOperation], from station: StationRecord, receivedMillis: UInt64, maxDriftMillis: UInt64
    ) async throws(ServerError) -> AppendResult {
        let name = station.name
        return try await writing("appending \(operations.count) operations from station '\(name.prefix(80))'") { db in
            var batch = try AppendTransaction(db: db, stationName: name, receivedMillis: receivedMillis, maxDriftMillis: maxDriftMillis)
            for op in operations { try batch.decide(op) }
            return try batch.finish()
        }
    }

    /// Every operation of `replica` up to the returned sequence number is in the log or refused for good.
    public func decidedSequence(of replica: ReplicaID) async throws(ServerError) -> UInt64 {
        try await reading("reading the decided sequence of replica \(replica)") { db in try DecisionRows.decided(replica, db) }
    }
}
