import Testing
import TicketModel
import TicketSyncServer

/// Pushes with operations the server refuses: each comes back with its code, the rest applies,
/// and the refusal is final (decided, and given again on a re-send).
@Suite struct RejectionTests {
    @Test(arguments: StoreBackEnd.all)
    func refusedOperationsComeBackWithCodesAndTheRestApplies(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await location.open()
        var script = OperationScript(replica: ReplicaID(0x81))
        let station = try await addBoundStation(store, "dfw-pack-1", scopes: [.site("DFW1")], replica: script.replica)
        let a = ticket(1)
        let create = script.create(a, site: "DFW1")
        #expect(try await store.append([create], from: station, at: script.receivedMillis).accepted == 1)

        let batch = [
            script.set(.sla("first_response_due"), .integer(42), on: a),  // 2: server-owned field by an agent
            script.set(.status, .text("pending"), on: a, by: Author(.server, "node-1")),  // 3: a server author from a station
            script.set(.status, .text("pending"), on: ticket(9)),  // 4: unknown ticket
            script.next(.set(.title, .text("Mine wins"), overwrites: nil), on: a, aheadMillis: 3_600_000),  // 5: clock an hour ahead
            script.create(ticket(2), site: "ONT3"),  // 6: creates a ticket outside the scopes
            script.next(.add(.tags, "fragile"), on: a),  // 7: fine
            script.next(.editComment(OperationID(replica: script.replica, seq: 7), body: "x"), on: a),  // 8: not a comment
            script.next(.comment(body: "Relabelled", visibility: .internal), on: a),  // 9: fine
            script.create(a, site: "DFW1"),  // 10: the ticket exists already
            script.set(.status, .text("lost"), on: a),  // 11: not a status
        ]
        let received = script.receivedMillis
        let result = try await store.append(batch, from: station, at: received)
        #expect(result.accepted == 2)
        #expect(result.duplicates == 0)
        #expect(result.decidedSequence == 11)
        let codes = result.rejected.map { "\($0.seq) \($0.code)" }
        #expect(
            codes == [
                "2 server_owned_field", "3 server_owned_field", "4 ticket_not_found", "5 clock_drift", "6 out_of_scope",
                "8 comment_not_found", "10 invalid_value", "11 invalid_value",
            ]
        )
        #expect(result.rejected.allSatisfy { !$0.message.isEmpty })
        #expect(try await store.decidedSequence(of: script.replica) == 11)
        #expect(try await readAll(store).map(\.id.seq) == [1, 7, 9])
        #expect(try await store.digest() == referenceDigest([create, batch[5], batch[7]]))

        // Sent again (a station that lost the answer): the same refusals, word for word.
        let digest = try await store.digest()
        let again = try await store.append(batch, from: station, at: received + 600_000)
        #expect(again.accepted == 0 && again.duplicates == 2 && again.decidedSequence == 11)
        #expect(again.rejected.map(\.seq) == result.rejected.map(\.seq))
        #expect(again.rejected.map(\.code) == result.rejected.map(\.code))
        #expect(again.rejected.map(\.message) == result.rejected.map(\.message))
        // The far-future operation stays refused even once the server's clock has caught up.
        let later = try await store.append([batch[3]], from: station, at: received + 7_200_000)
        #expect(later.rejected.map(\.code) == ["clock_drift"])
        #expect(try await store.digest() == digest)
    }

    @Test(arguments: StoreBackEnd.all)
    func scopesHoldBeforeTheOperationAndAfterACreate(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await location.open()
        var hub = OperationScript(replica: ReplicaID(0x91))
        var dfw = OperationScript(replica: ReplicaID(0x92))
        let hubStation = try await addBoundStation(store, "hub", scopes: [.all], replica: hub.replica)
        let dfwStation = try await addBoundStation(store, "dfw", scopes: [.site("DFW1"), .team("carriers"), .ticket(ticket(5))], replica: dfw.replica)
        let setup = [
            hub.create(ticket(1), site: "DFW1"), hub.create(ticket(2), site: "ONT3"),
            hub.create(ticket(3), site: "ONT3", team: "carriers"), hub.create(ticket(5), site: "LAX2"),
        ]
        #expect(try await store.append(setup, from: hubStation, at: hub.receivedMillis).accepted == 4)

        let batch = [
            dfw.set(.priority, .text("high"), on: ticket(1)),  // 1: site DFW1
            dfw.set(.priority, .text("high"), on: ticket(2)),  // 2: ONT3, no team: out
            dfw.set(.priority, .text("high"), on: ticket(3)),  // 3: team carriers
            dfw.set(.priority, .text("high"), on: ticket(5)),  // 4: named ticket
            dfw.create(ticket(6), team: "carriers"),  // 5: created in scope by team
            dfw.create(ticket(7)),  // 6: no site or team: out
            dfw.set(.site, .text("ONT3"), on: ticket(1)),  // 7: moves it out: allowed, it was in scope
            dfw.set(.priority, .text("low"), on: ticket(1)),  // 8: now out of scope
        ]
        let result = try await store.append(batch, from: dfwStation, at: dfw.receivedMillis)
        #expect(result.rejected.map(\.seq) == [2, 6, 8])
        #expect(result.rejected.allSatisfy { $0.code == "out_of_scope" })
        #expect(result.accepted == 5 && result.decidedSequence == 8)
    }
}
