import ArgumentParser
import Foundation
import TicketModel
import TicketSyncClient

/// `ticketsync-bench failover --database URL`: what a cluster does when a node dies. Stations
/// given every node's address are live again on another node how soon after their node is
/// killed; timers a killed node had claimed fire how soon after their deadline.
struct FailoverBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Kill nodes of a PostgreSQL cluster: time until their stations are live elsewhere, and until their timers fire.",
        discussion: """
            Stations: --nodes nodes share one database and one certificate; --stations stations each get every \
            node's address (starting at a different node) and run a live session. Then --kills times, one node \
            is killed (SIGKILL): for each station that was live on it, the time from the kill until the station \
            is live (welcomed) on another node. The node is restarted on its port before the next kill. \
            Timers: a fresh database; --timers tickets are created through a station, each with an SLA first \
            response due 20 s later. Just before they fall due every node but the first is stopped (SIGSTOP), \
            the first claims and starts firing, and is killed; the others continue. For every timer claimed \
            more than once (taken over), lateness = when it fired minus its due time, against the lease \
            (--lease-ms) + 1 s. Prints one JSON object.
            """
    )

    @Option(help: "A PostgreSQL URL whose user may create databases, e.g. postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable.")
    var database: String

    @Option(help: "The ticketsyncd binary (release build).")
    var serverBinary = ".build/release/ticketsyncd"

    @Option(help: "Nodes in the cluster.") var nodes = 3
    @Option(help: "Live stations.") var stations = 30
    @Option(help: "Nodes killed, one after the other.") var kills = 3
    @Option(help: "Tickets whose timers fall due together in the timer part; 0 skips it.") var timers = 3_000
    @Option(help: "The claim lease of the nodes (sla_lease_ms).") var leaseMs = 5_000

    func run() async throws {
        stopServersOnSignals()
        guard nodes >= 2, stations >= 1, kills >= 1, timers >= 0, (1_000...600_000).contains(leaseMs) else {
            throw BenchFailure("--nodes must be at least 2, --stations and --kills at least 1, --lease-ms 1000-600000")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-bench-failover-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        var result: [String: Any] = ["nodes": nodes, "stations": stations, "kills": kills]
        result["stations_live_again_seconds"] = try await stationFailover(database: try freshDatabase("stations"), folder: root + "/stations")
        if timers > 0 {
            result["timer_takeover"] = try await timerTakeover(database: try freshDatabase("timers"), folder: root + "/timers")
        }
        try Measure.printJSON(result)
    }

    /// A new database on the server of --database; its URL.
    func freshDatabase(_ purpose: String) throws -> String {
        guard var url = URLComponents(string: database), let host = url.host, let user = url.user else {
            throw BenchFailure("--database '\(database)' is not postgres://USER@HOST:PORT/DB")
        }
        let name = "ticketsync_bench_failover_\(purpose)_\(UUID().uuidString.prefix(8).lowercased())"
        let made = try runTool(try NodesBenchmark.postgresTool("createdb"), ["-h", host, "-p", String(url.port ?? 5432), "-U", user, name], timeout: 60)
        guard made.status == 0 else { throw BenchFailure("createdb \(name) failed: \(made.stderr)") }
        url.path = "/" + name
        return url.string ?? ""
    }

    /// Starts the cluster: the first node makes the development certificate, the others start
    /// with a copy of it (a cluster's nodes share one certificate).
    func cluster(database: String, folder: String, extra: [String] = []) throws -> [BenchNode] {
        let servers = (0..<nodes).map {
            BenchNode(binary: serverBinary, dataDirectory: folder + "/node\($0)", database: database, extraArguments: extra)
        }
        try servers[0].start()
        for server in servers.dropFirst() {
            try FileManager.default.createDirectory(atPath: server.dataDirectory, withIntermediateDirectories: true)
            for file in ["dev-ca.pem", "server.pem", "server-key.pem"] {
                try FileManager.default.copyItem(atPath: servers[0].dataDirectory + "/" + file, toPath: server.dataDirectory + "/" + file)
            }
            try server.start()
        }
        return servers
    }

    func stationFailover(database: String, folder: String) async throws -> [String: Double] {
        let servers = try cluster(database: database, folder: folder)
        defer { servers.forEach { $0.stop() } }
        let live = LiveTable(count: stations)
        var sessions: [Task<Void, Never>] = []
        defer { sessions.forEach { $0.cancel() } }
        for index in 0..<stations {
            let station = try Station.create(at: folder + "/station\(index).sqlite", agent: "bench\(index)")
            let order = (0..<nodes).map { servers[(index + $0) % nodes].url }
            try station.configureServer(url: order.joined(separator: ","), token: try servers[0].addStation("s\(index)", scopes: ["all"]), caFile: servers[0].caFile)
            sessions.append(Task {
                try? await station.syncLive(onEvent: { event in
                    if case .connected(let address) = event { live.connected(index, to: address) }
                })
            })
        }
        guard await live.waitUntil(seconds: 60, { $0.allSatisfy { $0 != nil } }) else {
            throw BenchFailure("not every station went live within 60 s")
        }
        var samples: [Double] = []
        for round in 0..<kills {
            let victim = servers[round % nodes]
            let moved = live.stations(on: victim.url)
            let killedAt = monotonicNanos()
            victim.kill()
            let ok = await live.waitUntil(seconds: 30) { table in
                moved.allSatisfy { table[$0].map { $0.address != victim.url && $0.atNanos > killedAt } ?? false }
            }
            guard ok else { throw BenchFailure("round \(round): not every station of the killed node was live elsewhere within 30 s") }
            samples += moved.map { Double(live.since($0, killedAt)) / 1e9 }
            try victim.start()
        }
        return Measure.percentiles(samples)
    }

    func timerTakeover(database: String, folder: String) async throws -> [String: Any] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let policy = folder + "/policy.yaml"
        try """
            policies:
              - id: bench
                calendar: 24x7
                targets: { first_response: 20s, resolution: 10h }
                warning_at: 99%
                escalation:
                  - { tier: 1, limit: 10h, group: frontline }
                  - { tier: 2, limit: 20h, group: supervisors }
                  - { tier: 3, limit: 30h, group: management }
            """.write(toFile: policy, atomically: true, encoding: .utf8)
        let config = folder + "/config.yaml"
        try "sla_lease_ms: \(leaseMs)\n".write(toFile: config, atomically: true, encoding: .utf8)
        let servers = try cluster(database: database, folder: folder, extra: ["--policy", policy, "--config", config])
        defer { servers.forEach { $0.stop() } }
        let psql = try NodesBenchmark.postgresTool("psql")
        func query(_ sql: String) throws -> String {
            let out = try runTool(psql, ["-X", "-A", "-t", "-q", "-d", database, "-c", sql], timeout: 60)
            guard out.status == 0 else { throw BenchFailure("psql failed: \(out.stderr)") }
            return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        let desk = try Station.create(at: folder + "/desk.sqlite", agent: "desk")
        try desk.configureServer(url: servers[1].url, token: try servers[0].addStation("desk", scopes: ["all"]), caFile: servers[0].caFile)
        for index in 0..<timers { _ = try desk.createTicket([.title: .text("Timer \(index)"), .site: .text("DFW1")]) }
        _ = try await desk.syncOnce()
        // Planned: every ticket has its first-response breach timer.
        var earliest: UInt64 = 0
        for _ in 0..<600 {
            let row = try query("SELECT COUNT(*), COALESCE(MIN(due_ms), 0) FROM sla_timers WHERE key LIKE '%first_response%' AND kind = 'breach'")
            let parts = row.split(separator: "|").compactMap { UInt64($0) }
            if parts.count == 2, parts[0] >= UInt64(timers) { earliest = parts[1]; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard earliest > 0 else { throw BenchFailure("the timers were not planned within 60 s") }
        let latest = UInt64(try query("SELECT MAX(due_ms) FROM sla_timers WHERE key LIKE '%first_response%' AND kind = 'breach'")) ?? earliest

        // The others stall just before the first deadline; the first node claims, fires, dies.
        try await sleepUntil(millis: earliest - 1_500)
        for server in servers.dropFirst() { server.pause() }
        try await sleepUntil(millis: earliest + 150)
        servers[0].kill()
        for server in servers.dropFirst() { server.resume() }

        let bound = latest + UInt64(leaseMs) + 60_000
        while wallMillis() < bound {
            let open = try query("SELECT COUNT(*) FROM sla_timers WHERE state IN (0, 1) AND due_ms <= \(latest)")
            if open == "0" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let rows = try query("SELECT fired_ms - due_ms, attempt FROM sla_timers WHERE state = 2 AND due_ms <= \(latest) AND key LIKE '%first_response%'")
        var takenOver: [Double] = []
        var firedOnce: [Double] = []
        for line in rows.split(separator: "\n") {
            let parts = line.split(separator: "|").compactMap { Double($0) }
            guard parts.count == 2 else { continue }
            if parts[1] >= 2 { takenOver.append(parts[0]) } else { firedOnce.append(parts[0]) }
        }
        let breaches = try query("SELECT COUNT(*) FROM sla_timers WHERE state = 2 AND key LIKE '%first_response%' AND kind = 'breach' AND due_ms <= \(latest)")
        return [
            "timers": timers, "lease_ms": leaseMs, "target_ms": leaseMs + 1_000, "fired": takenOver.count + firedOnce.count,
            "breach_timers_done": Int(breaches) ?? -1, "taken_over": takenOver.count,
            "taken_over_lateness_ms": Measure.percentiles(takenOver), "other_lateness_ms": Measure.percentiles(firedOnce),
        ]
    }

    func wallMillis() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    func sleepUntil(millis: UInt64) async throws {
        let now = wallMillis()
        if millis > now { try await Task.sleep(for: .milliseconds(Int64(millis - now))) }
    }
}

/// Which address each station is live on, and since when (monotonic nanoseconds).
final class LiveTable: @unchecked Sendable {
    private let lock = NSLock()
    private var table: [(address: String, atNanos: UInt64)?]

    init(count: Int) { table = Array(repeating: nil, count: count) }

    func connected(_ station: Int, to address: String) {
        lock.withLock { table[station] = (address, monotonicNanos()) }
    }

    func stations(on address: String) -> [Int] {
        lock.withLock { table.indices.filter { table[$0]?.address == address } }
    }

    func since(_ station: Int, _ start: UInt64) -> UInt64 {
        lock.withLock { (table[station]?.atNanos ?? start) - start }
    }

    /// Polls every 10 ms until `condition` holds, at most `seconds`.
    func waitUntil(seconds: Double, _ condition: ([(address: String, atNanos: UInt64)?]) -> Bool) async -> Bool {
        let deadline = monotonicNanos() + UInt64(seconds * 1e9)
        while monotonicNanos() < deadline {
            if lock.withLock({ condition(table) }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}
