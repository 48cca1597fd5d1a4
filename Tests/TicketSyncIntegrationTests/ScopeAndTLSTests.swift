import Foundation
import Testing
import TicketModel
import TicketSyncClient
import TicketSyncProtocol
import TicketTestSupport

/// Scopes in both directions over a real server, and the TLS profile the server offers.
@Suite(.serialized) struct ScopeAndTLSTests {
    /// On both stores: PostgreSQL filters a catching-up station's stretches by scope in the
    /// database, SQLite filters a shared window in memory.
    @Test(arguments: ["sqlite"] + (PostgresTestCluster.isAvailable ? ["postgresql"] : []))
    func ticketsMovingBetweenScopesArriveWholeAndLeaveCleanly(_ store: String) async throws {
        let folder = try TemporaryDirectory()
        let database = store == "postgresql" ? try await PostgresTestCluster.shared().makeDatabase() : nil
        let server = try ServerProcess(dataDirectory: folder.path("server"), database: database)
        try await server.start()
        defer { server.stop() }
        func station(_ name: String, _ scope: String) throws -> Station {
            let station = try Station.create(at: folder.path("\(name).sqlite"), agent: name)
            try station.configureServer(url: server.url, token: try server.addStation(name, scopes: [scope]), caFile: server.caFile)
            return station
        }
        let hq = try station("hq", "all")
        let dfw = try station("dfw", "site:DFW1")
        let ont = try station("ont", "site:ONT3")

        let ticket = try hq.createTicket([.title: .text("Pallet short"), .site: .text("DFW1")], tags: ["recount"])
        try hq.comment(on: ticket, body: "Counted twice")
        _ = try await hq.syncOnce()
        _ = try await dfw.syncOnce()
        _ = try await ont.syncOnce()
        #expect(try dfw.status().tickets == 1)
        #expect(try ont.status().tickets == 0)

        // The ticket moves to ONT3: ONT3's station receives all of it, DFW1's stops listing it.
        try hq.update(ticket, [.site: .text("ONT3")])
        _ = try await hq.syncOnce()
        let ontReport = try await ont.syncOnce()
        let dfwReport = try await dfw.syncOnce()
        // create, tag, comment, move, and the SLA fields the server wrote on the ticket
        let serverWrites = try ont.history(of: ticket).filter { $0.operation.author.kind == .server }.count
        #expect(ontReport.received == 4 + serverWrites)
        let moved = try ont.ticket(ticket)
        #expect(moved.comments.map(\.body) == ["Counted twice"])
        #expect(moved.tags == ["recount"])
        #expect(moved[.site] == .text("ONT3"))
        #expect(dfwReport.removedTickets == 1)
        #expect(try dfw.list(TicketQuery()).isEmpty)
        #expect(try ont.digest() == (try hq.digest()))

        // DFW1 can no longer write to it; ONT3 can.
        try ont.update(ticket, [.priority: .text("urgent")])
        let ontPush = try await ont.syncOnce()
        #expect(ontPush.rejected == 0 && ontPush.pushed == 1)
    }

    /// A ticket entering a station's scopes is sent whole, which can be more operations than one
    /// Deliver may hold: the server splits it, and the station takes every part.
    @Test func aTicketLargerThanADeliverArrivesWhole() async throws {
        let folder = try TemporaryDirectory()
        let server = try ServerProcess(dataDirectory: folder.path("server"), extraArguments: ["--max-batch-operations", "5"])
        try await server.start()
        defer { server.stop() }
        let hq = try Station.create(at: folder.path("hq.sqlite"), agent: "hq")
        try hq.configureServer(url: server.url, token: try server.addStation("hq", scopes: ["all"]), caFile: server.caFile)
        let ont = try Station.create(at: folder.path("ont.sqlite"), agent: "ont")
        try ont.configureServer(url: server.url, token: try server.addStation("ont", scopes: ["site:ONT3"]), caFile: server.caFile)

        let ticket = try hq.createTicket([.title: .text("Pallet short"), .site: .text("DFW1")])
        for note in 1...12 { try hq.comment(on: ticket, body: "note \(note)") }
        // The station holds the server to the limit it announced.
        var limits = SyncLimits()
        limits.maxOperationsPerBatch = 5
        _ = try await hq.syncOnce()
        _ = try await ont.syncOnce(limits: limits)
        #expect(try ont.status().tickets == 0)

        try hq.update(ticket, [.site: .text("ONT3")])
        _ = try await hq.syncOnce()
        let report = try await ont.syncOnce(limits: limits)
        #expect(report.received >= 14)
        #expect(try ont.ticket(ticket).comments.count == 12)
        #expect(try ont.digest() == (try hq.digest()))
    }

    @Test func pinnedFingerprintIsEnforced() async throws {
        let folder = try TemporaryDirectory()
        let server = try ServerProcess(dataDirectory: folder.path("server"))
        try await server.start()
        defer { server.stop() }
        let fingerprint = try run("/bin/sh", ["-c", "openssl x509 -in \(server.dataDirectory)/server.pem -noout -fingerprint -sha256 | cut -d= -f2"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "").lowercased()
        #expect(fingerprint.count == 64)
        let good = try Station.create(at: folder.path("good.sqlite"), agent: "good")
        try good.configureServer(url: server.url, token: try server.addStation("good"), pin: fingerprint)
        try good.createTicket([.title: .text("pinned")])
        #expect(try await good.syncOnce().pushed == 1)

        let wrong = String(repeating: "0", count: 64)
        let bad = try Station.create(at: folder.path("bad.sqlite"), agent: "bad")
        try bad.configureServer(url: server.url, token: try server.addStation("bad"), pin: wrong)
        do {
            _ = try await bad.syncOnce()
            Issue.record("a wrong pin was accepted")
        } catch let error as StationError {
            #expect(error.message.contains("does not match the pinned fingerprint"))
        }
    }

    /// The server offers TLS 1.2 and 1.3 only, with forward-secret AEAD suites (Mozilla
    /// "intermediate"), checked with the openssl command-line client as a scanner would.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func tlsProfileIsIntermediate() async throws {
        let folder = try TemporaryDirectory()
        let server = try ServerProcess(dataDirectory: folder.path("server"))
        try await server.start()
        defer { server.stop() }
        func handshake(_ arguments: [String]) throws -> Bool {
            let result = try run("/bin/sh", ["-c", "echo | /usr/bin/openssl s_client -connect 127.0.0.1:\(server.port) -servername localhost \(arguments.joined(separator: " ")) 2>&1"], timeout: 20)
            return result.stdout.contains("Cipher is ") && !result.stdout.contains("Cipher is (NONE)")
        }
        #expect(try handshake(["-tls1_3"]))
        #expect(try handshake(["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"]))
        #expect(try handshake(["-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"]))
        #expect(try !handshake(["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]))
        #expect(try !handshake(["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]))
        #expect(try !handshake(["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"]))  // CBC: not offered
        #expect(try !handshake(["-tls1_2", "-cipher", "AES128-GCM-SHA256"]))  // no forward secrecy
    }
}
