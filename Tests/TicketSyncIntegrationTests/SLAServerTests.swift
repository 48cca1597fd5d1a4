import Foundation
import Testing
import TicketModel
import TicketSyncClient

/// The SLA authority end to end: a real `ticketsyncd` with a policy in seconds, stations over
/// TLS on loopback. Every wait is a bounded polling loop; nothing asserts how fast anything is.
@Suite(.serialized) struct SLAServerTests {
    /// First response in 3 s, resolution in 60 s; tier 1 for 4 s, tier 2 until 90 s.
    static let policy = """
        policies:
          - id: fast
            calendar: 24x7
            targets:
              first_response: 3s
              resolution: 60s
            warning_at: 50%
            escalation:
              - { tier: 1, limit: 4s, group: frontline, notify: [hooks] }
              - { tier: 2, limit: 90s, group: supervisors, notify: [hooks] }
              - { tier: 3, limit: 120s, group: management, notify: [hooks] }
        """

    static func server(_ folder: TemporaryDirectory, policy: String = policy, config: String? = nil) throws -> ServerProcess {
        let policyPath = folder.path("policy.yaml")
        try policy.write(toFile: policyPath, atomically: true, encoding: .utf8)
        var arguments = ["--policy", policyPath]
        if let config {
            let configPath = folder.path("config.yaml")
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            arguments += ["--config", configPath]
        }
        return try ServerProcess(dataDirectory: folder.path("server"), extraArguments: arguments)
    }

    static func station(_ folder: TemporaryDirectory, _ name: String, server: ServerProcess) throws -> Station {
        let station = try Station.create(at: folder.path("\(name).sqlite"), agent: name)
        try station.configureServer(url: server.url, token: try server.addStation(name), caFile: server.caFile)
        return station
    }

