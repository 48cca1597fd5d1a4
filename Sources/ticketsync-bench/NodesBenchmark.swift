import ArgumentParser
import Foundation
import TicketModel
import TicketSyncClient

/// `ticketsync-bench nodes --database URL`: operations per second accepted by one node and by
/// three nodes on the same PostgreSQL, in one run, with nothing lost or duplicated.
struct NodesBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "One ticketsyncd node against three on the same PostgreSQL: operations/s accepted.",
        discussion: """
            For each node count (--nodes, default 1,3) a fresh database is made on the server of \
            --database (createdb, as the URL's user), the nodes are started on loopback with \
            `serve --database`, and --stations stations (spread over the nodes round-robin, each with \
            scope site:S<i> and only its own tickets, so pulls carry almost nothing back) fill their \
            outboxes with --operations operations each (creates, then field writes) through the \
            Station API. Then every station runs syncOnce at once: the time from the start to the \
            last station's last acknowledgement gives operations/s accepted (`seconds`, \
            `operations_per_second`); the time until every station has also pulled what it is sent is \
            reported beside it (`sync_seconds`, `synced_operations_per_second`), and node CPU covers the whole round. Checks after each run: the database holds exactly \
            the operations the outboxes held, each once (the SLA engine's own writes are counted apart), every \
            node's `ticketsyncd status --json` reports one digest, and every outbox is empty. Prints one JSON \
            object per node count.
            """
    )

    @Option(help: "A PostgreSQL URL whose user may create databases, e.g. postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable.")
    var database: String

    @Option(help: "The ticketsyncd binary (release build).")
    var serverBinary = ".build/release/ticketsyncd"

    @Option(help: "Node counts to measure, comma-separated.")
    var nodes = "1,3"

    @Option(help: "Stations pushing at once.")
    var stations = 12

    @Option(help: "Outbox operations per station.")
    var operations = 2_000

    @Option(help: "Tickets per station (included in --operations).")
    var tickets = 50

    func run() async throws {
        stopServersOnSignals()
        guard let url = URLComponents(string: database), let host = url.host, let user = url.user else {
            throw BenchFailure("--database '\(database)' is not postgres://USER@HOST:PORT/DB")
        }
        let port = url.port ?? 5432
        let counts = nodes.split(separator: ",").compactMap { Int($0) }
        guard !counts.isEmpty, counts.allSatisfy({ (1...16).contains($0) }), stations >= 1, operations > tickets, tickets >= 1 else {
            throw BenchFailure("--nodes takes counts 1-16; --operations must exceed --tickets >= 1")
        }
        let createdb = try Self.postgresTool("createdb")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-bench-nodes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for count in counts {
            let name = "ticketsync_bench_\(count)n_\(UUID().uuidString.prefix(8).lowercased())"
            let made = try runTool(createdb, ["-h", host, "-p", String(port), "-U", user, name], timeout: 60)
            guard made.status == 0 else { throw BenchFailure("createdb \(name) failed: \(made.stderr)") }
            var target = url
            target.path = "/" + name
            let result = try await measure(nodeCount: count, database: target.string ?? "", folder: root + "/\(count)")
            print(result)
        }
    }

    func measure(nodeCount: Int, database: String, folder: String) async throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let servers = (0..<nodeCount).map {
            BenchNode(binary: serverBinary, dataDirectory: folder + "/node\($0)", database: database)
        }
        defer { servers.forEach { $0.stop() } }
        for server in servers { try server.start() }

        var pushers: [Station] = []
        for index in 0..<stations {
            let server = servers[index % nodeCount]
            let station = try Station.create(at: folder + "/station\(index).sqlite", agent: "bench\(index)")
            try station.configureServer(url: server.url, token: try server.addStation("s\(index)", scopes: ["site:S\(index)"]), caFile: server.caFile)
            var ids: [TicketID] = []
            for t in 0..<tickets { ids.append(try station.createTicket([.title: .text("Bench \(index)-\(t)"), .site: .text("S\(index)")])) }
            for n in 0..<(operations - tickets) {
                // Each write to a ticket changes its priority (an unchanged value makes no operation).
                _ = try station.update(ids[n % tickets], [.priority: .text(["low", "normal", "high", "urgent"][(n / tickets + 1) % 4])])
            }
            pushers.append(station)
        }
        var total = 0
        for station in pushers { total += try station.status().outbox }
        let cpuBefore = servers.map { $0.cpuSeconds() }
        // When each station's last operation was acknowledged (durable on the server): what
        // "accepted" measures. The round goes on after that until the station has pulled
        // everything it is sent, which is timed apart.
        let acknowledged = Locked<[UInt64]>([])
        let start = monotonicNanos()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for station in pushers {
                group.addTask {
                    let done = Locked(false)
                    _ = try await station.syncOnce(progress: { progress in
                        guard progress.pushed >= progress.toPush else { return }
                        let first = done.withLock { seen in
                            defer { seen = true }
                            return !seen
                        }
                        if first { acknowledged.withLock { $0.append(monotonicNanos()) } }
                    })
                }
            }
            try await group.waitForAll()
        }
        let syncSeconds = Double(monotonicNanos() - start) / 1e9
        let cpu = zip(servers.map { $0.cpuSeconds() }, cpuBefore).map { $0 - $1 }
        let acks = acknowledged.current
        guard acks.count == pushers.count, let last = acks.max() else {
            throw BenchFailure("nodes=\(nodeCount): \(acks.count) of \(pushers.count) stations saw their outbox acknowledged")
        }
        let seconds = Double(last - start) / 1e9

        var outboxes = 0
        for station in pushers { outboxes += try station.status().outbox }
        // The SLA engine may still be writing its sla.* fields: wait (cheaply) until it has
        // planned the whole log, then read every node's digest (each replays the log), again
        // if the engine wrote in between (at most ten times).
        let psql = try Self.postgresTool("psql")
        func caughtUp() throws -> Bool {
            try runTool(
                psql, ["-X", "-A", "-t", "-q", "-d", database, "-c", "SELECT COALESCE((SELECT value FROM sla_meta WHERE key = 'cursor'), 0) = (SELECT last_position FROM log_head)"],
                timeout: 60
            ).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "t"
        }
        var statuses: [(digest: String, operations: Int, slaCaughtUp: Bool)] = []
        for _ in 0..<10 {
            for _ in 0..<600 where try !caughtUp() { try await Task.sleep(for: .milliseconds(200)) }
            statuses = try servers.map { try $0.status() }
            if statuses.allSatisfy(\.slaCaughtUp) && Set(statuses.map(\.digest)).count == 1 { break }
        }
        // The log also holds the SLA engine's own writes: count what the stations pushed, and
        // each (replica, seq) once (the log's key makes a duplicate impossible to store twice).
        let counted = try runTool(
            try Self.postgresTool("psql"),
            ["-X", "-A", "-t", "-q", "-d", database, "-c", "SELECT COUNT(*), COUNT(DISTINCT (replica, seq)) FROM operations WHERE station <> ''"],
            timeout: 120
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap { Int($0) }
        guard outboxes == 0, counted == [total, total], Set(statuses.map(\.digest)).count == 1 else {
            throw BenchFailure("nodes=\(nodeCount): outboxes \(outboxes), stations' operations stored \(counted) of \(total), digests \(Set(statuses.map(\.digest)).count)")
        }
        let object: [String: Any] = [
            "nodes": nodeCount, "stations": stations, "operations": total, "seconds": (seconds * 1000).rounded() / 1000,
            "operations_per_second": Int(Double(total) / seconds), "node_cpu_seconds": cpu.map { ($0 * 100).rounded() / 100 },
            "sync_seconds": (syncSeconds * 1000).rounded() / 1000, "synced_operations_per_second": Int(Double(total) / syncSeconds),
            "lost": 0, "duplicated": 0, "digest": statuses[0].digest, "server_operations": statuses[0].operations - total,
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A PostgreSQL client program: from /usr/lib/postgresql/<highest>/bin or PATH.
    static func postgresTool(_ name: String) throws -> String {
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).compactMap { Int($0) }.sorted()
        for version in versions.reversed() where FileManager.default.isExecutableFile(atPath: "\(base)/\(version)/bin/\(name)") {
            return "\(base)/\(version)/bin/\(name)"
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw BenchFailure("\(name) not found: apt-get install postgresql-client")
    }
}

/// A `ticketsyncd serve --database URL` node on a free loopback port.
final class BenchNode: @unchecked Sendable {
    let binary: String
    let dataDirectory: String
    let database: String
    let extraArguments: [String]
    private(set) var process: Process?
    private(set) var port = 0

    init(binary: String, dataDirectory: String, database: String, extraArguments: [String] = []) {
        self.binary = binary
        self.dataDirectory = dataDirectory
        self.database = database
        self.extraArguments = extraArguments
    }

    var url: String { "wss://localhost:\(port)" }
    var caFile: String { dataDirectory + "/dev-ca.pem" }
    var store: [String] { ["--data-dir", dataDirectory, "--database", database] }

    func start() throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        // A restarted node listens where it did before, so stations find it at the same address.
        process.arguments = ["serve"] + store + ["--listen", "127.0.0.1:\(port)", "--log-level", "error"] + extraArguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        startedServers.withLock { _ = $0.insert(process.processIdentifier) }
        let text = Locked("")
        DispatchQueue.global().async {
            while true {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
        }
        for _ in 0..<600 {
            if let range = text.current.range(of: #"wss://localhost:[0-9]+/"#, options: .regularExpression),
                let port = Int(text.current[range].dropFirst("wss://localhost:".count).dropLast())
            {
                self.port = port
                return
            }
            if !process.isRunning { break }
            usleep(100_000)
        }
        stop()
        throw BenchFailure("ticketsyncd (\(database)) did not report its address: \(text.current)")
    }

    func stop() {
        guard let process, process.isRunning else { return }
        resume()
        process.terminate()
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        startedServers.withLock { _ = $0.remove(process.processIdentifier) }
    }

    /// SIGKILL, no shutdown.
    func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        startedServers.withLock { _ = $0.remove(process.processIdentifier) }
    }

    /// SIGSTOP (``resume()`` continues it).
    func pause() {
        if let process, process.isRunning { Foundation.kill(process.processIdentifier, SIGSTOP) }
    }

    /// SIGCONT.
    func resume() {
        if let process, process.isRunning { Foundation.kill(process.processIdentifier, SIGCONT) }
    }

    func addStation(_ name: String, scopes: [String]) throws -> String {
        let result = try runTool(binary, ["station", "add", name, "--json"] + store + scopes.flatMap { ["--scope", $0] }, timeout: 60)
        guard result.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let token = object["token"] as? String
        else { throw BenchFailure("station add \(name) failed: \(result.stderr)") }
        return token
    }

    /// The store's digest and operation count, and whether the SLA engine has planned the whole log.
    func status() throws -> (digest: String, operations: Int, slaCaughtUp: Bool) {
        let result = try runTool(binary, ["status", "--json"] + store, timeout: 600)
        guard result.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let digest = object["digest"] as? String
        else { throw BenchFailure("status failed: \(result.stderr)") }
        let operations = (object["operations"] as? NSNumber)?.intValue ?? -1
        let cursor = ((object["sla"] as? [String: Any])?["cursor"] as? NSNumber)?.intValue
        return (digest, operations, cursor == nil || cursor == operations)
    }

    /// User + system CPU seconds of the node so far (from /proc).
    func cpuSeconds() -> Double {
        guard let pid = process?.processIdentifier, let text = readProcFile("/proc/\(pid)/stat"),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
