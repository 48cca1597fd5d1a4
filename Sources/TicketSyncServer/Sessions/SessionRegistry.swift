internal import Synchronization
public import TicketSyncProtocol

/// The live sessions by credential name, so a revoked credential's sessions can be closed.
public final class SessionRegistry: Sendable {
    private let sessions = Mutex<[UInt64: (station: String, end: AsyncStream<SyncError>.Continuation)]>([:])
    private let next = Atomic<UInt64>(0)

    /// Creates an empty registry.
    public init() {}

    func register(station: String) -> (id: UInt64, ended: AsyncStream<SyncError>) {
        let (stream, continuation) = AsyncStream.makeStream(of: SyncError.self, bufferingPolicy: .bufferingNewest(1))
        let id = next.add(1, ordering: .relaxed).newValue
        sessions.withLock { $0[id] = (station, continuation) }
        return (id, stream)
    }

    func unregister(_ id: UInt64) {
        sessions.withLock { $0.removeValue(forKey: id) }?.end.finish()
    }

    /// Ends every session of the named credentials with `error`.
    public func end(stations names: Set<String>, with error: SyncError) {
        let matching = sessions.withLock { $0.values.filter { names.contains($0.station) }.map(\.end) }
        for continuation in matching { continuation.yield(error) }
    }

    /// The names of credentials with a live session.
    public var liveStations: Set<String> { sessions.withLock { Set($0.values.map(\.station)) } }

    /// The number of live sessions.
    public var count: Int { sessions.withLock { $0.count } }
}
