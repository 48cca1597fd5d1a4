public import ServiceLifecycle
internal import TicketSyncProtocol

/// Closes the live sessions of revoked credentials. Credentials are revoked from another process
/// (`ticketsyncd station revoke`), so the store is checked on a short timer.
public struct RevocationWatcher: Service {
    let store: any ServerStore
    let registry: SessionRegistry
    let interval: Duration

    /// Creates a watcher that checks every `interval`.
    public init(store: any ServerStore, registry: SessionRegistry, interval: Duration) {
        self.store = store
        self.registry = registry
        self.interval = interval
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let live = registry.liveStations
            if !live.isEmpty, let stations = try? await store.stations() {
                let revoked = Set(stations.filter(\.revoked).map(\.name)).intersection(live)
                let known = Set(stations.map(\.name))
                let gone = live.subtracting(known)
                if !revoked.isEmpty {
                    registry.end(stations: revoked, with: SyncError(.revoked, "the credential was revoked"))
                }
                if !gone.isEmpty {
                    registry.end(stations: gone, with: SyncError(.revoked, "the credential was removed"))
                }
            }
            try? await Task.sleep(for: interval)
        }
    }
}
