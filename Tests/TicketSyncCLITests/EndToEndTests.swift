import Foundation
import Testing

/// One station's life through the real binary: 100 tickets, edits, comments, every list filter,
/// show, export and status, with `--json` output parsed back and checked against what was done.
@Suite("ticketsync end to end")
struct EndToEndTests {
    /// What the test did to one ticket, to compute what lists must return.
    struct Planned {
        var index: Int
        var title: String
        var site: String
        var priority: String
        var category: String
        var tags: Set<String>
        var status = "open"
        var assignee: String?
        var operations: Int
    }

    static let sites = ["DFW1", "SEA2", "ORD3", "ATL4"]
    static let priorities = ["low", "normal", "high", "urgent"]
    static let categories = ["shipping_delay", "damaged_item", "wrong_item", "inventory_mismatch", "carrier_exception"]

    @Test("init, 100 tickets, edit, comment, list with filters, show, export, status")
    func scenario() async throws {
        try await offPool {
            try withTemporaryDirectory { root in
                let home = root.appendingPathComponent("station")
                let cli = try CLI(home: home)
                let initialized = try cli.succeed(["init", "--agent", "tester", "--json"]).jsonObject()
                let replica = try #require(initialized["replica"] as? String)
                #expect(replica.count == 16)
                let mode = try FileManager.default.attributesOfItem(atPath: home.path)[.posixPermissions] as? Int
                #expect(mode == 0o700)
    
                var planned = try createTickets(cli)
                let ids = planned.keys.sorted { planned[$0]!.index < planned[$1]!.index }
                try edit(cli, ids: ids, planned: &planned)
                let showID = ids[0]
                try comment(cli, ids: ids, planned: &planned)
                try checkLists(cli, planned: planned)
                try checkShow(cli, id: showID, planned: planned[showID]!)
                try checkExport(cli, planned: planned)
    
                let operations = planned.values.reduce(0) { $0 + $1.operations }
                let status = try cli.succeed(["status", "--json"]).jsonObject()
                #expect(status["replica"] as? String == replica)
                #expect(status["agent"] as? String == "tester")
                #expect(status["outbox"] as? Int == operations)
                #expect(status["operations"] as? Int == operations)
                #expect(status["tickets"] as? Int == 100)
                #expect(status["server"] is NSNull)
                #expect(status["last_sync"] is NSNull)
                #expect(status["cursor"] is NSNull)
                let digest = try #require(status["digest"] as? String)
                #expect(digest.count == 64 && digest.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    
                // $TICKETSYNC_HOME finds the same station when --home is not given.
                let viaEnvironment = try cli.runRaw(["status", "--json"], environment: ["TICKETSYNC_HOME": home.path])
                #expect(try viaEnvironment.jsonObject()["digest"] as? String == digest)
                let human = try cli.succeed(["status"]).stdout
                #expect(human.contains("none — offline") && human.contains("never") && human.contains(digest))
            }
        }
    }

    /// Creates 100 tickets with varied site, priority, category and tags.
    func createTickets(_ cli: CLI) throws -> [String: Planned] {
        var planned: [String: Planned] = [:]
        for index in 0..<100 {
            var tags: [String] = []
            if index % 3 == 0 { tags.append("vip") }
            if index % 5 == 0 { tags.append("fragile") }
            let title = index % 10 == 0 ? "Pallet \(index) collapsed at the dock" : "Order SO-\(1000 + index) needs attention"
            let site = Self.sites[index % 4]
            let priority = Self.priorities[(index / 4) % 4]
            let category = Self.categories[index % 5]
            var arguments = ["new", "--title", title, "--site", site, "--priority", priority, "--category", category]
            for tag in tags { arguments += ["--tag", tag] }
            if index == 0 {
                arguments += ["--json", "--field", "custom.carrier=ups", "--description", "Two boxes crushed\nand wet"]
            }
            let result = try cli.succeed(arguments)
            let id: String
            if index == 0 {
                let ticket = try result.jsonObject()
                id = try #require(ticket["id"] as? String)
                #expect(ticket["title"] as? String == title)
                #expect(ticket["status"] as? String == "open")
                #expect(ticket["tags"] as? [String] == tags.sorted())
                #expect((ticket["custom"] as? [String: Any])?["carrier"] as? String == "ups")
            } else {
                id = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            #expect(id.count == 36, "new printed '\(id)'")
            planned[id] = Planned(
                index: index, title: title, site: site, priority: priority, category: category, tags: Set(tags),
                operations: 1 + tags.count
            )
        }
        return planned
    }

    /// Status, tags, assignee and watchers on some tickets.
    func edit(_ cli: CLI, ids: [String], planned: inout [String: Planned]) throws {
        for id in ids[0..<10] {
            try cli.succeed(["edit", id, "--status", "pending"])
            planned[id]!.status = "pending"
            planned[id]!.operations += 1
        }
        for id in ids[10..<15] {
            try cli.succeed(["edit", id, "--status", "solved", "--add-tag", "escalated"])
            planned[id]!.status = "solved"
            planned[id]!.tags.insert("escalated")
            planned[id]!.operations += 2
        }
        for id in ids[20..<27] {
            let result = try cli.succeed(["assign", id, "bob"])
            #expect(result.stdout.contains("bob"))
            planned[id]!.assignee = "bob"
            planned[id]!.operations += 1
        }
        // Ticket 0 carries vip and fragile: drop one, add a watcher, assign, in one command.
        let first = ids[0]
        try cli.succeed(["edit", String(first.prefix(23)), "--remove-tag", "fragile", "--add-watcher", "carol", "--assignee", "alice"])
        planned[first]!.tags.remove("fragile")
        planned[first]!.assignee = "alice"
        planned[first]!.operations += 3
        // Writing the value already there writes nothing.
        let unchanged = try cli.succeed(["edit", first, "--status", "pending"])
        #expect(unchanged.stdout.contains("Nothing changed"))
    }

    /// Public and internal comments, one body read from stdin.
    func comment(_ cli: CLI, ids: [String], planned: inout [String: Planned]) throws {
        let first = ids[0]
        let publicID = try cli.succeed(["comment", first, "--body", "Called the carrier, claim filed"]).stdout
        #expect(publicID.contains(":"), "comment printed '\(publicID)'")
        let internalResult = try cli.succeed(["comment", first, "--body", "-", "--internal", "--json"], stdin: "Customer is a reseller\n")
        let internalComment = try internalResult.jsonObject()
        #expect(internalComment["ticket"] as? String == first)
        #expect((internalComment["id"] as? String)?.contains(":") ?? false)
        #expect(internalComment["action"] as? String == "added")
        planned[first]!.operations += 2
        for (offset, id) in ids[30..<40].enumerated() {
            try cli.succeed(["comment", id, "--body", "Update \(offset)"] + (offset % 2 == 0 ? [] : ["--internal"]))
            planned[id]!.operations += 1
        }
    }
}
