public import Logging
public import ServiceLifecycle
public import TicketSyncServer
internal import PostgresNIO

/// Wakes this node's live sessions when any node appended to the log: LISTEN on the channel
/// that every append notifies at commit, and, because a notification reaches only listeners
/// connected at that moment (and is lost while this node reconnects), a poll of the log's last
/// position every `pollInterval`. Both only hint: sessions always read the log, so a missed
/// notification delays delivery by at most one poll, and loses nothing.
public struct PostgresLogWatcher: Service {
    let store: PostgresServerStore
    let hub: LogHub
    let pollInterval: Duration
    let logger: Logger

    /// Watches `store`'s log for `hub`.
    public init(store: PostgresServerStore, hub: LogHub, pollInterval: Duration = .seconds(1), logger: Logger) {
        self.store = store
        self.hub = hub
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Listens and polls until cancelled or a graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await listen() }
                group.addTask { await poll() }
            }
        }
    }

    private func listen() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await store.client.withConnection { connection in
                    try await connection.listen(on: PostgresServerStore.channel) { notifications in
                        failures = 0
                        // Anything appended while no one listened is only seen by reading.
                        hub.notify()
                        for try await _ in notifications { hub.notify() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                failures += 1
                if failures == 1 {
                    logger.warning(
                        "listening for log notifications failed; polling every \(pollInterval) until it works again",
                        metadata: ["ticketsync.error": .string(PostgresFailure.summary(error))]
                    )
                }
            }
            try? await Task.sleep(for: .seconds(min(5, failures)))
        }
    }

    private func poll() async {
        var last: Int64?
        while !Task.isCancelled {
            if let position = try? await store.lastPosition() {
                if let last, position != last { hub.notify() }
                last = position
            }
            try? await Task.sleep(for: pollInterval)
        }
    }
}
