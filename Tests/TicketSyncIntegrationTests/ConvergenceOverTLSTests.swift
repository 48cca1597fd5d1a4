import Foundation
import Testing
import TicketModel
import TicketSyncClient
import TicketTestSupport

/// Stations and a real `ticketsyncd` process over TLS on loopback.
@Suite(.serialized) struct ConvergenceOverTLSTests {
    static func station(_ folder: TemporaryDirectory, _ name: String, server: ServerProcess) throws -> Station {
        let station = try Station.create(at: folder.path("\(name).sqlite"), agent: name)
        try station.configureServer(url: server.url, token: try server.addStation(name), caFile: server.caFile)
        return station
    }

    @Test(arguments: propertySeeds(count: 1))
    func fiveStationsEditOfflineAndConverge(seed: UInt64) async throws {
        let folder = try TemporaryDirectory()
        let server = try ServerProcess(dataDirectory: folder.path("server"))
        try await server.start()
        defer { server.stop() }
        var generator = SeededGenerator(seed: seed)
        let stations = try (0..<5).map { try Self.station(folder, "desk\($0)", server: server) }

        // One station opens the shared tickets; everyone syncs them.
        var tickets: [TicketID] = []
        for index in 0..<20 {
            tickets.append(try stations[0].createTicket([.title: .text("Parcel \(index) stuck"), .site: .text("DFW1")]))
        }
        for station in stations { _ = try await station.syncOnce() }
        for station in stations { #expect(try station.status().tickets == 20, "seed \(seed)") }

        // Offline: every station edits the same tickets.
        for (index, station) in stations.enumerated() {
            for step in 0..<60 {
                let ticket = tickets.randomElement(using: &generator)!
                switch Int.random(in: 0..<5, using: &generator) {
                case 0: try station.update(ticket, [.priority: .text(["low", "normal", "high", "urgent"].randomElement(using: &generator)!)])
                case 1: try station.comment(on: ticket, body: "desk\(index) note \(step)")
                case 2: try station.changeSet(.tags, of: ticket, adding: try station.ticket(ticket).tags.contains("vip") ? [] : ["vip"])
                case 3:
                    if try station.ticket(ticket).tags.contains("vip") { try station.changeSet(.tags, of: ticket, removing: ["vip"]) }
                default: try station.assign(ticket, to: "agent\(Int.random(in: 0..<3, using: &generator))")
                }
            }
            if index == 4 { try station.createTicket([.title: .text("Offline-only ticket"), .site: .text("ONT3")]) }
        }

        // Reconnect in a random order, twice, so every station has everything.
        for _ in 0..<2 {
            for station in stations.shuffled(using: &generator) {
                let report = try await station.syncOnce()
                #expect(report.rejected == 0, "seed \(seed): \(report.rejections)")
            }
        }
        // The server is a writer too (its SLA engine writes sla.* fields after the pushes land),
        // so compare once it has nothing more to send: a few more rounds at most.
        let serverDigest = try await Self.settle(stations, server)
        for (index, station) in stations.enumerated() {
            #expect(try station.status().outbox == 0, "seed \(seed): desk\(index) still has an outbox")
            #expect(try station.digest().description == serverDigest, "seed \(seed): desk\(index) differs from the server")
        }
    }

    /// Syncs every station until all of them hold the server's digest (at most `rounds` rounds;
    /// the server's own SLA writes after a push need one more round to reach the stations), and
    /// returns the server's digest as it was last read.
    static func settle(_ stations: [Station], _ server: ServerProcess, rounds: Int = 8) async throws -> String {
        var serverDigest = try server.digest()
        for _ in 0..<rounds {
            if try stations.allSatisfy({ try $0.digest().description == serverDigest }) { break }
            try await Task.sleep(for: .milliseconds(200))
            for station in stations { _ = try await station.syncOnce() }
            serverDigest = try server.digest()
        }
        if try !stations.allSatisfy({ try $0.digest().description == serverDigest }) {
            let counts = try stations.map { try $0.status().operations }
            print("settle: stations hold \(counts) operations; server: \(try run(server.binary, ["status", "--json"] + server.storeArguments).stdout)")
        }
        return serverDigest
    }

    @Test func acknowledgedOperationsSurviveServerKills() async throws {
        let folder = try TemporaryDirectory()
        let server = try ServerProcess(dataDirectory: folder.path("server"))
        try await server.start()
        defer { server.stop() }
        let station = try Self.station(folder, "desk", server: server)
        let ticket = try station.createTicket([.title: .text("Pallet recount"), .site: .text("SEA1")])
        for index in 0..<3000 { try station.comment(on: ticket, body: "count \(index)") }
        let total = try station.status().outbox

        // Kill the server several times while the station pushes; then let it finish.
        var kills = 0
        for delay in [40, 80, 120, 160, 200] {
            let push = Task { try? await station.syncOnce() }
            try await Task.sleep(for: .milliseconds(delay))
            server.kill()
            kills += 1
            _ = await push.value
            try await server.start()
        }
        _ = try await station.syncOnce()
        #expect(kills == 5)
        #expect(try station.status().outbox == 0)
        let settled = try await Self.settle([station], server)
        #expect(try station.digest().description == settled)
        #expect(total == 3001)

        // A fresh station downloads while the server is killed under it, again and again: it
        // resumes from its stored cursor and ends with every operation exactly once.
        let reader = try Self.station(folder, "reader", server: server)
        for delay in [30, 60, 90, 120, 150] {
            let pull = Task { try? await reader.syncOnce() }
            try await Task.sleep(for: .milliseconds(delay))
            server.kill()
            _ = await pull.value
            try await server.start()
        }
        _ = try await reader.syncOnce()
        let serverDigest = try await Self.settle([station, reader], server)
        #expect(try reader.digest().description == serverDigest)
        // The station's 3001, plus the SLA fields the server wrote on the ticket.
        let serverWrites = try reader.history(of: ticket).filter { $0.operation.author.kind == .server }.count
        #expect(try reader.status().operations == 3001 + serverWrites)
        #expect(try reader.digest() == (try station.digest()))
    }
}

/// A temporary directory removed when the value is dropped.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}
