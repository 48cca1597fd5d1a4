import Testing
import TicketModel
import TicketSyncServer

/// Adds a station with a fresh secret and binds it to `replica`; returns its record as a
/// session would hold it.
func addBoundStation(
    _ store: any ServerStore, _ name: String, scopes: [Scope] = [.all], replica: ReplicaID
) async throws -> StationRecord {
    let hash = StationToken.hash(StationToken.generate())
    try await store.addStation(name: name, tokenHash: hash, scopes: scopes, createdMillis: t0)
    #expect(try await store.bind(station: name, to: replica))
    return try #require(try await store.station(tokenHash: hash))
}

/// Every entry of the log, read in pages of `page`.
func readAll(_ store: any ServerStore, page: Int = 100) async throws -> [LogEntry] {
    var entries: [LogEntry] = []
    var cursor: String?
    while true {
        let batch = try await store.read(after: cursor, limit: page)
        #expect(batch.count <= page)
        guard let last = batch.last else { return entries }
        entries += batch
        cursor = last.cursor
    }
}

extension ServerStore {
    /// Appends with the default drift bound.
    func append(_ operations: [TicketOperation], from station: StationRecord, at millis: UInt64) async throws -> AppendResult {
        try await append(operations, from: station, receivedMillis: millis, maxDriftMillis: HybridLogicalClock.defaultMaxDriftMillis)
    }
}
