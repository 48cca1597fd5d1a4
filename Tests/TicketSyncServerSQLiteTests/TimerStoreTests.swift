import Foundation
import Testing
import TicketModel
import TicketSLA
import TicketSyncServer
import TicketSyncServerSQLite

/// A decider for store tests (the store is the piece under test): one first-response timer a
/// minute after the create, gone once an agent answers in public; firing writes a breach field
/// and queues one webhook event.
struct ScriptedDecider: SLADecider {
    static let target: UInt64 = 60_000
    var version: String { "scripted-1" }

    func plan(_ context: SLATicketContext, now: UInt64) throws(ServerError) -> SLAPlan {
        guard let create = context.history.first(where: { if case .create = $0.operation.payload { return true } else { return false } })
        else { return SLAPlan(timers: []) }
        if answered(context) {
            let writes: [Payload] = context.current?[.sla("first_response")] == .text("met")
                ? [] : [.set(.sla("first_response"), .text("met"), overwrites: nil)]
            return SLAPlan(timers: [], writes: writes)
        }
        return SLAPlan(timers: [PlannedTimer(key: "breach/first_response", kind: .breach, dueMillis: create.countedMillis + Self.target)])
    }

    func fire(_ timer: TimerClaim, _ context: SLATicketContext, now: UInt64) throws(ServerError) -> TimerEffect {
        if answered(context) { return TimerEffect(outcome: "obsolete: answered") }
        let event = WebhookEvent(eventID: "\(timer.ticket)/\(timer.key)/ops", endpoint: "ops", type: "sla.breach", body: Array("{}".utf8))
        return TimerEffect(
            writes: [.set(.sla("first_response"), .text("breached"), overwrites: nil)], events: [event], outcome: "breach"
        )
    }

    func answered(_ context: SLATicketContext) -> Bool {
        context.history.contains {
            if case .comment(_, .public) = $0.operation.payload, $0.operation.author.kind == .agent { return true }
            return false
        }
    }
}

/// The timer table and the webhook outbox on a real SQLite file and a real PostgreSQL database:
/// planning, claims, the fence, completion, hand-backs, restarts.
@Suite struct TimerStoreTests {
    let decider = ScriptedDecider()

    /// A store with a station that created `count` tickets at t0 + 1 s, 2 s, ….
    /// The store at `location`, with its SLA side.
    static func open(_ location: any StoreLocation) async throws -> any ServerStore & SLAStore {
        let store = try await location.open()
        return try #require(store as? any ServerStore & SLAStore, "\(type(of: store)) keeps no SLA state")
    }

    func storeWithTickets(_ count: Int, _ location: any StoreLocation) async throws -> (any ServerStore & SLAStore, StationRecord, OperationScript) {
        let store = try await Self.open(location)
        var script = OperationScript(replica: ReplicaID(0x51))
        let station = try await addBoundStation(store, "desk", replica: script.replica)
        let ops = (1...count).map { script.create(ticket(UInt64($0)), site: "DFW1") }
        _ = try await store.append(ops, from: station, at: script.receivedMillis)
        return (store, station, script)
    }

    func serverOperations(_ store: any ServerStore) async throws -> [TicketOperation] {
        let server = try await store.serverReplica()
        return try await readAll(store).map { try $0.operation }.filter { $0.id.replica == server }
    }

    @Test(arguments: StoreBackEnd.all) func planningMakesOneTimerPerTicketAndIsIdempotent(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let (store, _, script) = try await storeWithTickets(3, location)
        let report = try await store.planSLA(limit: 2, rule: .bounded, now: script.receivedMillis, decider: decider)
        #expect(report == SLAPlanReport(entries: 2, tickets: 2, operations: 0, caughtUp: false))
        let rest = try await store.planSLA(limit: 2, rule: .bounded, now: script.receivedMillis, decider: decider)
        #expect(rest.entries == 1 && rest.caughtUp)
        #expect(try await store.planSLA(limit: 2, rule: .bounded, now: script.receivedMillis, decider: decider).entries == 0)
        let status = try await store.slaStatus()
        #expect(status.pending == 3 && status.cursor == 3)
        let timers = try await store.timers(of: ticket(1))
        #expect(timers.count == 1)
        // Bounded time: the create's own clock (t0 + 1 s), inside [credential made, receipt].
        #expect(timers.first?.dueMillis == t0 + 1_000 + ScriptedDecider.target)
        #expect(try await store.nextTimerDue() == t0 + 1_000 + ScriptedDecider.target)
    }

