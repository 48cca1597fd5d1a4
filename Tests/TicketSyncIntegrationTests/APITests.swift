import Foundation
import NIOHTTP1
import Testing
import TicketModel
import TicketSyncClient

/// The HTTP API against a real `ticketsyncd` over TLS on loopback: integration keys, scopes,
/// problem+json errors for bad input, and edits that reach stations as ordinary operations.
@Suite(.serialized) struct APITests {
    struct Setup {
        let folder: TemporaryDirectory
        let server: ServerProcess
        let api: APIClient
        /// An integration key for site DFW1.
        let key: String
    }

    static func start() async throws -> Setup {
        let folder = try TemporaryDirectory()
        let server = try ServerProcess(dataDirectory: folder.path("server"))
        try await server.start()
        let key = try server.addStation("shop", scopes: ["site:DFW1"], kind: "integration")
        return Setup(folder: folder, server: server, api: try APIClient(server), key: key)
    }

    static func finish(_ setup: Setup) async throws {
        try await setup.api.shutdown()
        setup.server.stop()
    }

    /// Expects an RFC 9457 problem with this status and type (and field, if given).
    static func expectProblem(_ reply: APIClient.Reply, _ status: Int, _ kind: String, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.contentType == "application/problem+json", sourceLocation: sourceLocation)
        let problem = reply.json
        #expect(problem["type"] as? String == "urn:ticketsync:problem:\(kind)", "\(reply.text)", sourceLocation: sourceLocation)
        #expect(problem["status"] as? Int == status, sourceLocation: sourceLocation)
        #expect(!((problem["detail"] as? String) ?? "").isEmpty, sourceLocation: sourceLocation)
        if let field { #expect(problem["field"] as? String == field, "\(reply.text)", sourceLocation: sourceLocation) }
    }

    @Test func anIntegrationCreatesUpdatesCommentsAndQueries() async throws {
        let setup = try await Self.start()
        let api = setup.api, key = setup.key
        do {
            let created = try await api.call(.POST, "/api/v1/tickets", key: key, json: [
                "title": "Parcel stuck at hub", "site": "DFW1", "category": "carrier", "order_ref": "ORD-100", "priority": "high",
                "tags": ["carrier"], "custom": ["carrier": "UPS"],
            ])
            #expect(created.status == 201, "\(created.text)")
            let ticket = created.json
            let id = try #require(ticket["id"] as? String)
            #expect(created.headers.first(name: "Location") == "/api/v1/tickets/\(id)")
            #expect(ticket["title"] as? String == "Parcel stuck at hub")
            #expect(ticket["priority"] as? String == "high")
            #expect((ticket["fields"] as? [String: Any])?["custom.carrier"] as? String == "UPS")
            #expect(ticket["tags"] as? [String] == ["carrier"])

            let updated = try await api.call(.PATCH, "/api/v1/tickets/\(id)", key: key, json: [
                "status": "pending", "assignee": "ana", "add_tags": ["vip"], "remove_tags": ["carrier"],
            ])
            #expect(updated.status == 200, "\(updated.text)")
            #expect(updated.json["status"] as? String == "pending")
            #expect(updated.json["tags"] as? [String] == ["vip"])

            let commented = try await api.call(.POST, "/api/v1/tickets/\(id)/comments", key: key, json: ["body": "Carrier says Tuesday", "visibility": "public"])
            #expect(commented.status == 201, "\(commented.text)")

            let shown = try await api.call(.GET, "/api/v1/tickets/\(id)", key: key)
            #expect(shown.status == 200)
            let comments = try #require(shown.json["comments"] as? [[String: Any]])
            #expect(comments.map { $0["body"] as? String } == ["Carrier says Tuesday"])
            #expect(comments.first?["author"] as? String == "integration:shop")

            _ = try await api.call(.POST, "/api/v1/tickets", key: key, json: ["title": "Second", "site": "DFW1", "status": "open"])
            let pending = try await api.call(.GET, "/api/v1/tickets?status=pending&site=DFW1", key: key)
            #expect(pending.status == 200)
            #expect((pending.json["tickets"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            let all = try await api.call(.GET, "/api/v1/tickets?limit=1", key: key)
            #expect((all.json["tickets"] as? [Any])?.count == 1)
            let next = try #require(all.json["next"] as? String)
            let second = try await api.call(.GET, "/api/v1/tickets?limit=1&after=\(next)", key: key)
            #expect((second.json["tickets"] as? [Any])?.count == 1)
            #expect(second.json["next"] == nil || second.json["next"] is String)

            // The API's edits are ordinary operations: a station in scope receives them.
            let station = try Station.create(at: setup.folder.path("desk.sqlite"), agent: "desk")
            try station.configureServer(url: setup.server.url, token: try setup.server.addStation("desk", scopes: ["site:DFW1"]), caFile: setup.server.caFile)
            let ticketID = try #require(TicketID(id))
            let received = try await SLAServerTests.syncUntil(station, seconds: 30) {
                (try? station.ticket(ticketID))?.comments.contains { $0.body == "Carrier says Tuesday" } == true
            }
            #expect(received)
            #expect(try station.ticket(ticketID).status == .pending)
        } catch {
            try await Self.finish(setup)
            throw error
        }
        try await Self.finish(setup)
    }

