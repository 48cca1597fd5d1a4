import TicketModel
import TicketSLA

/// Builds one ticket's operations with chosen counted times, as a server or station would hand
/// them to evaluation. Every actor edits through one replica (authors differ by kind).
struct TicketScript {
    var replica = TicketReplica(id: ReplicaID(0x5C1E_0A93_D2F4_B7E1))
    let ticket = TicketID(high: 0x0190_ABCD_0000_7000, low: 0x8000_0000_0000_0001)
    var operations: [CountedOperation] = []
    let agent = Author.agent("ana")
    let requester = Author(.requester, "shop")
    let server = Author(.server, "node-1")

    @discardableResult
    mutating func record(_ op: TicketOperation, at counted: UInt64) -> TicketOperation {
        operations.append(CountedOperation(op, countedMillis: counted))
        return op
    }

    @discardableResult
    mutating func create(at time: UInt64, priority: TicketPriority = .normal, site: String? = nil, tags: [String] = []) throws
        -> TicketOperation
    {
        var fields: [FieldKey: FieldValue] = [.title: .text("Parcel stuck"), .priority: .text(priority.rawValue), .status: .text("open")]
        if let site { fields[.site] = .text(site) }
        let op = try replica.createTicket(ticket, fields: fields, by: agent, physicalMillis: time)
        record(op, at: time)
        for tag in tags { record(try replica.add(tag, to: .tags, on: ticket, by: agent, physicalMillis: time), at: time) }
        return op
    }

    @discardableResult
    mutating func status(_ status: TicketStatus, at time: UInt64, counted: UInt64? = nil) throws -> TicketOperation {
        record(try replica.set(.status, to: .text(status.rawValue), on: ticket, by: agent, physicalMillis: time), at: counted ?? time)
    }

    @discardableResult
    mutating func reply(at time: UInt64, counted: UInt64? = nil, visibility: CommentVisibility = .public) throws -> TicketOperation {
        record(try replica.comment("On it", visibility: visibility, on: ticket, by: agent, physicalMillis: time), at: counted ?? time)
    }

    @discardableResult
    mutating func requesterComment(at time: UInt64) throws -> TicketOperation {
        record(try replica.comment("Any news?", visibility: .public, on: ticket, by: requester, physicalMillis: time), at: time)
    }

    /// The server records an evaluation in the `sla.*` fields.
    mutating func serverRecords(_ evaluation: SLAEvaluation, at time: UInt64) throws {
        for (field, value) in SLAFields.values(of: evaluation).sorted(by: { $0.key < $1.key }) {
            record(try replica.set(field, to: value, on: ticket, by: server, physicalMillis: time), at: time)
        }
    }

    mutating func escalate(to tier: Int, at time: UInt64) throws {
        record(
            try replica.make(.escalate(tier: tier, kind: .automatic, reason: "limit", toTeam: nil), on: ticket, by: server, physicalMillis: time),
            at: time
        )
    }
}

/// A one-policy set on a 24x7 calendar with these targets (and the default tiers unless given).
func policySet(
    first: UInt64? = nil, next: UInt64? = nil, update: UInt64? = nil, resolution: UInt64? = nil,
    calendar: BusinessCalendar = .alwaysOpen, tiers: [EscalationTier] = []
) throws -> PolicySet {
    try PolicySet(policies: [
        SLAPolicy(
            id: "test", calendar: calendar,
            targets: SLATargets(firstResponse: first, nextResponse: next, periodicUpdate: update, resolution: resolution),
            escalation: tiers
        )
    ])
}
