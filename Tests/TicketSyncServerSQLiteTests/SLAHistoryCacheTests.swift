import Synchronization
import Testing
import TicketModel
import TicketSLA
import TicketSyncServer
import TicketSyncServerSQLite
import TicketTestSupport

/// Records the history each plan and fire was given, per ticket (the latest), and otherwise
/// decides as ``ScriptedDecider`` does.
final class RecordingDecider: SLADecider {
    let inner = ScriptedDecider()
    let seen = Mutex<[TicketID: [SLALogEntry]]>([:])
    var version: String { inner.version }

    func plan(_ context: SLATicketContext, now: UInt64) throws(ServerError) -> SLAPlan {
        seen.withLock { $0[context.ticket] = context.history }
        return try inner.plan(context, now: now)
    }

    func fire(_ timer: TimerClaim, _ context: SLATicketContext, now: UInt64) throws(ServerError) -> TimerEffect {
        seen.withLock { $0[context.ticket] = context.history }
        return try inner.fire(timer, context, now: now)
    }
}

/// The SLA engine's in-memory histories (`SLAHistoryCache`) never change what a decider sees: a
/// store that planned and fired a random workload with a small cache (so lines are evicted and
/// some tickets outgrow it) gives every ticket the same history, entry for entry with counted
/// times, as a store opened afresh on the same file. Replay a failure with
/// `TICKETSYNC_SEED=<seed> swift test --filter SLAHistoryCacheTests`.
@Suite struct SLAHistoryCacheTests {
    @Test(arguments: propertySeeds(count: 2), [0, 7, 1_000])
    func cachedHistoriesEqualHistoriesReadAfresh(seed: UInt64, budget: Int) async throws {
        print("SLAHistoryCacheTests: seed \(seed), budget \(budget) (replay with TICKETSYNC_SEED=\(seed))")
        var random = SeededGenerator(seed: seed)
        let location = try SQLiteLocation()
        let store = try SQLiteServerStore(path: location.path, historyBudget: budget)
        var script = OperationScript(replica: ReplicaID(0x52))
        let station = try await addBoundStation(store, "desk", replica: script.replica)
        let tickets = (1...12).map { ticket(UInt64($0)) }
        var created: [TicketID] = []
        let planner = RecordingDecider()
        for _ in 0..<40 {
            var batch: [TicketOperation] = []
            for _ in 0..<Int.random(in: 1...15, using: &random) {
                let target = tickets.randomElement(using: &random)!
                if !created.contains(target) {
                    created.append(target)
                    batch.append(script.create(target, site: "DFW1"))
                } else if Int.random(in: 0..<6, using: &random) == 0 {
                    batch.append(script.next(.comment(body: "on it", visibility: .public), on: target))
                } else {
                    batch.append(script.set(.priority, .text(["low", "high", "urgent"].randomElement(using: &random)!), on: target))
                }
            }
            _ = try await store.append(batch, from: station, at: script.receivedMillis)
            // Plan part of the way, sometimes; fire whatever is due, sometimes.
            if Bool.random(using: &random) {
                _ = try await store.planSLA(limit: Int.random(in: 1...30, using: &random), rule: .bounded, now: script.receivedMillis, decider: planner)
            }
            if Int.random(in: 0..<3, using: &random) == 0 {
                let now = script.receivedMillis + ScriptedDecider.target
                let claims = try await store.claimTimers(now: now, limit: 5, leaseMillis: 30_000, owner: "a")
                _ = try await store.fireTimers(claims, now: now, decider: planner)
            }
        }
        while try await !store.planSLA(limit: 50, rule: .bounded, now: script.receivedMillis, decider: planner).caughtUp {}

        let cached = RecordingDecider()
        #expect(try await store.replanTickets(after: nil, limit: 100, now: script.receivedMillis, decider: cached) != nil)
        let fresh = RecordingDecider()
        let reopened = try SQLiteServerStore(path: location.path, historyBudget: 0)
        #expect(try await reopened.replanTickets(after: nil, limit: 100, now: script.receivedMillis, decider: fresh) != nil)

        let seenCached = cached.seen.withLock { $0 }
        let seenFresh = fresh.seen.withLock { $0 }
        #expect(seenCached.count == created.count)
        for ticket in created {
            let a = seenCached[ticket] ?? [], b = seenFresh[ticket] ?? []
            #expect(a == b, "ticket \(ticket): \(a.count) cached entries vs \(b.count) read afresh (seed \(seed))")
            #expect(b.map(\.position) == b.map(\.position).sorted() && !b.isEmpty)
        }
    }
}
