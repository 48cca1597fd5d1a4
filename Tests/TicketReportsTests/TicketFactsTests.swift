import Foundation
import Testing
import TicketModel
import TicketReports
import TicketSLA
import TicketTestSupport

/// Facts derived from a ticket's real operations and its SLA evaluation.
@Suite struct TicketFactsTests {
    static let hour: UInt64 = 3_600_000
    static let t0: UInt64 = 1_780_000_000_000

    /// Created, answered after 30 min, escalated to tier 2 after 2 h, solved after 3 h, reopened
    /// after 4 h, solved again after 5 h, with a root cause and CSAT.
    static func story() throws -> (ops: [CountedOperation], ticket: Ticket, evaluation: SLAEvaluation?) {
        var replica = TicketReplica(id: ReplicaID(0x51))
        let id = TicketID(high: 0x0190_ABCD_0000_7000, low: 0x8000_0000_0000_0042)
        let agent = Author.agent("ana")
        let server = Author(.server, "ticketsyncd")
        var ops: [CountedOperation] = []
        func take(_ op: TicketOperation, _ at: UInt64) { ops.append(CountedOperation(op, countedMillis: at)) }
        let fields: [FieldKey: FieldValue] = [
            .title: .text("Parcel stuck"), .status: .text("open"), .site: .text("DFW1"), .category: .text("carrier"),
            .orderRef: .text("ORD-7"), .requester: .text("shop-1"),
        ]
        take(try replica.createTicket(id, fields: fields, by: agent, physicalMillis: t0), t0)
        take(try replica.comment("internal note", visibility: .internal, on: id, by: agent, physicalMillis: t0 + 10 * 60_000), t0 + 10 * 60_000)
        take(try replica.comment("On it", visibility: .public, on: id, by: agent, physicalMillis: t0 + hour / 2), t0 + hour / 2)
        take(try replica.make(.escalate(tier: 2, kind: .automatic, reason: "limit", toTeam: "carrier-desk"), on: id, by: server, physicalMillis: t0 + 2 * hour), t0 + 2 * hour)
        take(try replica.set(.status, to: .text("solved"), on: id, by: agent, physicalMillis: t0 + 3 * hour), t0 + 3 * hour)
        take(try replica.set(.status, to: .text("open"), on: id, by: agent, physicalMillis: t0 + 4 * hour), t0 + 4 * hour)
        take(try replica.set(.rootCause, to: .text("carrier delay"), on: id, by: agent, physicalMillis: t0 + 5 * hour), t0 + 5 * hour)
        take(try replica.set(.csat, to: .integer(4), on: id, by: agent, physicalMillis: t0 + 5 * hour), t0 + 5 * hour)
        take(try replica.set(.status, to: .text("solved"), on: id, by: agent, physicalMillis: t0 + 5 * hour), t0 + 5 * hour)
        let ticket = try #require(replica.ticket(id))
        let evaluation = PolicySet.default.evaluate(ops, now: t0 + 6 * hour)
        return (ops, ticket, evaluation)
    }

    @Test func factsFollowTheStory() throws {
        let story = try Self.story()
        let facts = try #require(TicketFacts.derive(from: story.ops, ticket: story.ticket, evaluation: story.evaluation))
        #expect(facts.createdMillis == Self.t0)
        #expect(facts.firstResponseMillis == Self.t0 + Self.hour / 2)  // the public comment, not the internal one
        #expect(facts.resolvedMillis == Self.t0 + 3 * Self.hour)  // the first resolution
        #expect(facts.reopenCount == 1)
        #expect(facts.tierAtResolution == 2)
        #expect(facts.tier == 2)
        #expect(facts.escalations == [EscalationFact(tier: 2, atMillis: Self.t0 + 2 * Self.hour)])
        #expect(facts.csat == 4)
        #expect(facts.rootCause == "carrier delay")
        #expect(facts.status == "solved")
        #expect((facts.site, facts.category, facts.orderRef, facts.requester) == ("DFW1", "carrier", "ORD-7", "shop-1"))
        #expect(facts.policy == story.evaluation?.policyID)
        #expect(!facts.clocks.isEmpty)
    }

    @Test func theOrderOfOperationsDoesNotMatter() throws {
        let story = try Self.story()
        var generator = SeededGenerator(seed: 7)
        let shuffled = story.ops.shuffled(using: &generator)
        #expect(TicketFacts.derive(from: shuffled, ticket: story.ticket, evaluation: story.evaluation)
            == TicketFacts.derive(from: story.ops, ticket: story.ticket, evaluation: story.evaluation))
    }

    @Test func noCreateNoFacts() throws {
        let story = try Self.story()
        #expect(TicketFacts.derive(from: Array(story.ops.dropFirst()), ticket: story.ticket, evaluation: nil) == nil)
    }

    @Test func factsSurviveJSON() throws {
        let story = try Self.story()
        let facts = try #require(TicketFacts.derive(from: story.ops, ticket: story.ticket, evaluation: story.evaluation))
        let decoded = try JSONDecoder().decode(TicketFacts.self, from: JSONEncoder().encode(facts))
        #expect(decoded == facts)
    }
}
