import Foundation
import Testing
import TicketModel
import TicketSLA
import TicketSyncServer
import TicketSyncServerSQLite

/// Two timers per ticket, due together; each firing writes `sla.steps` = how many steps the
/// ticket's history already holds, plus one, and records in its outcome what the ticket's field
/// said when it was decided. A batch that decided its claims on a stale read would repeat a step.
struct CountingDecider: SLADecider {
    static let target: UInt64 = 60_000
    static let field = FieldKey.sla("steps")
    var version: String { "counting-1" }

    func plan(_ context: SLATicketContext, now: UInt64) throws(ServerError) -> SLAPlan {
        guard let create = context.history.first(where: { if case .create = $0.operation.payload { return true } else { return false } })
        else { return SLAPlan(timers: []) }
        let due = create.countedMillis + Self.target
        return SLAPlan(timers: [
            PlannedTimer(key: "step/1", kind: .warning, dueMillis: due), PlannedTimer(key: "step/2", kind: .breach, dueMillis: due),
        ])
    }

    func fire(_ timer: TimerClaim, _ context: SLATicketContext, now: UInt64) throws(ServerError) -> TimerEffect {
        let done = context.history.filter { entry in
            if case .set(Self.field, _, _) = entry.operation.payload { return true } else { return false }
        }.count
        let seen = context.current?[Self.field]?.text ?? "none"
        let event = WebhookEvent(eventID: "\(timer.ticket)/step/\(done + 1)", endpoint: "ops", type: "sla.step", body: Array("{}".utf8))
        return TimerEffect(
            writes: [.set(Self.field, .text("\(done + 1)"), overwrites: nil)], events: [event], outcome: "step \(done + 1) after \(seen)"
        )
    }
}

/// Firing reads a whole batch of claims at once and decides them in memory: the batch must give
/// what firing one claim at a time gives, on both back ends.
@Suite struct TimerBatchTests {
    @Test(arguments: StoreBackEnd.all) func aBatchDecidesTwoTimersOfOneTicketInOrderBesideFencedAndDeferredOnes(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await TimerStoreTests.open(location)
        var script = OperationScript(replica: ReplicaID(0x61))
        let station = try await addBoundStation(store, "desk", replica: script.replica)
        _ = try await store.append((1...3).map { script.create(ticket(UInt64($0)), site: "DFW1") }, from: station, at: script.receivedMillis)
        let decider = CountingDecider()
        _ = try await store.planSLA(limit: 100, rule: .bounded, now: script.receivedMillis, decider: decider)
        let due = t0 + 3_000 + CountingDecider.target
        let claims = try await store.claimTimers(now: due, limit: 100, leaseMillis: 30_000, owner: "a")
        #expect(claims.count == 6)

        // Ticket 3's claims fire first on their own: handed in again below, they are stale.
        let third = claims.filter { $0.ticket == ticket(3) }
        #expect(try await store.fireTimers(third, now: due, decider: decider) == SLAFireReport(fired: 2, operations: 2, webhooks: 2))
        // Ticket 2 is commented on after the claim: the planner must see that first.
        _ = try await store.append([script.next(.comment(body: "Looking", visibility: .internal), on: ticket(2))], from: station, at: due - 5_000)

        let report = try await store.fireTimers(claims, now: due, decider: decider)
        #expect(report == SLAFireReport(fired: 2, fenced: 2, deferred: 2, operations: 2, webhooks: 2))

        // Ticket 1's two timers, decided in order, each on the ticket as the one before left it.
        let first = try await store.timers(of: ticket(1)).sorted { $0.key < $1.key }
        #expect(first.map(\.state) == [.done, .done])
        #expect(first.map(\.outcome) == ["step 1 after none", "step 2 after 1"])
        let server = try await store.serverReplica()
        let written = try await readAll(store).map { try $0.operation }.filter { $0.id.replica == server && $0.ticket == ticket(1) }
        #expect(written.map(\.payload) == ["1", "2"].map { .set(CountingDecider.field, .text($0), overwrites: nil) })
        #expect(written.count == 2 && written[1].id.seq == written[0].id.seq + 1 && written[1].timestamp > written[0].timestamp)
        let tickets = try await store.tickets(after: nil, limit: 10)
        #expect(tickets.first { $0.id == ticket(1) }?[CountingDecider.field] == .text("2"))
        // Ticket 2's timers went back, unfired; ticket 3's stayed as their first firing left them.
        #expect(try await store.timers(of: ticket(2)).map(\.state) == [.pending, .pending])
        #expect(try await store.timers(of: ticket(3)).compactMap(\.outcome).sorted() == ["step 1 after none", "step 2 after 1"])
        #expect(try await store.slaStatus().webhooksPending == 4)
    }

    @Test(arguments: StoreBackEnd.all) func aTicketIsPlannedByTheStepThatReadsItsLastEntry(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await TimerStoreTests.open(location)
        var script = OperationScript(replica: ReplicaID(0x62))
        let station = try await addBoundStation(store, "desk", replica: script.replica)
        let ops = [
            script.create(ticket(1), site: "DFW1"), script.next(.comment(body: "Noted", visibility: .internal), on: ticket(1)),
            script.create(ticket(2), site: "DFW1"),
        ]
        _ = try await store.append(ops, from: station, at: script.receivedMillis)
        let decider = ScriptedDecider()
        // The first step reads ticket 1's create only: its comment comes later, so it waits.
        let first = try await store.planSLA(limit: 1, rule: .bounded, now: script.receivedMillis, decider: decider)
        #expect(first.entries == 1 && !first.caughtUp)
        #expect(try await store.timers(of: ticket(1)).isEmpty)
        // The step that reads the comment plans it, on its whole history; ticket 2 after it.
        _ = try await store.planSLA(limit: 1, rule: .bounded, now: script.receivedMillis, decider: decider)
        #expect(try await store.timers(of: ticket(1)).map(\.key) == ["breach/first_response"])
        #expect(try await store.timers(of: ticket(2)).isEmpty)
        _ = try await store.planSLA(limit: 1, rule: .bounded, now: script.receivedMillis, decider: decider)
        #expect(try await store.timers(of: ticket(2)).count == 1)
        #expect(try await store.slaStatus().pending == 2)
    }
}