    @Test(arguments: StoreBackEnd.all) func receiptRuleCountsTheReceiptTime(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let (store, _, script) = try await storeWithTickets(1, location)
        _ = try await store.planSLA(limit: 10, rule: .receipt, now: script.receivedMillis, decider: decider)
        #expect(try await store.timers(of: ticket(1)).first?.dueMillis == script.receivedMillis + ScriptedDecider.target)
    }

    @Test(arguments: StoreBackEnd.all) func boundedRuleClampsAStationClockBeforeItsPreviousContact(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await Self.open(location)
        // The station's clock is an hour behind; its credential was made at t0.
        var script = OperationScript(replica: ReplicaID(0x52), millis: t0 - 3_600_000)
        let station = try await addBoundStation(store, "slow", replica: script.replica)
        _ = try await store.append([script.create(ticket(1))], from: station, at: t0 + 10_000)
        _ = try await store.append([script.create(ticket(2))], from: station, at: t0 + 20_000)
        _ = try await store.planSLA(limit: 10, rule: .bounded, now: t0 + 20_000, decider: decider)
        // First push: clamped up to the credential's creation; second: to the first push.
        #expect(try await store.timers(of: ticket(1)).first?.dueMillis == t0 + ScriptedDecider.target)
        #expect(try await store.timers(of: ticket(2)).first?.dueMillis == t0 + 10_000 + ScriptedDecider.target)
    }

    @Test(arguments: StoreBackEnd.all) func aClaimFiresOnceAndItsRepeatIsFencedOff(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let (store, _, script) = try await storeWithTickets(5, location)
        _ = try await store.planSLA(limit: 100, rule: .bounded, now: script.receivedMillis, decider: decider)
        let due = t0 + 3_000 + ScriptedDecider.target
        let claims = try await store.claimTimers(now: due, limit: 100, leaseMillis: 30_000, owner: "a")
        #expect(claims.map(\.ticket) == [ticket(1), ticket(2), ticket(3)])
        #expect(claims.allSatisfy { $0.attempt == 1 })
        #expect(try await store.claimTimers(now: due, limit: 100, leaseMillis: 30_000, owner: "b").isEmpty)

        let first = try await store.fireTimers(claims, now: due, decider: decider)
        #expect(first == SLAFireReport(fired: 3, operations: 3, webhooks: 3))
        // The same claims again (a node that stalled and woke up): nothing is written.
        let again = try await store.fireTimers(claims, now: due + 1, decider: decider)
        #expect(again == SLAFireReport(fenced: 3))
        let ops = try await serverOperations(store)
        #expect(ops.count == 3)
        #expect(Set(ops.map(\.ticket)) == [ticket(1), ticket(2), ticket(3)])
        #expect(Set(ops.map(\.id.seq)) == [1, 2, 3])
        #expect(try await store.timers(of: ticket(1)).first?.state == .done)
        #expect(try await store.slaStatus().pending == 2)
    }

    @Test(arguments: StoreBackEnd.all) func aLapsedLeaseIsClaimedAgainAndTheOldClaimLosesTheFence(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let (store, _, script) = try await storeWithTickets(1, location)
        _ = try await store.planSLA(limit: 100, rule: .bounded, now: script.receivedMillis, decider: decider)
        let due = t0 + 1_000 + ScriptedDecider.target
        let stalled = try await store.claimTimers(now: due, limit: 10, leaseMillis: 5_000, owner: "a")
        #expect(stalled.count == 1)
        #expect(try await store.nextTimerDue() == due + 5_000)
        #expect(try await store.claimTimers(now: due + 4_999, limit: 10, leaseMillis: 5_000, owner: "b").isEmpty)
        let taken = try await store.claimTimers(now: due + 5_000, limit: 10, leaseMillis: 5_000, owner: "b")
        #expect(taken.map(\.attempt) == [2])
        #expect(try await store.fireTimers(stalled, now: due + 6_000, decider: decider) == SLAFireReport(fenced: 1))
        #expect(try await store.fireTimers(taken, now: due + 6_000, decider: decider).fired == 1)
        #expect(try await serverOperations(store).count == 1)
    }

