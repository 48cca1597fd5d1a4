import Foundation
import Synchronization
import Testing
import TicketModel
import TicketSyncClient
import TicketTestSupport

/// Several real `ticketsyncd` nodes on one PostgreSQL (a throwaway cluster this test process
/// starts), stations on different nodes, real TLS on loopback.
@Suite(.serialized, .enabled(if: PostgresTestCluster.isAvailable)) struct MultiNodeTests {
    static func nodes(_ count: Int, in folder: TemporaryDirectory, database: String, extra: [String] = []) async throws -> [ServerProcess] {
        let nodes = try (0..<count).map {
            try ServerProcess(dataDirectory: folder.path("node\($0)"), extraArguments: extra, database: database)
        }
        for node in nodes { try await node.start() }
        return nodes
    }

    static func station(_ folder: TemporaryDirectory, _ name: String, node: ServerProcess) throws -> Station {
        let station = try Station.create(at: folder.path("\(name).sqlite"), agent: name)
        try station.configureServer(url: node.url, token: try node.addStation(name), caFile: node.caFile)
        return station
    }

    /// Syncs `stations` until the SLA engine has planned everything and every station holds what
    /// `node` holds (at most about 20 s); false if they never settled. The engine writes sla.*
    /// fields after the edits it plans, so one digest comparison alone can race it.
    static func settle(_ stations: [Station], _ node: ServerProcess) async throws -> Bool {
        for _ in 0..<40 {
            let (digest, caughtUp) = try node.settledDigest()
            if caughtUp, try stations.allSatisfy({ try $0.digest().description == digest }) { return true }
            try await Task.sleep(for: .milliseconds(250))
            for station in stations { _ = try? await station.syncOnce() }
        }
        return false
    }

    /// How many of `author`'s operations on `ticket` the station `at` holds (the server's SLA
    /// writes on the ticket are not counted).
    static func operations(of author: Station, on ticket: TicketID, at station: Station) throws -> Int {
        try station.history(of: ticket).filter { $0.operation.id.replica == author.replica }.count
    }

    /// Stations on three nodes edit the same tickets offline and sync in random orders: every
    /// station and every node end with one digest.
    @Test(arguments: propertySeeds(count: 1))
    func stationsOnThreeNodesConverge(seed: UInt64) async throws {
        let folder = try TemporaryDirectory()
        let database = try await PostgresTestCluster.shared().makeDatabase()
        let nodes = try await Self.nodes(3, in: folder, database: database)
        defer { nodes.forEach { $0.stop() } }
        var generator = SeededGenerator(seed: seed)
        let stations = try (0..<6).map { try Self.station(folder, "desk\($0)", node: nodes[$0 % 3]) }

        var tickets: [TicketID] = []
        for index in 0..<12 { tickets.append(try stations[0].createTicket([.title: .text("Parcel \(index)"), .site: .text("DFW1")])) }
        for station in stations { _ = try await station.syncOnce() }
        for (index, station) in stations.enumerated() { #expect(try station.status().tickets == 12, "seed \(seed): desk\(index)") }

        for (index, station) in stations.enumerated() {
            for step in 0..<40 {
                let ticket = tickets.randomElement(using: &generator)!
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: try station.update(ticket, [.priority: .text(["low", "normal", "high", "urgent"].randomElement(using: &generator)!)])
                case 1: try station.comment(on: ticket, body: "desk\(index) note \(step)")
                default: try station.assign(ticket, to: "agent\(Int.random(in: 0..<3, using: &generator))")
                }
            }
        }
        // Everyone at once, then everyone again: the second round brings what the first missed.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for station in stations { group.addTask { _ = try await station.syncOnce() } }
            try await group.waitForAll()
        }
        for station in stations.shuffled(using: &generator) { _ = try await station.syncOnce() }
        // The SLA engine (of any node) writes its sla.* fields after the edits it plans.
        #expect(try await Self.settle(stations, nodes[0]), "seed \(seed): stations and nodes did not settle")

        let digests = try nodes.map { try $0.digest() }
        #expect(Set(digests).count == 1, "seed \(seed): nodes disagree")
        for (index, station) in stations.enumerated() {
            #expect(try station.status().outbox == 0, "seed \(seed): desk\(index) still has an outbox")
            #expect(try station.digest().description == digests[0], "seed \(seed): desk\(index) differs from the nodes")
        }
    }

    /// A station live on node B receives what a station pushed to node A, with B polling the log
    /// only once a minute: the PostgreSQL notification woke B's session. (The wait is a bound
    /// that ends the test, not a speed assertion.)
    @Test func anOperationPushedToOneNodeReachesAStationLiveOnAnother() async throws {
        let folder = try TemporaryDirectory()
        let database = try await PostgresTestCluster.shared().makeDatabase()
        let nodes = try await Self.nodes(2, in: folder, database: database, extra: ["--poll-ms", "60000"])
        defer { nodes.forEach { $0.stop() } }
        let writer = try Self.station(folder, "writer", node: nodes[0])
        let watcher = try Self.station(folder, "watcher", node: nodes[1])
        let ticket = try writer.createTicket([.title: .text("Carrier missed pickup"), .site: .text("DFW1")])
        _ = try await writer.syncOnce()
        _ = try await watcher.syncOnce()

        let received = Mutex<Set<String>>([])
        let live = Task {
            try await watcher.syncLive(onEvent: { event in
                guard case .received(let operations) = event else { return }
                for op in operations { if case .comment(let body, _) = op.payload { received.withLock { _ = $0.insert(body) } } }
            })
        }
        defer { live.cancel() }
        // The first comment may arrive in the live session's catch-up; once it has, the session
        // is caught up and waits for a wake-up, so the second can only come through one.
        for body in ["Rebooked for 3 pm", "Driver on the way"] {
            try writer.comment(on: ticket, body: body)
            _ = try await writer.syncOnce()
            var arrived = false
            for _ in 0..<600 {  // at most 30 s: a bound that ends the test, not a speed assertion
                arrived = received.withLock { $0.contains(body) }
                if arrived { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(arrived, "the comment '\(body)' did not reach the station live on the other node")
        }
        #expect(try watcher.digest() == (try writer.digest()))
    }

    /// A node killed with SIGKILL while a station pushes through it, again and again: every
    /// acknowledged operation is in the shared store, the other node keeps serving, and a
    /// station on the other node ends with everything exactly once.
    @Test func aKilledNodeLosesNothingAcknowledged() async throws {
        let folder = try TemporaryDirectory()
        let database = try await PostgresTestCluster.shared().makeDatabase()
        let nodes = try await Self.nodes(2, in: folder, database: database)
        defer { nodes.forEach { $0.stop() } }
        let pusher = try Self.station(folder, "pusher", node: nodes[0])
        let reader = try Self.station(folder, "reader", node: nodes[1])
        let ticket = try pusher.createTicket([.title: .text("Pallet recount"), .site: .text("SEA1")])
        for index in 0..<2000 { try pusher.comment(on: ticket, body: "count \(index)") }

        var kills = 0
        for delay in [40, 90, 140, 190] {
            let push = Task { try? await pusher.syncOnce() }
            try await Task.sleep(for: .milliseconds(delay))
            nodes[0].kill()
            kills += 1
            _ = await push.value
            // What the station dropped from its outbox was acknowledged: it must be stored.
            let acknowledged = 2001 - (try pusher.status().outbox)
            _ = try await reader.syncOnce()
            let stored = try Self.operations(of: pusher, on: ticket, at: reader)
            #expect(stored >= acknowledged, "acknowledged \(acknowledged), stored \(stored)")
            try await nodes[0].start()
        }
        _ = try await pusher.syncOnce()
        _ = try await reader.syncOnce()
        #expect(kills == 4)
        #expect(try pusher.status().outbox == 0)
        #expect(try Self.operations(of: pusher, on: ticket, at: reader) == 2001)
        // The SLA engine's own writes on the ticket reach both stations as well.
        #expect(try await Self.settle([pusher, reader], nodes[1]), "stations and nodes did not settle")
        #expect(try reader.digest() == (try pusher.digest()))
        #expect(try nodes[1].digest() == (try pusher.digest().description))
    }

    /// Three nodes share the timers of 30 tickets under a policy in seconds: one node is stopped
    /// (SIGSTOP) while the first timers fall due and woken later, another is killed while the
    /// breaches fall due. Every ticket is still breached once and escalated once, by whichever
    /// node got there: no timer fires twice, none is lost with its node.
    @Test func timersFireExactlyOnceAcrossNodesThroughAStallAndAKill() async throws {
        let folder = try TemporaryDirectory()
        let database = try await PostgresTestCluster.shared().makeDatabase()
        let policyPath = folder.path("policy.yaml")
        try SLAServerTests.policy.write(toFile: policyPath, atomically: true, encoding: .utf8)
        let configPath = folder.path("config.yaml")
        try "sla_lease_ms: 2000\n".write(toFile: configPath, atomically: true, encoding: .utf8)
        let nodes = try await Self.nodes(3, in: folder, database: database, extra: ["--policy", policyPath, "--config", configPath])
        defer { nodes.forEach { $0.stop() } }
        let desk = try Self.station(folder, "desk", node: nodes[2])
        var tickets: [TicketID] = []
        for index in 0..<30 { tickets.append(try desk.createTicket([.title: .text("Late pallet \(index)"), .site: .text("DFW1")])) }
        _ = try await desk.syncOnce()

        // Warnings fall due at 1.5 s, breaches at 3 s, escalations at 4 s after each create.
        try await Task.sleep(for: .milliseconds(1_200))
        nodes[1].pause()
        try await Task.sleep(for: .milliseconds(2_000))
        nodes[0].kill()
        try await Task.sleep(for: .milliseconds(4_000))
        nodes[1].resume()

        let done = try await SLAServerTests.syncUntil(desk, seconds: 90) {
            try tickets.allSatisfy { try desk.ticket($0).tier == 2 && SLAServerTests.state(try desk.ticket($0), "first_response") == "breached" }
        }
        #expect(done, "not every ticket was breached and escalated")
        // Whatever would fire a second time (a woken node's stale claims) has had its chance.
        try await Task.sleep(for: .seconds(3))
        _ = try await desk.syncOnce()
        try SLAServerTests.expectEachBreachedAndEscalatedOnce(tickets, at: desk)
        #expect(try desk.status().outbox == 0)
        #expect(try nodes[2].digest() == (try desk.digest().description))
    }

    /// A station given both nodes' addresses stays live through the death of the node it is
    /// connected to: it moves to the other node and receives what is written there, and a sync
    /// round started while its first address is dead goes through the second. Nothing is lost or
    /// applied twice (digests). The nodes share one certificate, as a cluster's nodes must.
    @Test func aStationWithSeveralAddressesFailsOverWhenItsNodeIsKilled() async throws {
        let folder = try TemporaryDirectory()
        let database = try await PostgresTestCluster.shared().makeDatabase()
        let first = try ServerProcess(dataDirectory: folder.path("node0"), database: database)
        try await first.start()
        // The second node starts with the first one's development CA and certificate.
        try FileManager.default.createDirectory(atPath: folder.path("node1"), withIntermediateDirectories: true)
        for file in ["dev-ca.pem", "server.pem", "server-key.pem"] {
            try FileManager.default.copyItem(atPath: folder.path("node0/\(file)"), toPath: folder.path("node1/\(file)"))
        }
        let second = try ServerProcess(dataDirectory: folder.path("node1"), database: database)
        try await second.start()
        let nodes = [first, second]
        defer { nodes.forEach { $0.stop() } }

        let writer = try Self.station(folder, "writer", node: second)
        let watcher = try Station.create(at: folder.path("watcher.sqlite"), agent: "watcher")
        try watcher.configureServer(url: "\(first.url),\(second.url)", token: try first.addStation("watcher"), caFile: first.caFile)
        let ticket = try writer.createTicket([.title: .text("Dock door jammed"), .site: .text("SEA1")])
        _ = try await writer.syncOnce()
        _ = try await watcher.syncOnce()

        let seen = LiveEvents()
        let live = Task {
            try await watcher.syncLive(onEvent: { event in
                switch event {
                case .received(let operations):
                    for op in operations { if case .comment(let body, _) = op.payload { seen.bodies.withLock { _ = $0.insert(body) } } }
                case .connecting(let address):
                    seen.addresses.withLock { $0.append(address) }
                default:
                    break
                }
            })
        }
        defer { live.cancel() }
        func arrives(_ body: String) async throws -> Bool {
            try writer.comment(on: ticket, body: body)
            _ = try await writer.syncOnce()
            for _ in 0..<600 {  // at most 30 s: a bound that ends the test, not a speed assertion
                if seen.bodies.withLock({ $0.contains(body) }) { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
        #expect(try await arrives("Technician called"), "the first comment did not arrive live")
        #expect(seen.addresses.withLock { $0 } == [first.url], "the live session should have started on the first address")
        first.kill()
        #expect(try await arrives("Door fixed"), "the station did not move to the second node")
        #expect(seen.addresses.withLock { $0 }.contains(second.url))
        live.cancel()

        // A round while the first address is still dead: it goes through the second.
        try watcher.comment(on: ticket, body: "Checked by watcher")
        _ = try await watcher.syncOnce()
        #expect(try watcher.status().outbox == 0)
        _ = try await writer.syncOnce()
        #expect(try writer.digest() == (try watcher.digest()))
        #expect(try second.digest() == (try watcher.digest().description))
    }
}

/// What a live session reported: the comment bodies it received and the addresses it connected to.
final class LiveEvents: Sendable {
    let bodies = Mutex<Set<String>>([])
    let addresses = Mutex<[String]>([])
}
