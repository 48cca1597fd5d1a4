internal import Foundation
internal import Synchronization
public import TicketModel
public import TicketSyncProtocol

/// Syncing a station with its server.
extension Station {
    /// One sync round: pushes the outbox, receives everything up to now, and returns. Throws
    /// ``SyncError`` when the server refuses the session (bad credential, …) and a
    /// ``StationError`` for local problems.
    ///
    /// With several server addresses, a round that cannot reach one, or loses it before the round
    /// finishes, goes on at the next (the log and the outbox make that safe: what was acknowledged
    /// is durable on the cluster, what was not is pushed again and is a no-op if it had arrived).
    public func syncOnce(
        limits: SyncLimits = SyncLimits(), progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }
    ) async throws -> SyncReport {
        guard let settings = try serverSettings() else {
            throw StationError(.invalid, "no server configured; run 'ticketsync init --server URL --token SECRET' first")
        }
        let addresses = settings.addresses
        let first = preferredAddress.withLock { $0 }
        var lastError: (any Error)?
        for step in 0..<addresses.count {
            let index = (first + step) % addresses.count
            let address = addresses[index]
            do {
                let report = try await SyncConnection(
                    station: self, settings: settings.at(address), limits: limits, mode: .once, progress: progress, onChange: { _ in }
                ).run()
                preferredAddress.withLock { $0 = index }
                try recordSync(atMillis: wallClock.nowMillis())
                return report
            } catch let error as SyncError where Self.isFinal(error) {
                throw error
            } catch let error as StationError {
                throw error
            } catch {
                lastError = error
            }
        }
        throw lastError ?? SyncError(.goingAway, "no server address could be reached")
    }

    /// Stays connected and live until cancelled: pushes local changes and applies remote ones as
    /// they come. After a failure (other than a refused credential) it moves to the server's next
    /// address at once; once every address has failed in a row it waits (0.5 s doubling to 30 s,
    /// with ±50 % jitter) before the next round. `onEvent` sees every remote batch applied.
    public func syncLive(
        limits: SyncLimits = SyncLimits(), onEvent: @escaping @Sendable (SyncEvent) -> Void = { _ in }
    ) async throws {
        guard let settings = try serverSettings() else {
            throw StationError(.invalid, "no server configured; run 'ticketsync init --server URL --token SECRET' first")
        }
        let addresses = settings.addresses
        var index = preferredAddress.withLock { $0 } % addresses.count
        var failedInARow = 0
        var rounds = 0
        while !Task.isCancelled {
            let address = addresses[index]
            let connection = SyncConnection(
                station: self, settings: settings.at(address), limits: limits, mode: .live, progress: { _ in },
                onChange: { onEvent(.received($0)) }, onWelcome: { onEvent(.connected(address)) }
            )
            do {
                onEvent(.connecting(address))
                _ = try await connection.run()
            } catch let error as SyncError where Self.isFinal(error) {
                throw error
            } catch is CancellationError {
                return
            } catch {
                onEvent(.disconnected("\(error)"))
            }
            if connection.gotThrough {
                preferredAddress.withLock { $0 = index }
                failedInARow = 0
                rounds = 0
            }
            failedInARow += 1
            index = (index + 1) % addresses.count
            // An address not tried since the last session that got through: go there at once.
            if failedInARow < addresses.count { continue }
            rounds += 1
            let base = min(30.0, 0.5 * pow(2.0, Double(min(rounds, 10))))
            let delay = base * Double.random(in: 0.5...1.5)
            onEvent(.retrying(afterSeconds: delay))
            try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
        }
    }

    /// Refusals that another address or another attempt would only repeat.
    static func isFinal(_ error: SyncError) -> Bool {
        [.unauthorized, .revoked, .replicaMismatch, .unsupportedVersion].contains(error.code)
    }
}

/// What a live sync reports as it goes.
public enum SyncEvent: Sendable {
    /// Connecting to the server at this URL.
    case connecting(String)
    /// The server at this URL accepted the session: the station is live (it catches up next).
    case connected(String)
    /// Operations arrived and were applied.
    case received([TicketOperation])
    /// The connection ended; a retry follows.
    case disconnected(String)
    /// The next attempt starts after this many seconds.
    case retrying(afterSeconds: Double)
}