    @Test(arguments: StoreBackEnd.all) func anAnswerCancelsTheTimerAndFencesAClaimInFlight(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let (store, station, start) = try await storeWithTickets(2, location)
        var script = start
        _ = try await store.planSLA(limit: 100, rule: .bounded, now: script.receivedMillis, decider: decider)
        let due = t0 + 2_000 + ScriptedDecider.target
        let claims = try await store.claimTimers(now: due, limit: 10, leaseMillis: 30_000, owner: "a")
        #expect(claims.count == 2)
        // Ticket 1 is answered (in time) after the claim and before the fire.
        let answer = script.next(.comment(body: "On it", visibility: .public), on: ticket(1))
        _ = try await store.append([answer], from: station, at: due - 10_000)
        let fire = try await store.fireTimers(claims, now: due, decider: decider)
        #expect(fire.fired == 1 && fire.deferred == 1)
        // The planner reads the answer: the timer is cancelled (its due time is still ahead of
        // the planning instant) and writes sla.first_response = met.
        _ = try await store.planSLA(limit: 100, rule: .bounded, now: due - 10_000, decider: decider)
        #expect(try await store.timers(of: ticket(1)).first?.state == .cancelled)
        #expect(try await store.claimTimers(now: due + 100_000, limit: 10, leaseMillis: 30_000, owner: "a").isEmpty)
        let ops = try await serverOperations(store)
        #expect(ops.count == 2)
        #expect(ops.contains { $0.ticket == ticket(1) && $0.payload == .set(.sla("first_response"), .text("met"), overwrites: nil) })
        // Planning its own write again changes nothing.
        _ = try await store.planSLA(limit: 100, rule: .bounded, now: due, decider: decider)
        #expect(try await serverOperations(store).count == 2)
    }

    @Test(arguments: StoreBackEnd.all) func timersSurviveReopeningAndFireOnceAfter(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        do {
            let (store, _, script) = try await storeWithTickets(50, location)
            _ = try await store.planSLA(limit: 1000, rule: .bounded, now: script.receivedMillis, decider: decider)
            // Claimed but never fired: the process dies here.
            _ = try await store.claimTimers(now: t0 + 1_000_000, limit: 20, leaseMillis: 30_000, owner: "dead")
        }
        let store = try await Self.open(location)
        let status = try await store.slaStatus()
        #expect(status.pending == 30 && status.claimed == 20)
        var fired = 0
        let late = t0 + 2_000_000
        while true {
            let claims = try await store.claimTimers(now: late, limit: 7, leaseMillis: 30_000, owner: "new")
            if claims.isEmpty { break }
            fired += try await store.fireTimers(claims, now: late, decider: decider).fired
        }
        #expect(fired == 50)
        let ops = try await serverOperations(store)
        #expect(ops.count == 50 && Set(ops.map(\.ticket)).count == 50)
        #expect(ops.map(\.id.seq).sorted() == Array(1...50))
    }

    @Test(arguments: StoreBackEnd.all) func webhookOutboxRetriesThenDiesAndKeepsOneRowPerEvent(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let (store, _, script) = try await storeWithTickets(1, location)
        _ = try await store.planSLA(limit: 10, rule: .bounded, now: script.receivedMillis, decider: decider)
        let due = t0 + 1_000 + ScriptedDecider.target
        let claims = try await store.claimTimers(now: due, limit: 10, leaseMillis: 30_000, owner: "a")
        #expect(try await store.fireTimers(claims, now: due, decider: decider).webhooks == 1)

        let first = try await store.claimWebhooks(now: due, limit: 10, leaseMillis: 30_000)
        #expect(first.map(\.attempt) == [1])
        #expect(first.first?.event.eventID == "\(ticket(1))/breach/first_response/ops")
        #expect(try await store.claimWebhooks(now: due, limit: 10, leaseMillis: 30_000).isEmpty)
        try await store.finishWebhook(first[0], outcome: .retry(nextAttemptMillis: due + 1_000, error: "HTTP 500"), now: due)
        #expect(try await store.nextWebhookDue() == due + 1_000)
        let second = try await store.claimWebhooks(now: due + 1_000, limit: 10, leaseMillis: 30_000)
        #expect(second.map(\.attempt) == [2])
        // The first attempt's late answer does not count: it lost the fence.
        try await store.finishWebhook(first[0], outcome: .delivered, now: due + 1_001)
        #expect(try await store.webhooks(includeDelivered: false, limit: 10).first?.state == .pending)
        try await store.finishWebhook(second[0], outcome: .dead(error: "HTTP 500"), now: due + 1_002)
        let listed = try await store.webhooks(includeDelivered: false, limit: 10)
        #expect(listed.count == 1 && listed[0].state == .dead && listed[0].attempts == 2 && listed[0].lastError == "HTTP 500")
        #expect(try await store.nextWebhookDue() == nil)
        #expect(try await store.slaStatus().webhooksDead == 1)
    }
}
