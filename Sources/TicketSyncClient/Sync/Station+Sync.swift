internal import Foundation
public import TicketModel
public import TicketSyncProtocol

/// Syncing a station with its server.
extension Station {
    /// One sync round: pushes the outbox, receives everything up to now, and returns. Throws
    /// ``SyncError`` when the server refuses the session (bad credential, …) and a
    /// ``StationError`` for local problems.
    public func syncOnce(
        limits: SyncLimits = SyncLimits(), progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }
    ) async throws -> SyncReport {
        guard let settings = try serverSettings() else {
            throw StationError(.invalid, "no server configured; run 'ticketsync init --server URL --token SECRET' first")
        }
        let report = try await SyncConnection(
            station: self, settings: settings, limits: limits, mode: .once, progress: progress, onChange: { _ in }
        ).run()
        try recordSync(atMillis: wallClock.nowMillis())
        return report
    }

    /// Stays connected and live until cancelled: pushes local changes and applies remote ones as
    /// they come. Reconnects with exponential backoff (0.5 s doubling to 30 s, with ±50 % jitter)
    /// after any failure except a refused credential. `onChange` sees every remote batch applied.
    public func syncLive(
        limits: SyncLimits = SyncLimits(), onEvent: @escaping @Sendable (SyncEvent) -> Void = { _ in }
    ) async throws {
        guard let settings = try serverSettings() else {
            throw StationError(.invalid, "no server configured; run 'ticketsync init --server URL --token SECRET' first")
        }
        var attempt = 0
        while !Task.isCancelled {
            let connection = SyncConnection(
                station: self, settings: settings, limits: limits, mode: .live, progress: { _ in },
                onChange: { onEvent(.received($0)) }
            )
            do {
                onEvent(.connecting(settings.url))
                _ = try await connection.run()
                attempt = 0
            } catch let error as SyncError where [.unauthorized, .revoked, .replicaMismatch, .unsupportedVersion].contains(error.code) {
                throw error
            } catch is CancellationError {
                return
            } catch {
                onEvent(.disconnected("\(error)"))
            }
            attempt += 1
            let base = min(30.0, 0.5 * pow(2.0, Double(min(attempt, 10))))
            let delay = base * Double.random(in: 0.5...1.5)
            onEvent(.retrying(afterSeconds: delay))
            try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
        }
    }
}

/// What a live sync reports as it goes.
public enum SyncEvent: Sendable {
    /// Connecting to the server at this URL.
    case connecting(String)
    /// Operations arrived and were applied.
    case received([TicketOperation])
    /// The connection ended; a retry follows.
    case disconnected(String)
    /// The next attempt starts after this many seconds.
    case retrying(afterSeconds: Double)
}
