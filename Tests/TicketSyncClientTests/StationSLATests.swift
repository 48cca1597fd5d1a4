import Foundation
import Testing
import TicketModel
import TicketSLA
import TicketSyncClient

/// The station's SLA view on a real store: provisional clocks from its own operations, confirmed
/// ones read back from server-authored `sla.*` fields, and the difference between them shown.
@Suite struct StationSLATests {
    let t0: UInt64 = 1_772_445_600_000
    let hour: UInt64 = 3_600_000
    let minute: UInt64 = 60_000

    @Test func provisionalUntilTheServerSpeaksThenConfirmed() throws {
        let folder = try TemporaryFolder()
        let clock = TestClock(t0)
        let station = try Station.create(at: folder.path("s.sqlite"), agent: "ana", wallClock: clock)
        let id = try station.createTicket([.title: .text("Parcel crushed")])
        clock.advance(10 * minute)

        let provisional = try #require(try station.slaStatus(of: id))
        #expect(provisional.policyID == "default")
        #expect(provisional.policyVersion == PolicySet.default.version)
        #expect(provisional.clocks.map(\.clock.metric) == [.firstResponse, .resolution])
        #expect(provisional.clocks.allSatisfy { !$0.isConfirmed && $0.clock.state == .running })
        #expect(provisional.clocks[0].remainingMillis == 50 * minute)
        #expect(provisional.confirmed == nil)

        // The server (a replica of its own) sees the station's operations and records its clocks.
        var server = TicketReplica(id: ReplicaID(0xE7D4_1C09_52AB_3F88))
        #expect(server.apply(batch: try station.outbox(), physicalMillis: t0 + 10 * minute).isEmpty)
        let counted = server.operations(on: id).map(CountedOperation.init(stationClock:))
        let evaluation = try #require(PolicySet.default.evaluate(counted, now: t0 + 10 * minute))
        var serverOps: [TicketOperation] = []
        for (field, value) in SLAFields.values(of: evaluation).sorted(by: { $0.key < $1.key }) {
            serverOps.append(try server.set(field, to: value, on: id, by: Author(.server, "node-1"), physicalMillis: t0 + 10 * minute))
        }
        #expect(try station.applyRemote(serverOps).refused.isEmpty)

        let confirmed = try #require(try station.slaStatus(of: id))
        #expect(confirmed.clocks.allSatisfy { $0.isConfirmed })
        #expect(confirmed.confirmed?.clocks == evaluation.clocks)
        #expect(confirmed.clocks[0].provisionalState == nil)
        // Time left is re-projected to the station's now against the confirmed due instant.
        clock.advance(5 * minute)
        #expect(try station.slaStatus(of: id)?.clocks[0].remainingMillis == 45 * minute)

        // An agent answers here, offline: the server's record still says running; the station
        // shows the confirmed clock and what it computes itself.
        try station.comment(on: id, body: "Reshipping today")
        let answered = try #require(try station.slaStatus(of: id))
        #expect(answered.clocks[0].isConfirmed)
        #expect(answered.clocks[0].clock.state == .running)
        #expect(answered.clocks[0].provisionalState == .met)
        #expect(answered.provisional?.clock(.firstResponse)?.state == .met)

        // Two hours on, the provisional resolution clock is at tier 2 of the default matrix.
        clock.advance(2 * hour)
        let all = try station.slaStatuses()
        #expect(all.keys.sorted() == [id])
        #expect(all[id]?.provisional?.tier == 2)
    }

    @Test func aPolicyFileIsKeptInTheStore() throws {
        let folder = try TemporaryFolder()
        let clock = TestClock(t0)
        let path = folder.path("s.sqlite")
        let yaml = "policies:\n  - id: quick\n    targets: { first_response: 30s }\n"
        do {
            let station = try Station.create(at: path, agent: "ana", wallClock: clock)
            #expect(try station.slaPolicyFile() == nil)
            try station.setSLAPolicies(yaml: yaml, file: "quick.yaml")
            #expect {
                try station.setSLAPolicies(yaml: "policies:\n  - id: x\n    targets: { first_response: 0s }\n", file: "bad.yaml")
            } throws: { error in
                (error as? StationError)?.code == .invalid && "\(error)".contains("bad.yaml:3:")
            }
        }
        let reopened = try Station.open(at: path, wallClock: clock)
        #expect(try reopened.slaPolicyFile() == "quick.yaml")
        #expect(try reopened.slaPolicies().policies.map(\.id) == ["quick"])
        let id = try reopened.createTicket([.title: .text("Parcel stuck")])
        clock.advance(31_000)
        #expect(try reopened.slaStatus(of: id)?.isBreached == true)
        try reopened.setSLAPolicies(yaml: nil, file: "")
        #expect(try reopened.slaPolicies() == PolicySet.default)
    }
}
