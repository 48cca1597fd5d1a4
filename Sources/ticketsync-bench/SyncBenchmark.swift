import ArgumentParser
import Foundation
import TicketModel
import TicketSyncClient

/// `ticketsync-bench sync --trace FILE`: stations syncing with a real `ticketsyncd` over
/// WebSocket + TLS + permessage-deflate on loopback, beside the Yjs sync server peer.
struct SyncBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Push, converge, download (and live fan-out) through a real ticketsyncd on loopback.",
        discussion: """
            Starts `ticketsyncd serve --listen 127.0.0.1:0` in a temporary data directory and gives \
            every station its own credential (`ticketsyncd station add NAME --scope all --json`). Parts:
              push      one station with --push-ops outbox operations over --push-tickets tickets, made \
            through the Station API with the trace's contents, runs syncOnce (timed until all are acknowledged)
              converge  one station per trace replica (replica id Trace.replicaID(r)): phase-0 creates made \
            and synced, phase-1 edits made offline, then every station runs syncOnce at once, and again \
            (a final round that brings in what others pushed after a station's first round); timed end to end, \
            then every station's digest is checked against `ticketsyncd status --json` (a syncOnce the \
            server ends early is run again, at most 4 times, and listed in sync_failures_retried)
              download  with the server holding at least --download-ops operations (a filler station tops \
            it up), a fresh station runs syncOnce
              live      --stations stations connected with syncLive to a second server; one pusher edits at \
            --rate operations/s; latency from each push to its arrival at --receivers stations in scope, and \
            the server's RSS per idle connection
            Bytes: stations reach the server through an in-process relay that counts TCP payload each way \
            (TLS records of WebSocket frames after deflate, as the peer counts with TCP_INFO); --direct \
            connects them straight to the server and leaves only /proc/net/dev `lo` counters (headers \
            included, all loopback traffic of the machine). With --peer, the Yjs peer runs on the same \
            trace afterwards. Prints one JSON object.
            """
    )

    @Option(help: "A trace written by ../shared/bench/gen_trace.py.")
    var trace: String

    @Option(help: "The ticketsyncd binary (release build).")
    var serverBinary = ".build/release/ticketsyncd"

    @Option(help: "Parts to run, comma-separated: push, converge, download, live.")
    var parts = "push,converge,download"

    @Option(help: "Outbox operations of the push station.")
    var pushOps = 10_000

    @Option(help: "Tickets the push station creates (included in --push-ops).")
    var pushTickets = 1_000

    @Option(help: "Operations the server holds before the download (a filler station tops it up).")
    var downloadOps = 100_000

    @Flag(help: "Connect stations straight to the server (no byte-counting relay).")
    var direct = false

    @Option(help: "Run this peer after our run, on the same trace (../shared/bench/peer_ywebsocket.py).")
    var peer: String?

    @Option(help: "Runs of the peer (it reports their median).")
    var peerRepeat = 3

    @Option(help: "The Python that runs the peer (a venv with ../shared/bench/requirements.txt).")
    var python = "/tmp/bench-venv/bin/python"

    @Option(help: "live: stations connected at once (pusher and receivers included).")
    var stations = 1000

    @Option(help: "live: stations in the pushed tickets' scope (site:LIVE1) that measure arrival latency.")
    var receivers = 3

    @Option(help: "live: operations per second the pusher makes.")
    var rate = 1000

    @Option(help: "live: how long the pusher pushes, in seconds.")
    var liveSeconds = 10

    @Option(help: "live: the pusher makes its edits in ticks of this many milliseconds (--rate × interval / 1000 per tick).")
    var pushIntervalMs = 50

    @Option(help: "live: how the pusher syncs: 'live' (one syncLive session that pushes each commit) or 'once' (one syncOnce per tick, as before syncLive pushed).")
    var pusherMode = "live"

    @Option(help: "Longest one syncOnce may take, in seconds.")
    var syncTimeout = 900.0

    @Option(help: "Longest the peer may take, in seconds.")
    var peerTimeout = 3600.0

    @Option(help: "The servers' --log-level (their stderr is in the temporary directory; see --keep).")
    var serverLogLevel = "warning"

    @Flag(help: "Keep the temporary directory (its path is printed in the JSON).")
    var keep = false

    func run() async throws {
        stopServersOnSignals()
        let selected = Set(parts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let unknown = selected.subtracting(["push", "converge", "download", "live"])
        guard unknown.isEmpty else { throw ValidationError("unknown parts: \(unknown.sorted().joined(separator: ", "))") }
        guard FileManager.default.isExecutableFile(atPath: serverBinary) else {
            throw ValidationError("no ticketsyncd at \(serverBinary); build it: swift build -c release --product ticketsyncd")
        }
        let tracePath = URL(fileURLWithPath: trace).standardizedFileURL.path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-bench-sync-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/stations", withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: folder) } }

        let (loaded, loadSeconds) = try Measure.time { try Trace.load(path: tracePath) }
        var result: [String: Any] = [
            "trace": tracePath, "ops": loaded.count, "replicas": loaded.replicas.count,
            "load_seconds": Measure.rounded(loadSeconds, 3), "relay": !direct,
            "command": CommandLine.arguments.joined(separator: " "),
            "machine_cores": ProcessInfo.processInfo.activeProcessorCount,
        ]
        if keep { result["folder"] = folder }

        if !selected.isDisjoint(with: ["push", "converge", "download"]) {
            let server = BenchServer(binary: serverBinary, dataDirectory: folder + "/server", logLevel: serverLogLevel)
            try server.start()
            defer { server.stop() }
            let relay = direct ? nil : try ByteRelay(targetPort: server.port)
            defer { relay?.stop() }
            let context = SyncContext(
                server: server, relay: relay, url: relay.map { "wss://localhost:\($0.port)" } ?? server.url,
                folder: folder, syncTimeout: syncTimeout
            )
            do {
                if selected.contains("push") {
                    result["push"] = try await pushPart(context, loaded)
                }
                if selected.contains("converge") {
                    result["converge"] = try await convergePart(context, loaded)
                }
                if selected.contains("download") {
                    result["download"] = try await downloadPart(context, loaded)
                }
            } catch {
                // What was measured so far, the failure, and the server's log (it is removed with the folder).
                result["failure"] = "\(error)"
                result["server_log_tail"] = String(((try? String(contentsOfFile: server.logPath, encoding: .utf8)) ?? "").suffix(4000))
                try? Measure.printJSON(result)
                throw error
            }
            result["server_rss_kib_end"] = server.rssKiB() ?? -1
        }
        if selected.contains("live") {
            result["live"] = try await livePart(folder: folder)
        }
        if let peer {
            let peerResult = try runPeer(peer, tracePath: tracePath, folder: folder)
            result["peer"] = peerResult
            if let converge = result["converge"] as? [String: Any] {
                result["ratios"] = Self.ratios(converge: converge, peer: peerResult)
            }
        }
        result["figures"] = Self.figures(result)
        result["peak_rss_mib"] = Measure.rounded(Measure.peakRSSMiB(), 1)
        try Measure.printJSON(result)
    }

    // MARK: - Push

    /// A station with `pushOps` operations over `pushTickets` tickets pushes them in one syncOnce.
    func pushPart(_ context: SyncContext, _ trace: Trace) async throws -> [String: Any] {
        let station = try context.makeStation("push")
        let (built, buildSeconds) = try Measure.time {
            try Self.makeEdits(on: station, from: trace, tickets: pushTickets, operations: pushOps)
        }
        let outbox = try station.outbox(after: 0, limit: built.made + 1)
        guard outbox.count == built.made else {
            throw BenchFailure("push: the outbox holds \(outbox.count) operations, \(built.made) were made")
        }
        let payload = Self.payloadSizes(outbox)

        let loBefore = LoopbackCounters.read()
        let relayBefore = context.relay?.counts
        let acknowledgedAt = Locked<UInt64?>(nil)
        let cpu = CPUMeter(context.server)
        let start = monotonicNanos()
        let report = try await context.sync(station) { progress in
            if progress.toPush > 0, progress.pushed >= progress.toPush {
                acknowledgedAt.withLock { if $0 == nil { $0 = monotonicNanos() } }
            }
        }
        let end = monotonicNanos()
        let cpuSeconds = cpu.reading
        let lo = LoopbackCounters.read() - loBefore
        let relay = context.relay.map { $0.counts - relayBefore! }
        let outboxAfter = try station.status().outbox
        let ackSeconds = Double((acknowledgedAt.current ?? end) - start) / 1e9
        let roundSeconds = Double(end - start) / 1e9

        // The SLA engine answers the push with sla.* writes a little later (it lets appends go
        // first): once it has caught up, one more round brings them, then the digests compare.
        try await context.server.waitForSLA()
        _ = try await context.sync(station)
        let server = try context.server.status()
        var result: [String: Any] = [
            "operations": built.made,
            "tickets": built.tickets,
            "api_calls": built.calls,
            "trace_steps_skipped": built.skipped,
            "build_seconds": Measure.rounded(buildSeconds, 3),
            "build_ops_per_second": Int(Double(built.made) / buildSeconds),
            "pushed": report.pushed,
            "rejected": report.rejected,
            "outbox_after": outboxAfter,
            "seconds": Measure.rounded(ackSeconds),
            "ops_per_second": Int(Double(report.pushed) / ackSeconds),
            "round_seconds": Measure.rounded(roundSeconds),
            "cpu_seconds": cpuSeconds,
            "protobuf_bytes": payload.protobuf,
            "protobuf_bytes_per_op": Measure.rounded(Double(payload.protobuf) / Double(max(1, built.made)), 2),
            "protobuf_zlib6_per_batch_bytes": payload.deflated,
            "protobuf_zlib6_bytes_per_op": Measure.rounded(Double(payload.deflated) / Double(max(1, built.made)), 2),
            "lo_rx_bytes": lo.bytes,
            "lo_rx_packets": lo.packets,
            "lo_rx_bytes_per_op": Measure.rounded(Double(lo.bytes) / Double(max(1, built.made)), 2),
            "server_operations": server.operations,
            "digest_equal": try station.digest().description == server.digest,
        ]
        if let relay {
            result["wire_bytes_up"] = relay.up
            result["wire_bytes_down"] = relay.down
            result["wire_bytes_up_per_op"] = Measure.rounded(Double(relay.up) / Double(max(1, built.made)), 2)
        }
        result["bytes_note"] = Self.bytesNote(relay: context.relay != nil)
        return result
    }

    // MARK: - Converge

    /// One station per trace replica holding its offline edits; all sync at once, then a final round.
    func convergePart(_ context: SyncContext, _ trace: Trace) async throws -> [String: Any] {
        let replicaCount = trace.replicas.count
        let stations = try (0..<replicaCount).map { index in
            try context.makeStation("replica-\(index)", replica: Trace.replicaID(index))
        }

        // Phase 0: each replica creates its baseline tickets; all sync (a full barrier).
        var baseline: [TicketID: TicketID] = [:]
        let (phase0Ops, phase0Seconds) = try Measure.time {
            var made = 0
            for index in 0..<replicaCount {
                for step in trace.replicas[index].0 {
                    made += try Self.perform(step, on: stations[index], ids: &baseline) ?? 0
                }
            }
            return made
        }
        let barrierStart = monotonicNanos()
        for _ in 0..<2 {
            for station in stations { _ = try await context.sync(station) }
        }
        let barrierSeconds = Double(monotonicNanos() - barrierStart) / 1e9
        let baselineTickets = try stations.map { try $0.status().tickets }

        // Phase 1: offline edits, through the Station API, two stations at a time.
        let outcomes = Locked([(made: Int, skipped: Int, failure: String?)](repeating: (0, 0, nil), count: replicaCount))
        let baselineIDs = baseline
        let (_, phase1Seconds) = Measure.time {
            DispatchQueue.concurrentPerform(iterations: replicaCount) { index in
                var ids = baselineIDs
                var made = 0
                var skipped = 0
                do {
                    for step in trace.replicas[index].1 {
                        if let count = try Self.perform(step, on: stations[index], ids: &ids) {
                            made += count
                            if count == 0 { skipped += 1 }
                        } else {
                            skipped += 1
                        }
                    }
                    outcomes.withLock { $0[index] = (made, skipped, nil) }
                } catch {
                    outcomes.withLock { $0[index] = (made, skipped, "\(error)") }
                }
            }
        }
        if let failure = outcomes.current.compactMap(\.failure).first {
            throw BenchFailure("converge: an offline edit failed: \(failure)")
        }
        let phase1Ops = outcomes.current.map(\.made).reduce(0, +)
        var payload = (protobuf: 0, deflated: 0)
        for station in stations {
            let outbox = try station.outbox(after: 0, limit: Int.max)
            let sizes = Self.payloadSizes(outbox)
            payload.protobuf += sizes.protobuf
            payload.deflated += sizes.deflated
        }

        // Measured: every station syncs at once, then a final round.
        let loBefore = LoopbackCounters.read()
        let relayBefore = context.relay?.counts
        let cpu = CPUMeter(context.server)
        let start = monotonicNanos()
        let (first, firstFailures) = try await context.syncAll(stations)
        let afterFirst = monotonicNanos()
        let relayAfterFirst = context.relay?.counts
        let (second, secondFailures) = try await context.syncAll(stations)
        let end = monotonicNanos()
        let cpuSeconds = cpu.reading
        let lo = LoopbackCounters.read() - loBefore
        let relay = context.relay.map { $0.counts - relayBefore! }
        let relayFirst = context.relay.map { _ in relayAfterFirst! - relayBefore! }
        let seconds = Double(end - start) / 1e9

        // Check: every station's digest equals the server's.
        // The server's SLA engine writes sla.* fields in answer to what the stations pushed, so
        // its digest moves on for a while after the rounds: re-read it each extra round (bounded).
        var server = try context.server.status()
        var digests = try Self.digests(stations)
        var extraRounds = 0
        while digests.contains(where: { $0 != server.digest }), extraRounds < 20 {
            extraRounds += 1
            try await Task.sleep(for: .milliseconds(500))
            _ = try await context.syncAll(stations)
            digests = try Self.digests(stations)
            server = try context.server.status()
        }
        let converged = digests.allSatisfy { $0 == server.digest }
        let outboxAfter = try stations.map { try $0.status().outbox }.reduce(0, +)

        var result: [String: Any] = [
            "stations": replicaCount,
            "phase0_ops": phase0Ops,
            "phase0_build_seconds": Measure.rounded(phase0Seconds, 3),
            "baseline_sync_seconds": Measure.rounded(barrierSeconds, 3),
            "baseline_tickets_per_station": baselineTickets,
            "phase1_ops": phase1Ops,
            "phase1_steps_skipped": outcomes.current.map(\.skipped).reduce(0, +),
            "phase1_build_seconds": Measure.rounded(phase1Seconds, 3),
            "phase1_build_ops_per_second": Int(Double(phase1Ops) / phase1Seconds),
            "seconds": Measure.rounded(seconds),
            "cpu_seconds": cpuSeconds,
            "first_round_seconds": Measure.rounded(Double(afterFirst - start) / 1e9),
            "final_round_seconds": Measure.rounded(Double(end - afterFirst) / 1e9),
            "first_round_station_seconds": first.map { Measure.rounded($0.seconds, 3) },
            // From the outboxes: a retried session's acknowledgements come in its Welcome, which
            // a SyncReport does not count as pushed.
            "acknowledged": phase1Ops - outboxAfter,
            "outbox_after": outboxAfter,
            "rejected": first.map(\.report.rejected).reduce(0, +) + second.map(\.report.rejected).reduce(0, +),
            "received_first_round": first.map(\.report.received).reduce(0, +),
            "received_final_round": second.map(\.report.received).reduce(0, +),
            "protobuf_bytes": payload.protobuf,
            "protobuf_bytes_per_op": Measure.rounded(Double(payload.protobuf) / Double(max(1, phase1Ops)), 2),
            "protobuf_zlib6_per_batch_bytes": payload.deflated,
            "protobuf_zlib6_bytes_per_op": Measure.rounded(Double(payload.deflated) / Double(max(1, phase1Ops)), 2),
            "lo_rx_bytes": lo.bytes,
            "lo_rx_packets": lo.packets,
            "server_operations": server.operations,
            "server_digest": server.digest,
            "extra_rounds_needed": extraRounds,
            "sync_failures_retried": firstFailures + secondFailures,
            "converged": converged,
        ]
        if let relay, let relayFirst {
            result["wire_bytes_up"] = relay.up
            result["wire_bytes_down"] = relay.down
            result["wire_bytes_up_per_op"] = Measure.rounded(Double(relay.up) / Double(max(1, phase1Ops)), 2)
            result["wire_bytes_first_round"] = ["up": relayFirst.up, "down": relayFirst.down]
            result["connections"] = relay.connections
        }
        result["bytes_note"] = Self.bytesNote(relay: context.relay != nil)
        if !converged { throw BenchFailure("converge: the stations did not converge: \(result)") }
        return result
    }

    // MARK: - Download

    /// A fresh station downloads everything the server holds (at least `downloadOps`).
    func downloadPart(_ context: SyncContext, _ trace: Trace) async throws -> [String: Any] {
        var server = try context.server.status()
        var result: [String: Any] = [:]
        if server.operations < downloadOps {
            let filler = try context.makeStation("filler")
            let missing = downloadOps - server.operations
            let (built, seconds) = try Measure.time {
                try Self.makeEdits(on: filler, from: trace, tickets: max(1, missing / 10), operations: missing)
            }
            _ = try await context.sync(filler)
            result["filler_ops"] = built.made
            result["filler_build_seconds"] = Measure.rounded(seconds, 3)
            server = try context.server.status()
        }
        // Whatever the SLA engine writes in answer to the filler goes in before the timing starts.
        try await context.server.waitForSLA()
        server = try context.server.status()
        let station = try context.makeStation("download")
        let loBefore = LoopbackCounters.read()
        let relayBefore = context.relay?.counts
        let cpu = CPUMeter(context.server)
        let start = monotonicNanos()
        let report = try await context.sync(station)
        let seconds = Double(monotonicNanos() - start) / 1e9
        let cpuSeconds = cpu.reading
        let lo = LoopbackCounters.read() - loBefore
        let relay = context.relay.map { $0.counts - relayBefore! }
        let status = try station.status()
        result.merge([
            "server_operations": server.operations,
            "received": report.received,
            "snapshot": report.snapshot,
            "seconds": Measure.rounded(seconds),
            "ops_per_second": Int(Double(report.received) / seconds),
            "cpu_seconds": cpuSeconds,
            "station_operations": status.operations,
            "station_tickets": status.tickets,
            "lo_rx_bytes": lo.bytes,
            "lo_rx_packets": lo.packets,
            "digest_equal": try station.digest().description == server.digest,
        ]) { $1 }
        if let relay {
            result["wire_bytes_up"] = relay.up
            result["wire_bytes_down"] = relay.down
            result["wire_bytes_down_per_op"] = Measure.rounded(Double(relay.down) / Double(max(1, report.received)), 2)
        }
        return result
    }

    // MARK: - Live

    /// `stations` stations live at once on a fresh server; one pusher; latency to the receivers.
    func livePart(folder: String) async throws -> [String: Any] {
        guard stations >= receivers + 1, receivers >= 1, rate >= 1, pushIntervalMs >= 1, liveSeconds >= 1 else {
            throw ValidationError("live needs --stations > --receivers >= 1 and positive --rate, --push-interval-ms, --live-seconds")
        }
        let server = BenchServer(binary: serverBinary, dataDirectory: folder + "/live-server", logLevel: serverLogLevel)
        try server.start()
        defer { server.stop() }
        let context = SyncContext(server: server, relay: nil, url: server.url, folder: folder + "/live", syncTimeout: syncTimeout)
        try FileManager.default.createDirectory(atPath: folder + "/live/stations", withIntermediateDirectories: true)
        let rssStart = server.rssKiB() ?? -1

        // Credentials and stores: the pusher and receivers see site LIVE1; the others a site no
        // ticket has, so they hold an idle session (the server still wakes them on every append).
        let idleCount = stations - 1 - receivers
        let names = ["pusher"] + (0..<receivers).map { "receiver-\($0)" } + (0..<idleCount).map { "idle-\($0)" }
        let tokens = Locked([String?](repeating: nil, count: names.count))
        let failures = Locked([String]())
        let receiverCount = receivers
        let (_, credentialSeconds) = Measure.time {
            DispatchQueue.concurrentPerform(iterations: names.count) { index in
                let scope = index <= receiverCount ? "site:LIVE1" : "site:IDLE"
                do {
                    let token = try server.addStation(names[index], scopes: [scope])
                    tokens.withLock { $0[index] = token }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        if let failure = failures.current.first { throw BenchFailure("live: \(failure)") }
        var all: [Station] = []
        for (index, name) in names.enumerated() {
            let station = try Station.create(at: context.folder + "/stations/\(name).sqlite", agent: name)
            try station.configureServer(url: server.url, token: tokens.current[index], caFile: server.caFile)
            all.append(station)
        }
        let pusher = all[0]
        let receiverStations = Array(all[1...receivers])

        // The pusher's tickets, on the server before anyone connects.
        let ticketCount = 100
        var tickets: [TicketID] = []
        for index in 0..<ticketCount {
            tickets.append(try pusher.createTicket([.title: .text("live ticket \(index)"), .site: .text("LIVE1")]))
        }
        _ = try await context.sync(pusher)
        let rssBefore = server.rssKiB() ?? -1
        // The pusher's session has closed; wait (bounded) until the server no longer counts it.
        for _ in 0..<50 where server.establishedConnections() > 0 { try await Task.sleep(for: .milliseconds(100)) }
        let connectionsBefore = server.establishedConnections()

        // Everyone but the pusher goes live.
        // Arrivals at the receivers: (sequence number, when it was applied there).
        let arrivalTimes = Locked([(receiver: Int, seq: UInt64, at: UInt64)]())
        let arrivals = Locked([Int](repeating: 0, count: receivers))
        let disconnects = Locked(0)
        let connects = Locked(0)
        let retries = Locked(0)
        let lastDisconnect = Locked("")
        let unexpected = Locked(0)
        let pusherReplica = pusher.replica
        let firstPushedSeq = try pusher.status().lastSequence  // the creates before this are not timed
        var liveTasks: [Task<Void, Never>] = []
        let connectStart = monotonicNanos()
        for (index, station) in all.enumerated().dropFirst() {
            let receiverIndex = index <= receiverCount ? index - 1 : nil
            liveTasks.append(
                Task {
                    try? await station.syncLive { event in
                        switch event {
                        case .received(let operations):
                            let now = monotonicNanos()
                            guard let receiverIndex else {
                                unexpected.withLock { $0 += operations.count }
                                return
                            }
                            let seqs = operations.filter { $0.id.replica == pusherReplica && $0.id.seq > firstPushedSeq }
                                .map { (receiver: receiverIndex, seq: $0.id.seq, at: now) }
                            arrivals.withLock { $0[receiverIndex] += seqs.count }
                            arrivalTimes.withLock { $0.append(contentsOf: seqs) }
                        case .disconnected(let reason):
                            disconnects.withLock { $0 += 1 }
                            lastDisconnect.withLock { $0 = reason }
                        case .connecting:
                            connects.withLock { $0 += 1 }
                        case .connected:
                            break
                        case .retrying:
                            retries.withLock { $0 += 1 }
                        }
                    }
                }
            )
        }
        defer { for task in liveTasks { task.cancel() } }
        let wanted = connectionsBefore + all.count - 1  // everyone but the pusher
        var connected = server.establishedConnections()
        for _ in 0..<1200 where connected < wanted {
            try await Task.sleep(for: .milliseconds(100))
            connected = server.establishedConnections()
        }
        let connectSeconds = Double(monotonicNanos() - connectStart) / 1e9
        // Receivers caught up (they hold the pusher's tickets), then let the server settle.
        for _ in 0..<600 {
            if try receiverStations.allSatisfy({ try $0.status().tickets == ticketCount }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(3))
        let rssConnected = server.rssKiB() ?? -1
        let liveConnections = server.establishedConnections() - connectionsBefore

        // The pusher: every interval, its share of edits; its live session pushes each commit
        // (--pusher-mode once: one syncOnce per tick instead, the way this ran before syncLive pushed).
        let perTick = max(1, rate * pushIntervalMs / 1000)
        let ticks = max(1, liveSeconds * 1000 / pushIntervalMs)
        let statuses: [TicketStatus] = [.pending, .onHold, .open]
        var visits = [Int](repeating: 0, count: ticketCount)
        var pushed = 0
        var syncSeconds: [Double] = []
        // Per pushed operation: when it was made, when its syncOnce started, and when that
        // session had sent its pushes (the first progress report, right after the Welcome).
        var pushTimes: [UInt64: (made: UInt64, syncStart: UInt64, pushSent: UInt64)] = [:]
        guard ["live", "once"].contains(pusherMode) else {
            throw ValidationError("--pusher-mode must be live or once, not '\(pusherMode)'")
        }
        var pusherTask: Task<Void, Never>?
        let pusherDisconnects = Locked([String]())
        if pusherMode == "live" {
            pusherTask = Task {
                try? await pusher.syncLive { event in
                    if case .disconnected(let reason) = event { pusherDisconnects.withLock { $0.append(reason) } }
                }
            }
        }
        defer { pusherTask?.cancel() }
        let pushStart = monotonicNanos()
        let cpu = CPUMeter(server)
        for tick in 0..<ticks {
            let tickStart = monotonicNanos()
            var made: [(UInt64, UInt64)] = []
            for k in 0..<perTick {
                let ticket = (tick * perTick + k) % ticketCount
                let status = statuses[visits[ticket] % statuses.count]
                visits[ticket] += 1
                for op in try pusher.update(tickets[ticket], [.status: .text(status.rawValue)]) {
                    made.append((op.id.seq, monotonicNanos()))
                }
            }
            if pusherMode == "live" {
                // The live session pushes each commit as it is made; latency counts from the edit.
                for (seq, at) in made { pushTimes[seq] = (at, at, at) }
                pushed += made.count
            } else {
                let syncStart = monotonicNanos()
                let pushSent = Locked<UInt64?>(nil)
                let report = try await context.sync(pusher) { _ in pushSent.withLock { if $0 == nil { $0 = monotonicNanos() } } }
                for (seq, at) in made { pushTimes[seq] = (at, syncStart, pushSent.current ?? syncStart) }
                pushed += report.pushed
                syncSeconds.append(Double(monotonicNanos() - syncStart) / 1e6)
            }
            let next = tickStart + UInt64(pushIntervalMs) * 1_000_000
            let now = monotonicNanos()
            if now < next { try await Task.sleep(for: .nanoseconds(Int(next - now))) }
        }
        if pusherMode == "live" {
            for _ in 0..<300 where try pusher.status().outbox > 0 { try await Task.sleep(for: .milliseconds(100)) }
        }
        let pushSeconds = Double(monotonicNanos() - pushStart) / 1e9
        let cpuSeconds = cpu.reading
        for _ in 0..<100 where arrivals.current.contains(where: { $0 < pushed }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        let rssEnd = server.rssKiB() ?? -1
        pusherTask?.cancel()
        _ = await pusherTask?.value
        for task in liveTasks { task.cancel() }
        for task in liveTasks { _ = try? await withDeadline(10, "a live station stopping") { await task.value } }

        var fromEdit: [Double] = []
        var fromSyncStart: [Double] = []
        var fromPushSent: [Double] = []
        for arrival in arrivalTimes.current {
            guard let time = pushTimes[arrival.seq] else { continue }
            fromEdit.append(Double(Int64(arrival.at) - Int64(time.made)) / 1e6)
            fromSyncStart.append(Double(Int64(arrival.at) - Int64(time.syncStart)) / 1e6)
            fromPushSent.append(Double(Int64(arrival.at) - Int64(time.pushSent)) / 1e6)
        }
        let perConnection = liveConnections > 0 ? Double(rssConnected - rssBefore) / Double(liveConnections) : -1
        return [
            "stations": all.count,
            "receivers": receivers,
            "idle_stations": idleCount,
            "credential_seconds": Measure.rounded(credentialSeconds, 2),
            "connect_seconds": Measure.rounded(connectSeconds, 2),
            "connections_live": liveConnections,
            "server_rss_kib_start": rssStart,
            "server_rss_kib_before_connect": rssBefore,
            "server_rss_kib_connected_idle": rssConnected,
            "server_rss_kib_end": rssEnd,
            "server_rss_kib_per_idle_connection": Measure.rounded(perConnection, 1),
            "rate_asked": rate,
            "push_interval_ms": pushIntervalMs,
            "pusher_mode": pusherMode,
            "pusher_outbox_end": (try? pusher.status().outbox) ?? -1,
            "pusher_disconnects": pusherDisconnects.current.count,
            "pushed": pushed,
            "push_seconds": Measure.rounded(pushSeconds, 3),
            "push_cpu_seconds": cpuSeconds,
            "rate_achieved": Int(Double(pushed) / pushSeconds),
            "pusher_sync_ms": Measure.percentiles(syncSeconds),
            "arrivals_per_receiver": arrivals.current,
            "latency_ms_from_push": Measure.percentiles(fromPushSent),
            "latency_ms_from_sync_start": Measure.percentiles(fromSyncStart),
            "latency_ms_from_edit": Measure.percentiles(fromEdit),
            "disconnects": disconnects.current,
            "connect_attempts": connects.current,
            "retries": retries.current,
            "last_disconnect_reason": String(lastDisconnect.current.prefix(300)),
            "unexpected_deliveries_to_idle": unexpected.current,
        ]
    }

    // MARK: - Peer

    /// Runs the Yjs peer from a copy of its folder's scripts (it writes its certificate and a
    /// baseline file next to itself, and ../shared is not ours to write into).
    func runPeer(_ script: String, tracePath: String, folder: String) throws -> [String: Any] {
        let source = URL(fileURLWithPath: script).deletingLastPathComponent()
        let copy = folder + "/peer"
        try FileManager.default.createDirectory(atPath: copy + "/data", withIntermediateDirectories: true)
        let name = URL(fileURLWithPath: script).lastPathComponent
        for file in Set([name, "peer_pycrdt.py", "limit_tls.py"]) {
            try FileManager.default.copyItem(atPath: source.appendingPathComponent(file).path, toPath: copy + "/" + file)
        }
        let run = try runTool(python, [copy + "/" + name, tracePath, "--repeat", String(peerRepeat)], timeout: peerTimeout)
        guard run.status == 0 else { throw BenchFailure("\(script) exited with \(run.status): \(run.stderr.suffix(2000))") }
        guard let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] else {
            throw BenchFailure("\(script) did not print a JSON object")
        }
        return object
    }

    static func ratios(converge: [String: Any], peer: [String: Any]) -> [String: Any] {
        var ratios: [String: Any] = [:]
        if let ours = converge.number("seconds"), let theirs = peer.number("converge_s.median") {
            ratios["converge_speedup_vs_peer"] = Measure.rounded(theirs / ours, 2)
        }
        // The peer's run whose convergence time is the median, for its byte counts.
        let runs = (peer["runs"] as? [[String: Any]] ?? []).sorted { ($0.number("converge_s") ?? 0) < ($1.number("converge_s") ?? 0) }
        if let median = runs.isEmpty ? nil : runs[runs.count / 2] {
            if let ours = converge.number("wire_bytes_up"), let theirs = median.number("wire_bytes_at_converge.client_to_server") {
                ratios["wire_bytes_up_vs_peer"] = Measure.rounded(ours / theirs, 3)
            }
            if let ours = converge.number("wire_bytes_down"), let theirs = median.number("wire_bytes_at_converge.server_to_clients") {
                ratios["wire_bytes_down_vs_peer"] = Measure.rounded(ours / theirs, 3)
            }
            if let ops = converge.number("phase1_ops"), let theirs = median.number("wire_bytes_at_converge.client_to_server") {
                ratios["peer_wire_bytes_up_per_op"] = Measure.rounded(theirs / ops, 2)
            }
        }
        return ratios
    }

    /// Each figure of issue 4 that this run measured, and whether it is met.
    static func figures(_ result: [String: Any]) -> [String: Any] {
        var figures: [String: Any] = [:]
        if let push = result["push"] as? [String: Any], let seconds = push.number("seconds") {
            figures["push_10k_acknowledged_under_1s"] = ["value_s": seconds, "met": seconds < 1]
        }
        if let download = result["download"] as? [String: Any], let rate = download.number("ops_per_second") {
            figures["download_at_least_100k_ops_per_s"] = ["value": Int(rate), "met": rate >= 100_000]
        }
        if let converge = result["converge"] as? [String: Any], let perOp = converge.number("wire_bytes_up_per_op") {
            figures["trace_push_at_most_30_bytes_per_op"] = ["value": perOp, "met": perOp <= 30]
        }
        if let ratios = result["ratios"] as? [String: Any] {
            if let speedup = ratios.number("converge_speedup_vs_peer") {
                figures["converge_at_least_5x_faster_than_peer"] = ["value": speedup, "met": speedup >= 5]
            }
            if let up = ratios.number("wire_bytes_up_vs_peer"), let down = ratios.number("wire_bytes_down_vs_peer") {
                figures["fewer_bytes_than_peer_each_way"] = ["up_ratio": up, "down_ratio": down, "met": up < 1 && down < 1]
            }
        }
        if let live = result["live"] as? [String: Any], let p99 = live.number("latency_ms_from_push.p99") {
            figures["live_p99_under_50ms"] = [
                "value_ms": p99, "stations": live["stations"] ?? 0, "met": p99 < 50,
            ]
        }
        return figures
    }

    static func bytesNote(relay: Bool) -> String {
        var note = "lo_rx_bytes: /proc/net/dev interface lo, received bytes: all loopback traffic of the machine in the interval "
            + "(both directions, TLS records, WebSocket framing, TCP/IP and Ethernet headers, ACKs, and any other process's loopback traffic)"
        if relay {
            note += "; with the relay each byte crosses lo twice (station-relay and relay-server). wire_bytes_up/down: TCP payload "
                + "counted by the relay per direction (TLS 1.3 records of WebSocket frames after permessage-deflate, handshakes included, "
                + "no TCP/IP headers), comparable to the peer's TCP_INFO counts"
        }
        note += ". protobuf_bytes: the operations as OperationBatch messages in the 1,000-operation batches a station pushes, "
            + "before compression; protobuf_zlib6: each batch alone through zlib level 6 (the session's deflate keeps its context across messages)"
        return note
    }

    // MARK: - Building station contents

    /// Applies one trace step through the Station API, mapping the trace's ticket ids to the
    /// station's (a station makes its own ticket ids). Returns the operations made (0 when the
    /// station's view makes the step a no-op, e.g. a value already set), or nil when the step's
    /// ticket is unknown here.
    static func perform(_ step: TraceStep, on station: Station, ids: inout [TicketID: TicketID]) throws -> Int? {
        if case .create(let fields) = step.action {
            ids[step.ticket] = try station.createTicket(fields)
            return 1
        }
        guard let ticket = ids[step.ticket] else { return nil }
        do {
            switch step.action {
            case .set(let field, let value): return try station.update(ticket, [field: value]).count
            case .tagAdd(let tag): return try station.changeSet(.tags, of: ticket, adding: [tag]).count
            case .tagRemove(let tag): return try station.changeSet(.tags, of: ticket, removing: [tag]).count
            case .comment(let body):
                _ = try station.comment(on: ticket, body: body)
                return 1
            case .create: return 0
            }
        } catch let error where error.code == .invalid {
            return 0  // a tag already there or not there in this station's view
        }
    }

    /// Makes `operations` operations on `tickets` new tickets through the Station API, with the
    /// trace's contents: its first creates, then its offline edits of those tickets in time order.
    static func makeEdits(
        on station: Station, from trace: Trace, tickets: Int, operations: Int
    ) throws -> (made: Int, tickets: Int, calls: Int, skipped: Int) {
        let creates = (trace.replicas.flatMap(\.0) + trace.replicas.flatMap(\.1)).filter {
            if case .create = $0.action { return true } else { return false }
        }
        var ids: [TicketID: TicketID] = [:]
        var made = 0
        var calls = 0
        var skipped = 0
        for step in creates.prefix(min(tickets, operations)) {
            made += try perform(step, on: station, ids: &ids) ?? 0
            calls += 1
        }
        let edits = trace.replicas.flatMap(\.1).filter { step in
            if case .create = step.action { return false }
            return ids[step.ticket] != nil
        }
        .sorted { ($0.ts, $0.replica, $0.seq) < ($1.ts, $1.replica, $1.seq) }
        // Bounded by the trace's edits; a second pass over them if one is not enough.
        for pass in 0..<4 where made < operations {
            for step in edits where made < operations {
                var step = step
                if pass > 0, case .comment(let body) = step.action { step.action = .comment("\(body) (\(pass))") }
                let count = try perform(step, on: station, ids: &ids) ?? 0
                calls += 1
                if count == 0 { skipped += 1 }
                made += count
            }
        }
        return (made, ids.count, calls, skipped)
    }

    /// The outbox as the station pushes it: OperationBatch messages of 1,000 operations, raw and
    /// each through zlib level 6.
    static func payloadSizes(_ operations: [TicketOperation]) -> (protobuf: Int, deflated: Int) {
        var protobuf = 0
        var deflated = 0
        var start = 0
        while start < operations.count {
            let end = min(operations.count, start + 1000)
            let bytes = OperationCodec.encode(sortedByID: Array(operations[start..<end]))
            protobuf += bytes.count
            deflated += Measure.deflatedSize(bytes)
            start = end
        }
        return (protobuf, deflated)
    }

    /// Every station's digest, two at a time.
    static func digests(_ stations: [Station]) throws -> [String] {
        let digests = Locked([String](repeating: "", count: stations.count))
        let failure = Locked<String?>(nil)
        DispatchQueue.concurrentPerform(iterations: stations.count) { index in
            do {
                let digest = try stations[index].digest().description
                digests.withLock { $0[index] = digest }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        if let failure = failure.current { throw BenchFailure("digest: \(failure)") }
        return digests.current
    }
}

/// What the parts share: the server, the relay in front of it, and where stations live.
struct SyncContext: Sendable {
    let server: BenchServer
    let relay: ByteRelay?
    let url: String
    let folder: String
    let syncTimeout: Double

    /// A new station store with its own credential (scope `all`), configured for the server.
    func makeStation(_ name: String, replica: ReplicaID = .random()) throws -> Station {
        let station = try Station.create(at: folder + "/stations/\(name).sqlite", agent: name, replica: replica)
        let token = try server.addStation(name, scopes: ["all"])
        try station.configureServer(url: url, token: token, caFile: server.caFile)
        return station
    }

    /// One syncOnce, bounded in time.
    func sync(_ station: Station, progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        let start = monotonicNanos()
        do {
            return try await withDeadline(syncTimeout, "syncOnce of station \(station.agent.name)") {
                try await station.syncOnce(progress: progress)
            }
        } catch {
            let seconds = Double(monotonicNanos() - start) / 1e9
            throw BenchFailure("syncOnce of station \(station.agent.name) failed after \(Measure.rounded(seconds, 2)) s: \(error)")
        }
    }

    /// syncOnce on every station at once; each one's report and seconds from the common start.
    /// A syncOnce the server or the network ends early is run again (as a station's app would,
    /// and as syncLive does after a backoff), at most `attempts` times per station; every such
    /// failure is returned, so the figures say when it happened.
    func syncAll(
        _ stations: [Station], attempts: Int = 4
    ) async throws -> (results: [(seconds: Double, report: SyncReport)], failures: [String]) {
        let start = monotonicNanos()
        let failures = Locked([String]())
        let results = try await withThrowingTaskGroup(of: (Int, Double, SyncReport).self) { group in
            for (index, station) in stations.enumerated() {
                group.addTask {
                    var report = SyncReport()
                    for attempt in 1...attempts {
                        do {
                            let round = try await sync(station)
                            report.pushed += round.pushed
                            report.rejected += round.rejected
                            report.received += round.received
                            report.snapshot = report.snapshot || round.snapshot
                            break
                        } catch {
                            let at = Measure.rounded(Double(monotonicNanos() - start) / 1e9, 2)
                            failures.withLock { $0.append("at \(at) s, attempt \(attempt): \(error)") }
                            if attempt == attempts { throw error }
                        }
                    }
                    return (index, Double(monotonicNanos() - start) / 1e9, report)
                }
            }
            var results = [(seconds: Double, report: SyncReport)](repeating: (0, SyncReport()), count: stations.count)
            for try await (index, seconds, report) in group { results[index] = (seconds, report) }
            return results
        }
        return (results, failures.current)
    }
}
