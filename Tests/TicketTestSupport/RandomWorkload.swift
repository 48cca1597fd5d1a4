public import TicketModel

/// Random offline work by several replicas over shared tickets, with occasional partial syncs so
/// replicas see (and remove, overwrite, edit) each other's work. Every operation made is also kept
/// in `all`, the pool later delivered to everyone.
public struct RandomWorkload {
    public var replicas: [TicketReplica]
    /// Every operation made, in the order made.
    public var all: [TicketOperation] = []
    public var generator: SeededGenerator
    public let baseMillis: UInt64 = 1_767_225_600_000
    public var now: UInt64 = 0
    /// Index of the replica that plays the server (writes SLA fields and escalations).
    public let serverIndex: Int

    public static let tags = ["vip", "fragile", "carrier_ups", "refund", "urgent_pick", "damaged", "recount", "late"]
    public static let people = ["ana", "bo", "chen", "dee", "eli"]

    public init(replicaCount: Int, seed: UInt64) {
        generator = SeededGenerator(seed: seed)
        replicas = (0..<replicaCount).map { TicketReplica(id: ReplicaID(UInt64($0 + 1) &* 0x1000_0000_0001)) }
        serverIndex = replicaCount - 1
    }

    public mutating func random(_ range: Range<Int>) -> Int { Int.random(in: range, using: &generator) }
    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &generator) < p }

    /// Makes `count` operations (refused local edits are retried with another action).
    public mutating func run(operations count: Int, syncEvery: Int = 200) {
        while all.count < count {
            if all.count % syncEvery == 0 { partialSync() }
            now += UInt64(random(0..<2000))
            let index = random(0..<replicas.count)
            if let op = try? step(replica: index) { all.append(op) }
        }
    }

    /// Each replica receives a random part of the pool, in random order, with duplicates.
    public mutating func partialSync() {
        guard !all.isEmpty else { return }
        for index in replicas.indices {
            var delivered: [TicketOperation] = []
            for _ in 0..<random(0..<(all.count / 2 + 1)) { delivered.append(all[random(0..<all.count)]) }
            let refused = replicas[index].apply(batch: delivered, physicalMillis: baseMillis + now + 60_000)
            precondition(refused.isEmpty, "a valid operation was refused: \(refused.first!.1)")
        }
    }

    public mutating func step(replica index: Int) throws -> TicketOperation {
        let at = baseMillis + now
        let known = replicas[index].ticketIDs.sorted()
        let author: Author = index == serverIndex ? Author(.server, "node-1") : .agent(Self.people[random(0..<5)])
        if known.isEmpty || chance(0.04) {
            let id = TicketID.version7(unixMillis: at, using: &generator)
            return try replicas[index].createTicket(
                id, fields: [.title: .text("parcel \(random(0..<1000)) stuck"), .status: .text("open"), .site: .text("DFW1")],
                by: author, physicalMillis: at
            )
        }
        let ticket = known[random(0..<known.count)]
        if index == serverIndex {
            switch random(0..<3) {
            case 0:
                return try replicas[index].set(.sla("first_response"), to: .integer(Int64(random(0..<100))), on: ticket, by: author, physicalMillis: at)
            case 1:
                return try replicas[index].make(
                    .escalate(tier: random(1..<4), kind: .automatic, reason: "resolution target reached", toTeam: "tier2"),
                    on: ticket, by: author, physicalMillis: at
                )
            default:
                return try replicas[index].set(.status, to: .text("open"), on: ticket, by: author, physicalMillis: at)
            }
        }
        switch random(0..<11) {
        case 0:
            let statuses = ["open", "pending", "on_hold", "solved", "closed"]
            return try replicas[index].set(.status, to: .text(statuses[random(0..<5)]), on: ticket, by: author, physicalMillis: at)
        case 1:
            return try replicas[index].set(.assignee, to: chance(0.2) ? .null : .text(Self.people[random(0..<5)]), on: ticket, by: author, physicalMillis: at)
        case 2:
            return try replicas[index].set(.priority, to: .text(["low", "normal", "high", "urgent"][random(0..<4)]), on: ticket, by: author, physicalMillis: at)
        case 3:
            return try replicas[index].set(.custom("bay"), to: .text("B\(random(0..<40))"), on: ticket, by: author, physicalMillis: at)
        case 4:
            return try replicas[index].add(Self.tags[random(0..<Self.tags.count)], to: .tags, on: ticket, by: author, physicalMillis: at)
        case 5:
            let present = replicas[index].ticket(ticket)!.tags
            guard !present.isEmpty else { throw TicketModelError(.invalidValue, "no tag") }
            return try replicas[index].remove(present[random(0..<present.count)], from: .tags, on: ticket, by: author, physicalMillis: at)
        case 6:
            return try replicas[index].comment("note \(random(0..<10_000))", visibility: chance(0.7) ? .public : .internal, on: ticket, by: author, physicalMillis: at)
        case 7:
            let comments = replicas[index].ticket(ticket)!.comments
            guard !comments.isEmpty else { throw TicketModelError(.invalidValue, "no comment") }
            let target = comments[random(0..<comments.count)].id
            if chance(0.3) {
                return try replicas[index].make(.deleteComment(target), on: ticket, by: author, physicalMillis: at)
            }
            return try replicas[index].make(.editComment(target, body: "edited \(random(0..<100))"), on: ticket, by: author, physicalMillis: at)
        case 8:
            let person = Self.people[random(0..<5)]
            if replicas[index].ticket(ticket)!.watchers.contains(person) {
                return try replicas[index].remove(person, from: .watchers, on: ticket, by: author, physicalMillis: at)
            }
            return try replicas[index].add(person, to: .watchers, on: ticket, by: author, physicalMillis: at)
        case 9:
            return try replicas[index].make(.requestEscalation(reason: "carrier silent", toTeam: chance(0.5) ? "carriers" : nil), on: ticket, by: author, physicalMillis: at)
        default:
            return try replicas[index].set(.title, to: .text("retitled \(random(0..<100))"), on: ticket, by: author, physicalMillis: at)
        }
    }
}
