import Foundation
import Testing

/// What the end-to-end scenario checks after its writes: lists, show, export.
extension EndToEndTests {
    /// Every filter, checked against the planned tickets.
    func checkLists(_ cli: CLI, planned: [String: Planned]) throws {
        func listed(_ arguments: [String]) throws -> [String] {
            let rows = try #require(try cli.succeed(["list", "--json"] + arguments).json() as? [[String: Any]])
            return rows.compactMap { $0["id"] as? String }
        }
        func expectList(_ arguments: [String], _ predicate: (Planned) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let expected = Set(planned.filter { predicate($0.value) }.keys)
            let got = try listed(arguments + ["--limit", "0"])
            #expect(got.count == expected.count, "list \(arguments)", sourceLocation: sourceLocation)
            #expect(Set(got) == expected, "list \(arguments)", sourceLocation: sourceLocation)
        }
        try expectList(["--status", "pending"]) { $0.status == "pending" }
        try expectList(["--status", "pending", "--status", "solved"]) { $0.status != "open" }
        try expectList(["--site", "DFW1"]) { $0.site == "DFW1" }
        try expectList(["--status", "open", "--site", "SEA2"]) { $0.status == "open" && $0.site == "SEA2" }
        try expectList(["--tag", "vip"]) { $0.tags.contains("vip") }
        try expectList(["--tag", "vip", "--tag", "fragile"]) { $0.tags.isSuperset(of: ["vip", "fragile"]) }
        try expectList(["--tag", "escalated"]) { $0.tags.contains("escalated") }
        try expectList(["--text", "pallet"]) { $0.title.contains("Pallet") }
        try expectList(["--text", "SO-1042"]) { $0.title.contains("SO-1042") }
        try expectList(["--priority", "urgent"]) { $0.priority == "urgent" }
        try expectList(["--priority", "high", "--priority", "low", "--site", "ORD3"]) {
            ($0.priority == "high" || $0.priority == "low") && $0.site == "ORD3"
        }
        try expectList(["--category", "damaged_item"]) { $0.category == "damaged_item" }
        try expectList(["--assignee", "bob"]) { $0.assignee == "bob" }
        try expectList(["--unassigned"]) { $0.assignee == nil }
        try expectList([]) { _ in true }
        #expect(try listed([]).count == 50, "the default limit is 50")
        #expect(try listed(["--limit", "7"]).count == 7)

        let bySort = try #require(try cli.succeed(["list", "--json", "--sort", "priority", "--limit", "0"]).json() as? [[String: Any]])
        let ranks = bySort.compactMap { ($0["priority"] as? String).flatMap(Self.priorities.firstIndex(of:)) }
        #expect(ranks.count == 100 && ranks == ranks.sorted(by: >), "--sort priority puts the most urgent first")

        // The table for people: a heading and one row per ticket.
        let table = try cli.succeed(["list", "--site", "ATL4", "--limit", "0"])
        #expect(table.lines.count == 1 + planned.values.filter { $0.site == "ATL4" }.count)
        #expect(table.lines.first?.hasPrefix("ID") ?? false)
        #expect(table.lines.first?.contains("TITLE") ?? false)
    }

    /// `show` for people and for scripts.
    func checkShow(_ cli: CLI, id: String, planned: Planned) throws {
        let text = try cli.succeed(["show", String(id.prefix(23))]).stdout
        for expected in [id, planned.title, "Comments (2)", "internal", "History (", "current", "overwritten", "carol", "custom.carrier"] {
            #expect(text.contains(expected), "show lacks '\(expected)':\n\(text)")
        }

        let ticket = try cli.succeed(["show", id, "--json"]).jsonObject()
        #expect(ticket["id"] as? String == id)
        #expect(ticket["title"] as? String == planned.title)
        #expect(ticket["status"] as? String == "pending")
        #expect(ticket["priority"] as? String == planned.priority)
        #expect(ticket["site"] as? String == planned.site)
        #expect(ticket["category"] as? String == planned.category)
        #expect(ticket["assignee"] as? String == "alice")
        #expect(ticket["description"] as? String == "Two boxes crushed\nand wet")
        #expect(ticket["tags"] as? [String] == planned.tags.sorted())
        #expect(ticket["watchers"] as? [String] == ["carol"])
        #expect(ticket["created_at"] as? String != nil)
        let comments = try #require(ticket["comments"] as? [[String: Any]])
        #expect(comments.map { $0["visibility"] as? String } == ["public", "internal"])
        #expect(comments.map { $0["body"] as? String } == ["Called the carrier, claim filed", "Customer is a reseller"])
        #expect(comments.allSatisfy { $0["deleted"] as? Bool == false })

        let history = try #require(ticket["history"] as? [[String: Any]])
        #expect(history.count == planned.operations)
        #expect(ticket["operation_count"] as? Int == planned.operations)
        #expect(history.first?["kind"] as? String == "create")
        let createFields = try #require(history.first?["fields"] as? [[String: Any]])
        let createdStatus = try #require(createFields.first { $0["field"] as? String == "status" })
        #expect(createdStatus["outcome"] as? String == "overwritten")
        let statusWrite = try #require(history.first { $0["kind"] as? String == "set" && $0["field"] as? String == "status" })
        #expect(statusWrite["value"] as? String == "pending")
        #expect(statusWrite["outcome"] as? String == "current")
        #expect(history.allSatisfy { ($0["author"] as? [String: Any])?["name"] as? String == "tester" })
        #expect(history.contains { $0["kind"] as? String == "remove" && $0["element"] as? String == "fragile" })
        #expect(history.filter { $0["kind"] as? String == "comment" }.count == 2)
    }

    /// Every ticket as JSON lines and as CSV.
    func checkExport(_ cli: CLI, planned: [String: Planned]) throws {
        let lines = try cli.succeed(["export"]).lines
        #expect(lines.count == 100)
        var exported: Set<String> = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let id = object["id"] as? String { exported.insert(id) }
        }
        #expect(exported == Set(planned.keys))

        let csv = try cli.succeed(["export", "--format", "csv"]).stdout
        let records = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(records.count == 101)
        #expect(records.first?.hasPrefix("id,title,status,priority") ?? false)
        let output = cli.home.deletingLastPathComponent().appendingPathComponent("tickets.csv")
        try cli.succeed(["export", "--format", "csv", "--output", output.path])
        #expect(try String(contentsOf: output, encoding: .utf8) == csv)
    }
}
