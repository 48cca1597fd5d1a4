import Testing
import TicketModel
import TicketTestSupport

/// Fixed scenarios for the set and comment semantics.
@Suite struct SetAndCommentTests {
    let t0: UInt64 = 1_767_225_600_000
    let ticket = TicketID("0194b1c2-0000-7000-8000-000000000001")!

    func pair() throws -> (TicketReplica, TicketReplica) {
        var a = TicketReplica(id: ReplicaID(1))
        let create = try a.createTicket(ticket, fields: [.title: .text("Mug broken")], by: .agent("ana"), physicalMillis: t0)
        var b = TicketReplica(id: ReplicaID(2))
        try b.apply(create, physicalMillis: t0)
        return (a, b)
    }

    @Test func concurrentAddAndRemoveResolveAddWins() throws {
        var (a, b) = try pair()
        let add = try a.add("vip", to: .tags, on: ticket, by: .agent("ana"), physicalMillis: t0 + 1)
        try b.apply(add, physicalMillis: t0 + 1)
        // Offline: b removes the tag it saw; a, concurrently, adds it again.
        let remove = try b.remove("vip", from: .tags, on: ticket, by: .agent("bo"), physicalMillis: t0 + 5)
        let readd = try a.add("vip", to: .tags, on: ticket, by: .agent("ana"), physicalMillis: t0 + 3)
        try a.apply(remove, physicalMillis: t0 + 10)
        try b.apply(readd, physicalMillis: t0 + 10)
        #expect(a.ticket(ticket)!.tags == ["vip"])
        #expect(b.ticket(ticket)!.tags == ["vip"])
        #expect(a.digest() == b.digest())
        // A remove that has seen every add removes the tag everywhere.
        let removeAll = try a.remove("vip", from: .tags, on: ticket, by: .agent("ana"), physicalMillis: t0 + 20)
        try b.apply(removeAll, physicalMillis: t0 + 20)
        #expect(b.ticket(ticket)!.tags.isEmpty)
        #expect(a.digest() == b.digest())
    }

    @Test func removeArrivingBeforeItsAddStillWins() throws {
        var (a, b) = try pair()
        let add = try a.add("fragile", to: .tags, on: ticket, by: .agent("ana"), physicalMillis: t0 + 1)
        let remove = try a.remove("fragile", from: .tags, on: ticket, by: .agent("ana"), physicalMillis: t0 + 2)
        try b.apply(remove, physicalMillis: t0 + 3)
        try b.apply(add, physicalMillis: t0 + 3)
        #expect(b.ticket(ticket)!.tags.isEmpty)
        #expect(a.digest() == b.digest())
    }

    @Test func concurrentCommentsAreAllKept() throws {
        var (a, b) = try pair()
        let fromA = try a.comment("Called the carrier", visibility: .public, on: ticket, by: .agent("ana"), physicalMillis: t0 + 5)
        let fromB = try b.comment("Photo of the box attached", visibility: .internal, on: ticket, by: .agent("bo"), physicalMillis: t0 + 5)
        try a.apply(fromB, physicalMillis: t0 + 6)
        try b.apply(fromA, physicalMillis: t0 + 6)
        let comments = a.ticket(ticket)!.comments
        #expect(comments.map(\.body).sorted() == ["Called the carrier", "Photo of the box attached"])
        #expect(a.digest() == b.digest())
    }

    @Test func commentEditIsLastWriterWinsAndDeleteIsATombstone() throws {
        var (a, b) = try pair()
        let comment = try a.comment("first", visibility: .public, on: ticket, by: .agent("ana"), physicalMillis: t0 + 1)
        try b.apply(comment, physicalMillis: t0 + 1)
        let editA = try a.make(.editComment(comment.id, body: "edit by a"), on: ticket, by: .agent("ana"), physicalMillis: t0 + 10)
        let editB = try b.make(.editComment(comment.id, body: "edit by b"), on: ticket, by: .agent("bo"), physicalMillis: t0 + 20)
        let delete = try a.make(.deleteComment(comment.id), on: ticket, by: .agent("ana"), physicalMillis: t0 + 11)
        for op in [editB] { try a.apply(op, physicalMillis: t0 + 30) }
        for op in [delete, editA] { try b.apply(op, physicalMillis: t0 + 30) }
        let shown = a.ticket(ticket)!.comments
        #expect(shown.count == 1)
        #expect(shown[0].body == "edit by b")
        #expect(shown[0].isDeleted)
        #expect(a.digest() == b.digest())
        // The losing edit is still in the history.
        #expect(a.history(of: ticket).contains { if case .editComment(_, "edit by a") = $0.operation.payload { true } else { false } })
    }

    @Test func escalationTierNeverGoesDownByMerge() throws {
        var (a, b) = try pair()
        let server = Author(.server, "node-1")
        let up3 = try a.make(.escalate(tier: 3, kind: .automatic, reason: "24 h passed", toTeam: nil), on: ticket, by: server, physicalMillis: t0 + 1)
        let up2 = try b.make(.escalate(tier: 2, kind: .hierarchical, reason: "supervisor", toTeam: nil), on: ticket, by: server, physicalMillis: t0 + 9)
        try a.apply(up2, physicalMillis: t0 + 10)
        try b.apply(up3, physicalMillis: t0 + 10)
        #expect(a.ticket(ticket)!.tier == 3)
        #expect(b.ticket(ticket)!.tier == 3)
        #expect(a.ticket(ticket)!.escalations.count == 2)
    }
}