    @Test func badRequestsGetProblemsThatNameTheField() async throws {
        let setup = try await Self.start()
        let api = setup.api, key = setup.key
        do {
            let stationToken = try setup.server.addStation("desk", scopes: ["all"])
            Self.expectProblem(try await api.call(.GET, "/api/v1/tickets"), 401, "unauthorized")
            Self.expectProblem(try await api.call(.GET, "/api/v1/tickets", key: "not-a-key"), 401, "unauthorized")
            Self.expectProblem(try await api.call(.GET, "/api/v1/tickets", key: stationToken), 401, "unauthorized")
            Self.expectProblem(try await api.call(.POST, "/api/v1/tickets", key: key, raw: Data("{not json".utf8)), 400, "invalid-request")
            Self.expectProblem(try await api.call(.POST, "/api/v1/tickets", key: key, json: ["site": "DFW1"]), 422, "invalid-field", field: "title")
            Self.expectProblem(
                try await api.call(.POST, "/api/v1/tickets", key: key, json: ["title": "x", "site": "DFW1", "colour": "red"]), 422, "invalid-field", field: "colour"
            )
            Self.expectProblem(
                try await api.call(.POST, "/api/v1/tickets", key: key, json: ["title": "x", "site": "DFW1", "csat": 9]), 422, "invalid-value", field: "csat"
            )
            Self.expectProblem(
                try await api.call(.POST, "/api/v1/tickets", key: key, json: ["title": "x", "site": "DFW1", "priority": true]), 422, "invalid-field", field: "priority"
            )
            Self.expectProblem(
                try await api.call(.POST, "/api/v1/tickets", key: key, json: ["title": "x", "sla.policy": "gold"]), 403, "server-owned-field", field: "sla.policy"
            )
            // Out of the key's scope: a ticket at another site can be neither created nor seen.
            Self.expectProblem(try await api.call(.POST, "/api/v1/tickets", key: key, json: ["title": "x", "site": "LHR2"]), 403, "out-of-scope")
            let big = Data(("{\"title\": \"" + String(repeating: "a", count: 70 * 1024) + "\"}").utf8)
            Self.expectProblem(try await api.call(.POST, "/api/v1/tickets", key: key, raw: big), 413, "too-large")
            Self.expectProblem(try await api.call(.POST, "/api/v1/tickets", key: key, raw: Data("title=x".utf8), contentType: "text/plain"), 415, "unsupported-media-type")
            Self.expectProblem(try await api.call(.GET, "/api/v1/tickets/not-a-uuid", key: key), 400, "invalid-request", field: "id")
            Self.expectProblem(try await api.call(.GET, "/api/v1/tickets/0190abcd-0000-7000-8000-000000000001", key: key), 404, "not-found")
            Self.expectProblem(try await api.call(.GET, "/api/v1/tickets?colour=red", key: key), 422, "invalid-field", field: "colour")
            Self.expectProblem(try await api.call(.GET, "/api/v1/tickets?limit=100000", key: key), 422, "invalid-field", field: "limit")
            Self.expectProblem(try await api.call(.GET, "/api/v1/reports/kpis?group_by=colour", key: key), 422, "invalid-field", field: "group_by")
            Self.expectProblem(try await api.call(.GET, "/api/v1/reports/kpis?from=yesterday", key: key), 422, "invalid-field", field: "from")

            let created = try await api.call(.POST, "/api/v1/tickets", key: key, json: ["title": "Mine", "site": "DFW1"])
            let id = try #require(created.json["id"] as? String)
            Self.expectProblem(try await api.call(.POST, "/api/v1/tickets", key: key, json: ["id": id, "title": "again", "site": "DFW1"]), 409, "already-exists")
            Self.expectProblem(try await api.call(.PATCH, "/api/v1/tickets/\(id)", key: key, json: [:]), 400, "invalid-request")
            Self.expectProblem(try await api.call(.PATCH, "/api/v1/tickets/\(id)", key: key, json: ["remove_tags": ["absent"]]), 422, "invalid-field", field: "remove_tags")
            // Moving the ticket out of the key's scope is refused like a station's move would be.
            let moved = try await api.call(.PATCH, "/api/v1/tickets/\(id)", key: key, json: ["site": "LHR2"])
            #expect(moved.status == 200 || moved.status == 403, "\(moved.text)")
            Self.expectProblem(try await api.call(.POST, "/api/v1/tickets/\(id)/comments", key: key, json: ["body": "x", "visibility": "secret"]), 422, "invalid-field", field: "visibility")
            // The server still answers.
            #expect(try await api.call(.GET, "/api/v1/tickets", key: key).status == 200)
        } catch {
            try await Self.finish(setup)
            throw error
        }
        try await Self.finish(setup)
    }

