import ArgumentParser
import Foundation
import GRDB
import Logging
import TicketModel
import TicketSLA
import TicketSyncServer
import TicketSyncServerPostgres
import TicketSyncServerSQLite

/// `ticketsync-bench timers`: many timers falling due in the same second, fired through the
/// server's real SQLite store (claims, fences, server operations appended to the log, outbox),
/// and the memory of a server holding many pending timers.
struct TimerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timers",
        abstract: "Fire N timers due in the same second through the SQLite (or PostgreSQL) store; report durability time, lateness and memory.",
        discussion: """
            Loads N tickets (one station's creates, in batches), plans one timer per ticket, all due at the same \
            instant a few seconds ahead, then runs the scheduler's loop (claim a batch, fire it in one transaction) \
            from that instant until none is left. Each fired timer appends one server operation (an sla.* field) \
            and one webhook outbox row. Lateness of a timer = the commit of its batch minus its due time. \
            With --pending M it then plans M more timers due in an hour and reports the process's peak RSS. \
            With --database URL the store is PostgreSQL instead: a fresh database is made on that server (createdb, as \
            the URL's user) and the same steps run through the PostgreSQL store.
            """
    )

    @Option(help: "Timers due in the same second.") var count = 100_000
    @Option(help: "Timers per claim and per firing transaction.") var batch = 500
    @Option(help: "Extra pending timers (due later) to hold while measuring memory; 0 to skip.") var pending = 0
    @Option(help: "Folder for the store; a temporary one if absent.") var home: String?
    @Option(help: "A PostgreSQL URL whose user may create databases (postgres://USER@HOST:PORT/DB?sslmode=disable): run on PostgreSQL.")
    var database: String?

    /// One timer per ticket, all due at `due`; firing writes one field and queues one event.
    struct BenchDecider: SLADecider {
        let due: UInt64
        var version: String { "bench" }
        func plan(_ context: SLATicketContext, now: UInt64) throws(ServerError) -> SLAPlan {
            guard context.current != nil, context.history.count == 1 else { return SLAPlan(timers: []) }
            return SLAPlan(timers: [PlannedTimer(key: "breach:resolution", kind: .breach, dueMillis: due)])
        }
        func fire(_ timer: TimerClaim, _ context: SLATicketContext, now: UInt64) throws(ServerError) -> TimerEffect {
            TimerEffect(
                writes: [.set(.sla("resolution"), .text("state=breached"), overwrites: nil)],
                events: [WebhookEvent(eventID: "\(timer.ticket):\(timer.key):bench", endpoint: "bench", type: "sla.breach", body: Array("{}".utf8))],
                outcome: "breach"
            )
        }
    }

    func run() async throws {
        if let database { return try await runOnPostgres(database) }
        let folder = home ?? FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if home == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let store = try SQLiteServerStore(path: folder + "/server.sqlite")
        try Measure.printJSON(try await measure(store, backEnd: "sqlite") { due in
            let harness = try DatabaseQueue(path: folder + "/server.sqlite")
            try await harness.write { db in try db.execute(sql: "UPDATE sla_timers SET due_ms = ? WHERE state = 0", arguments: [Int64(due)]) }
            try harness.close()
        })
    }

    /// The same steps on a fresh PostgreSQL database, the store's pool running beside them.
    func runOnPostgres(_ database: String) async throws {
        guard let url = URLComponents(string: database), let host = url.host, let user = url.user else {
            throw BenchFailure("--database '\(database)' is not postgres://USER@HOST:PORT/DB")
        }
        let name = "ticketsync_bench_timers_\(UUID().uuidString.prefix(8).lowercased())"
        let made = try runTool(try NodesBenchmark.postgresTool("createdb"), ["-h", host, "-p", String(url.port ?? 5432), "-U", user, name], timeout: 60)
        guard made.status == 0 else { throw BenchFailure("createdb \(name) failed: \(made.stderr)") }
        var target = url
        target.path = "/" + name
        let address = target.string ?? ""
        let store = PostgresServerStore(database: try DatabaseURL(parsing: address), logger: Logger(label: "bench"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            try await store.open()
            let result = try await measure(store, backEnd: "postgresql") { due in
                let psql = try NodesBenchmark.postgresTool("psql")
                let moved = try runTool(psql, ["-X", "-q", "-d", address, "-c", "UPDATE sla_timers SET due_ms = \(due) WHERE state = 0"], timeout: 120)
                guard moved.status == 0 else { throw BenchFailure("psql failed: \(moved.stderr)") }
            }
            try Measure.printJSON(result)
        }
    }

    /// Loads, plans, moves every timer to one instant with `moveDue`, fires; returns the figures.
    func measure(_ store: any ServerStore & SLAStore, backEnd: String, moveDue: (UInt64) async throws -> Void) async throws -> [String: Any] {
        let replica = ReplicaID(0xBE7C)
        try await store.addStation(name: "bench", tokenHash: Array(repeating: 7, count: 32), scopes: [.all], createdMillis: systemMillis())
        _ = try await store.bind(station: "bench", to: replica)
        guard let station = try await store.stations().first else { throw ValidationError("no station") }

        // Load: N creates from one station.
        let loadStart = Date()
        var seq: UInt64 = 0
        func load(_ n: Int) async throws {
            var made = 0
            while made < n {
                let size = min(5_000, n - made)
                let now = systemMillis()
                let ops = (0..<size).map { _ -> TicketOperation in
                    seq += 1
                    return TicketOperation(
                        id: OperationID(replica: replica, seq: seq), timestamp: Timestamp(millis: now, counter: 0), author: .agent("bench"),
                        ticket: TicketID(high: 0x0199_0000_0000_7000 | seq, low: 0x8000_0000_0000_0000 | seq),
                        payload: .create([.title: .text("Bench ticket \(seq)")])
                    )
                }
                _ = try await store.append(ops, from: station, receivedMillis: now + 1, maxDriftMillis: 300_000)
                made += size
            }
        }
        try await load(count)
        let loadSeconds = Date().timeIntervalSince(loadStart)

        // Plan one timer per ticket (an hour ahead), then move them all to the same instant, 2 s
        // from now, with one statement on the file (harness set-up, not part of the measure).
        let planStart = Date()
        let decider = BenchDecider(due: systemMillis() + 3_600_000)
        while true {
            let report = try await store.planSLA(limit: 5_000, rule: .bounded, now: systemMillis(), decider: decider)
            if report.caughtUp { break }
        }
        let planSeconds = Date().timeIntervalSince(planStart)
        let due = systemMillis() + 2_000
        try await moveDue(due)
        try await Task.sleep(for: .milliseconds(Int64(due - systemMillis())))

        // Fire: the scheduler's loop.
        var lateness: [Double] = []
        lateness.reserveCapacity(count)
        var fired = 0
        while true {
            let claims = try await store.claimTimers(now: systemMillis(), limit: batch, leaseMillis: 30_000, owner: "bench")
            if claims.isEmpty { break }
            let report = try await store.fireTimers(claims, now: systemMillis(), decider: decider)
            let committed = systemMillis()
            fired += report.fired
            for claim in claims { lateness.append(Double(committed - claim.dueMillis)) }
        }
        let allDurable = Double(systemMillis() - due) / 1000
        let status = try await store.slaStatus()

        var result: [String: Any] = [
            "back_end": backEnd, "timers": count, "batch": batch, "fired": fired, "load_seconds": Measure.rounded(loadSeconds, 2),
            "plan_seconds": Measure.rounded(planSeconds, 2), "seconds_until_all_durable": Measure.rounded(allDurable, 3),
            "timers_per_second": Measure.rounded(Double(fired) / max(allDurable, 0.001), 0),
            "lateness_ms": Measure.percentiles(lateness), "timers_done": status.done, "webhooks_queued": status.webhooksPending,
        ]
        if pending > 0 {
            let before = Measure.peakRSSMiB()
            let later = BenchDecider(due: systemMillis() + 3_600_000)
            let start = seq
            try await load(pending)
            while true {
                let report = try await store.planSLA(limit: 5_000, rule: .bounded, now: systemMillis(), decider: later)
                if report.caughtUp { break }
            }
            _ = start
            let next = try await store.nextTimerDue()
            result["pending_timers"] = try await store.slaStatus().pending
            result["next_due_known"] = next != nil
            result["peak_rss_mib_before_pending"] = Measure.rounded(before, 1)
            result["peak_rss_mib_with_pending"] = Measure.rounded(Measure.peakRSSMiB(), 1)
        }
        return result
    }
}