    /// Syncs `station` until `condition` holds (at most `seconds`); false if it never did.
    static func syncUntil(_ station: Station, seconds: Double = 60, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            _ = try? await station.syncOnce()
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    /// Syncs until the station's digest equals the server's (bounded): the server may write
    /// between a station's sync and the comparison.
    static func converges(_ station: Station, _ server: ServerProcess) async throws -> Bool {
        for _ in 0..<20 {
            _ = try? await station.syncOnce()
            if try station.digest().description == (try server.digest()) { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    /// The clock record's `state=` value of an `sla.*` field.
    static func state(_ ticket: Ticket, _ clock: String) -> String? {
        guard let text = ticket[.sla(clock)]?.text else { return nil }
        return text.split(separator: ";").first { $0.hasPrefix("state=") }.map { String($0.dropFirst("state=".count)) }
    }

    /// Every ticket's first response was declared breached once and the ticket escalated once,
    /// as the station received the server's operations: no timer fired twice.
    static func expectEachBreachedAndEscalatedOnce(
        _ tickets: [TicketID], at station: Station, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        for ticket in tickets {
            let ops = try serverOperations(station, ticket)
            let escalations = ops.filter { if case .escalate = $0.payload { return true } else { return false } }
            let breaches = ops.filter {
                if case .set(.sla("first_response"), .text(let text), _) = $0.payload { return text.hasPrefix("state=breached") }
                return false
            }
            #expect(escalations.count == 1, "ticket \(ticket): \(escalations.count) escalations", sourceLocation: sourceLocation)
            #expect(breaches.count == 1, "ticket \(ticket): \(breaches.count) breach declarations", sourceLocation: sourceLocation)
        }
    }

    /// Server-authored operations on a ticket, as the station received them.
    static func serverOperations(_ station: Station, _ ticket: TicketID) throws -> [TicketOperation] {
        try station.history(of: ticket).map(\.operation).filter { $0.author.kind == .server }
    }

    @Test func aTicketBreachesEscalatesAndTheStationSeesIt() async throws {
        let folder = try TemporaryDirectory()
        let server = try Self.server(folder)
        try await server.start()
        defer { server.stop() }
        let desk = try Self.station(folder, "desk", server: server)
        let id = try desk.createTicket([.title: .text("Pallet missing"), .site: .text("DFW1"), .group: .text("frontline")])
        _ = try await desk.syncOnce()

        let escalated = try await Self.syncUntil(desk) { try desk.ticket(id).tier == 2 }
        #expect(escalated, "the ticket never reached tier 2")
        let ticket = try desk.ticket(id)
        #expect(ticket[.group] == .text("supervisors"))
        #expect(Self.state(ticket, "first_response") == "breached")
        #expect(ticket[.sla("policy")] == .text("fast"))
        let decisions = ticket.escalations.filter(\.isDecision)
        #expect(decisions.count == 1)
        #expect(decisions.first?.kind == .automatic && decisions.first?.tier == 2 && decisions.first?.toTeam == "supervisors")
        // The server's operations reached the station like any others: no outbox left, same state.
        #expect(try desk.status().outbox == 0)
        #expect(try await Self.converges(desk, server))
    }

    @Test func timersPendingAtAKillFireExactlyOnceAfterRestart() async throws {
        let folder = try TemporaryDirectory()
        let server = try Self.server(folder)
        try await server.start()
        defer { server.stop() }
        let desk = try Self.station(folder, "desk", server: server)
        var tickets: [TicketID] = []
        for index in 0..<40 {
            tickets.append(try desk.createTicket([.title: .text("Short shipment \(index)"), .site: .text("SEA1")]))
        }
        _ = try await desk.syncOnce()
        // Killed with every timer pending (the first falls due 1.5 s after the create) …
        server.kill()
        try await Task.sleep(for: .seconds(2))
        // … and again while they fall due, then for good from here on.
        try await server.start()
        try await Task.sleep(for: .milliseconds(2_300))
        server.kill()
        try await Task.sleep(for: .seconds(2))
        try await server.start()

        let done = try await Self.syncUntil(desk, seconds: 90) {
            try tickets.allSatisfy { try desk.ticket($0).tier == 2 && Self.state(try desk.ticket($0), "first_response") == "breached" }
        }
        #expect(done, "not every ticket was escalated and breached after the restarts")
        // Let anything that would fire twice do so: one more round of every due timer.
        try await Task.sleep(for: .seconds(1))
        _ = try await desk.syncOnce()
        try Self.expectEachBreachedAndEscalatedOnce(tickets, at: desk)
        #expect(try await Self.converges(desk, server))
    }

    @Test func anOfflineResponseArrivingAfterTheBreachIsMetReportedLate() async throws {
        let folder = try TemporaryDirectory()
        let server = try Self.server(folder)
        try await server.start()
        defer { server.stop() }
        let agent = try Self.station(folder, "agent", server: server)
        let watcher = try Self.station(folder, "watcher", server: server)
        let id = try agent.createTicket([.title: .text("Wrong item sent"), .site: .text("ONT3")])
        _ = try await agent.syncOnce()
        // Answered at once, but offline: the answer stays in the outbox.
        try agent.comment(on: id, body: "Replacement is on its way", visibility: .public)

        let breached = try await Self.syncUntil(watcher) { Self.state(try watcher.ticket(id), "first_response") == "breached" }
        #expect(breached, "the server never declared the breach")
        _ = try await agent.syncOnce()
        let late = try await Self.syncUntil(watcher) { Self.state(try watcher.ticket(id), "first_response") == "met_reported_late" }
        let scored = try watcher.ticket(id)[.sla("first_response")] ?? .null
        #expect(late, "the late answer was not re-scored: \(scored)")
        // Both times are kept: when it stopped (the answer) and when the breach was declared.
        let record = try watcher.ticket(id)[.sla("first_response")]?.text ?? ""
        #expect(record.contains("stopped=") && record.contains("declared="), "\(record)")
        // History keeps the breach declaration as well.
        let declarations = try Self.serverOperations(watcher, id).filter {
            if case .set(.sla("first_response"), .text(let text), _) = $0.payload { return text.hasPrefix("state=breached") }
            return false
        }
        #expect(declarations.count == 1)
    }

    @Test func anEscalationRequestIsDecidedByTheServer() async throws {
        let folder = try TemporaryDirectory()
        let server = try Self.server(folder)
        try await server.start()
        defer { server.stop() }
        let desk = try Self.station(folder, "desk", server: server)
        let id = try desk.createTicket([.title: .text("Carrier lost parcel"), .site: .text("DFW1")])
        try desk.requestEscalation(id, reason: "customer is a key account", toTeam: "carrier-desk")
        try desk.requestEscalation(id, reason: "needs a supervisor", toTeam: "supervisors")
        _ = try await desk.syncOnce()
        let decided = try await Self.syncUntil(desk) {
            let ticket = try desk.ticket(id)
            return ticket.escalations.contains(where: \.isDecision)
                && ticket.comments.contains { $0.author.kind == .server && $0.body.contains("refused") }
        }
        #expect(decided)
        let ticket = try desk.ticket(id)
        let decisions = ticket.escalations.filter { $0.isDecision }
        let decision = try #require(decisions.first)
        #expect(decision.kind == .functional && decision.toTeam == "supervisors" && decision.reason.contains("needs a supervisor"))
        let refusal = try #require(ticket.comments.first { $0.author.kind == .server && $0.body.contains("refused") })
        #expect(refusal.body.contains("carrier-desk") && refusal.visibility == .internal)
    }

    @Test func aFailingWebhookReceiverGetsEachEventOnceItAccepts() async throws {
        let folder = try TemporaryDirectory()
        let receiver = try WebhookReceiver(directory: folder.path(""), secret: "s3cret-key", failFirst: 2)
        defer { receiver.stop() }
        let policy = Self.policy.replacingOccurrences(of: "notify: [hooks] }", with: "notify: [hooks, broken] }")
        let server = try Self.server(folder, policy: policy, config: """
            webhook_max_attempts: 3
            webhook_retry_base_ms: 200
            webhook_timeout_ms: 1000
            webhooks:
              hooks:
                url: \(receiver.url)
                secret: s3cret-key
              broken:
                url: http://127.0.0.1:9/nothing-listens-here
                secret: other
                events: [sla.breach]
            """)
        try await server.start()
        defer { server.stop() }
        let desk = try Self.station(folder, "desk", server: server)
        let id = try desk.createTicket([.title: .text("Damaged box"), .site: .text("DFW1")])
        _ = try await desk.syncOnce()

        let wanted: Set<String> = ["sla.warning", "sla.breach", "sla.escalation"]
        let deadline = Date().addingTimeInterval(60)
        var accepted: [[String: Any]] = []
        while Date() < deadline {
            accepted = receiver.accepted()
            if wanted.isSubset(of: Set(accepted.compactMap { $0["type"] as? String })) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(wanted.isSubset(of: Set(accepted.compactMap { $0["type"] as? String })), "accepted: \(accepted)")
        // Wait until the outbox has recorded the deliveries, then check nothing came twice.
        let binary = server.binary
        var outbox: [[String: Any]] = []
        let settle = Date().addingTimeInterval(30)
        while Date() < settle {
            let result = try run(binary, ["webhooks", "--data-dir", server.dataDirectory, "--json", "--all"])
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            outbox = (object?["webhooks"] as? [[String: Any]]) ?? []
            let ours = outbox.filter { ($0["endpoint"] as? String) == "hooks" && wanted.contains(($0["type"] as? String) ?? "") }
            if ours.count >= 3 && ours.allSatisfy({ ($0["state"] as? String) == "delivered" }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        accepted = receiver.accepted().filter { wanted.contains(($0["type"] as? String) ?? "") }
        let ids = accepted.compactMap { $0["event_id"] as? String }
        #expect(ids.count == Set(ids).count, "an event was accepted twice: \(ids)")
        #expect(accepted.allSatisfy { $0["valid"] as? Bool == true }, "a signature did not verify: \(accepted)")
        #expect(accepted.allSatisfy { $0["attempt"] as? Int == 3 }, "each event should be accepted at its third attempt: \(accepted)")
        #expect(accepted.allSatisfy { ($0["header_id"] as? String) == ($0["event_id"] as? String) })
        #expect(accepted.allSatisfy { ($0["ticket"] as? String) == id.description })
        let delivered = outbox.filter { ($0["endpoint"] as? String) == "hooks" && ($0["state"] as? String) == "delivered" }
        #expect(Set(delivered.compactMap { $0["event_id"] as? String }).isSuperset(of: Set(ids)))

        // The endpoint nobody listens on takes only breaches: after its 3 attempts the event is
        // dead, and `ticketsyncd webhooks` (pending and dead only) lists it with its error.
        var dead: [[String: Any]] = []
        let giveUp = Date().addingTimeInterval(30)
        while Date() < giveUp {
            let result = try run(binary, ["webhooks", "--data-dir", server.dataDirectory, "--json"])
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            dead = ((object?["webhooks"] as? [[String: Any]]) ?? []).filter { ($0["state"] as? String) == "dead" }
            if !dead.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(dead.count == 1, "\(dead)")
        #expect(dead.first?["endpoint"] as? String == "broken" && dead.first?["type"] as? String == "sla.breach")
        #expect(dead.first?["attempts"] as? Int == 3 && (dead.first?["last_error"] as? String)?.isEmpty == false)
    }
}