    @Test func kpisCountTheTicketsInScope() async throws {
        let setup = try await Self.start()
        let api = setup.api, key = setup.key
        do {
            let other = try setup.server.addStation("all-sites", scopes: ["all"], kind: "integration")
            for (site, title, client) in [("DFW1", "a", key), ("DFW1", "b", key), ("LHR2", "c", other)] {
                let reply = try await api.call(.POST, "/api/v1/tickets", key: client, json: ["title": title, "site": site, "category": "carrier"])
                #expect(reply.status == 201, "\(reply.text)")
            }
            // The SLA engine plans the new tickets (and writes their report facts) moments after they land.
            var scoped: [String: Any] = [:]
            var everything: [String: Any] = [:]
            for _ in 0..<120 {
                scoped = try await api.call(.GET, "/api/v1/reports/kpis?group_by=site", key: key).json
                everything = try await api.call(.GET, "/api/v1/reports/kpis?group_by=site", key: other).json
                if (everything["total"] as? [String: Any])?["tickets"] as? Int == 3 && (scoped["total"] as? [String: Any])?["tickets"] as? Int == 2 { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect((scoped["total"] as? [String: Any])?["tickets"] as? Int == 2)
            #expect((scoped["groups"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["DFW1"])
            #expect((everything["total"] as? [String: Any])?["tickets"] as? Int == 3)
            #expect((everything["groups"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["DFW1", "LHR2"])
            #expect(scoped["provisional"] as? Bool == false)

            // `ticketsyncd report` reads the same facts.
            let cli = try run(setup.server.binary, ["report", "--json", "--group-by", "site"] + setup.server.storeArguments)
            #expect(cli.status == 0, "\(cli.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any]
            #expect((report?["total"] as? [String: Any])?["tickets"] as? Int == 3)
            let csv = try run(setup.server.binary, ["report", "--csv"] + setup.server.storeArguments)
            #expect(csv.stdout.hasPrefix("group,tickets,"))
            let bad = try run(setup.server.binary, ["report", "--group-by", "colour"] + setup.server.storeArguments)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("group_by") || bad.stderr.contains("group-by"))
        } catch {
            try await Self.finish(setup)
            throw error
        }
        try await Self.finish(setup)
    }
}
