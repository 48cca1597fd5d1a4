import Foundation
import Testing
import TicketModel
import TicketSyncClient
import TicketTestSupport

/// Whether HAProxy is installed (with CI=true the test runs, and fails, without it).
var haproxyAvailable: Bool {
    if ProcessInfo.processInfo.environment["CI"] == "true" { return true }
    let found = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    if !found { print("cluster script test skipped: no haproxy (apt-get install haproxy; with CI=true it fails instead)") }
    return found
}

/// `deploy/cluster.sh` as an operator runs it: PostgreSQL from Debian's packages, three
/// `ticketsyncd` nodes and HAProxy on loopback ports, stations syncing through the load balancer,
/// then a clean stop.
@Suite(.serialized, .enabled(if: PostgresTestCluster.isAvailable && haproxyAvailable))
struct ClusterScriptTests {
    /// The repository's root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs the script on a thread of its own (it takes seconds; the cooperative pool must not wait).
    static func script(_ arguments: [String], environment: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let path = root.appendingPathComponent("deploy/cluster.sh").path
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try run("/usr/bin/env", environment + ["bash", path] + arguments, timeout: 180) })
            }.start()
        }
    }

    @Test func theScriptStartsAClusterStationsSyncThroughTheBalancerAndItStops() async throws {
        let folder = try TemporaryDirectory()
        let directory = folder.path("cluster")
        // Below the ephemeral range (32768+), where other tests' servers and clients take their ports.
        let base = Int.random(in: 2_000..<3_270) * 10
        let environment = [
            "TICKETSYNCD=\(try builtExecutable("ticketsyncd"))", "PGPORT=\(base)", "LB_PORT=\(base + 1)", "NODE_PORT=\(base + 2)",
            "HAPROXY_STATS=\(base + 5)",
        ]
        let started = try await Self.script(["start", directory], environment: environment)
        defer { _ = try? run("/usr/bin/env", environment + ["bash", Self.root.appendingPathComponent("deploy/cluster.sh").path, "stop", directory], timeout: 120) }
        #expect(started.status == 0, "start: \(started.stdout)\n\(started.stderr)")
        #expect(started.stdout.contains("cluster up: stations connect to wss://localhost:\(base + 1)/v1/sync"), "\(started.stdout)")

        let status = try await Self.script(["status", directory], environment: environment)
        for node in 1...3 { #expect(status.stdout.contains("node\(node) 127.0.0.1:\(base + 1 + node) running, ready"), "\(status.stdout)") }
        #expect(status.stdout.contains("haproxy 127.0.0.1:\(base + 1) running"), "\(status.stdout)")

        // Two stations through the load balancer (leastconn spreads them over the nodes).
        let database = "postgres://postgres@127.0.0.1:\(base)/ticketsync?sslmode=disable"
        let binary = try builtExecutable("ticketsyncd")
        var stations: [Station] = []
        for name in ["dock", "office"] {
            let added = try run(binary, ["station", "add", name, "--scope", "all", "--json", "--database", database, "--data-dir", folder.path("cli")])
            #expect(added.status == 0, "\(added.stderr)")
            let token = try #require(
                (try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any])?["token"] as? String
            )
            let station = try Station.create(at: folder.path("\(name).sqlite"), agent: name)
            try station.configureServer(url: "wss://localhost:\(base + 1)", token: token, caFile: directory + "/node1/dev-ca.pem")
            stations.append(station)
        }
        let ticket = try stations[0].createTicket([.title: .text("Forklift battery"), .site: .text("DFW1")])
        _ = try await stations[0].syncOnce()
        _ = try await stations[1].syncOnce()
        #expect(try stations[1].ticket(ticket).title == "Forklift battery")

        let stopped = try await Self.script(["stop", directory], environment: environment)
        #expect(stopped.status == 0 && stopped.stdout.contains("cluster stopped"), "\(stopped.stdout)\n\(stopped.stderr)")
        let after = try await Self.script(["status", directory], environment: environment)
        #expect(after.stdout.contains("node1 127.0.0.1:\(base + 2) down") && after.stdout.contains("haproxy down"), "\(after.stdout)")
    }
}
