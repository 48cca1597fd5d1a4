import ArgumentParser
import Foundation
import GRDB
import TicketModel
import TicketSyncClient

/// `ticketsync-bench store --trace FILE`: the station store against raw SQLite on the same disk.
struct StoreBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Apply a whole trace into an on-disk station store as remote batches, beside raw SQLite inserts.",
        discussion: """
            The raw baseline inserts the same number of rows, each as large as the store's operation \
            row, in batches of the same size, into a one-table database with the same settings \
            (WAL, synchronous=FULL). With --actions it then times local edits through the library, \
            and with --cli it times whole `ticketsync list` and `show` processes on the loaded store.
            """
    )

    @Option(help: "A trace written by ../shared/bench/gen_trace.py.")
    var trace: String

    @Option(help: "Operations per remote batch.")
    var batch: Int = 1000

    @Option(help: "Folder for the store (kept, so the CLI can be timed on it); a temporary one if absent.")
    var home: String?

    @Option(help: "Local edits to time through the library after loading (p50/p99).")
    var actions: Int = 1000

    @Option(help: "Path of the ticketsync binary to time `list` and `show` processes with.")
    var cli: String?

    func run() throws {
        let (loaded, loadSeconds) = try Measure.time { try Trace.load(path: trace) }
        let operations = try loaded.operations()
        let folder = home ?? FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let storePath = folder + "/station.sqlite"
        let rawPath = folder + "/raw.sqlite"
        for path in [storePath, rawPath] {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        defer { if home == nil { try? FileManager.default.removeItem(atPath: folder) } }

        let clock = FixedClock(millis: Trace.epochMillis + 40 * 3_600_000)
        let station = try Station.create(at: storePath, agent: "bench", wallClock: clock)
        var applied = 0
        let cpuBefore = Measure.processCPUSeconds()
        let (_, storeSeconds) = try Measure.time {
            var start = 0
            while start < operations.count {
                let end = min(operations.count, start + batch)
                applied += try station.applyRemote(Array(operations[start..<end])).applied
                start = end
            }
            // The ticket rows the batches left pending are part of applying them.
            try station.flushTicketRows()
        }
        let storeCPU = Measure.processCPUSeconds() - cpuBefore
        let rowBytes = operations.map { OperationCodec.encode(sortedByID: [$0]).count }
        let rawCPUBefore = Measure.processCPUSeconds()
        let rawSeconds = try Self.rawInserts(path: rawPath, sizes: rowBytes, batch: batch)
        let rawCPU = Measure.processCPUSeconds() - rawCPUBefore

        var result: [String: Any] = [
            "trace": trace,
            "ops": operations.count,
            "applied": applied,
            "batch": batch,
            "load_seconds": Measure.rounded(loadSeconds, 3),
            "store_seconds": Measure.rounded(storeSeconds, 3),
            "store_ops_per_second": Int(Double(operations.count) / storeSeconds),
            "store_cpu_seconds": Measure.rounded(storeCPU, 3),
            "raw_sqlite_cpu_seconds": Measure.rounded(rawCPU, 3),
            "raw_sqlite_seconds": Measure.rounded(rawSeconds, 3),
            "raw_sqlite_rows_per_second": Int(Double(operations.count) / rawSeconds),
            "store_vs_raw": Measure.rounded(rawSeconds / storeSeconds, 3),
            "row_bytes_mean": Measure.rounded(Double(rowBytes.reduce(0, +)) / Double(max(1, rowBytes.count)), 1),
            "synchronous": "FULL",
            "journal_mode": "WAL",
        ]
        let status = try station.status()
        result["tickets"] = status.tickets

        if actions > 0 {
            result["local_edit_ms"] = try Self.timeEdits(station: station, count: actions)
        }
        if let cli {
            result["cli_ms"] = try Self.timeCLI(cli, home: folder, station: station)
        }
        result["peak_rss_mib"] = Measure.rounded(Measure.peakRSSMiB(), 1)
        try Measure.printJSON(result)
    }

    /// Inserts rows of the given sizes into a one-table database, `batch` rows per transaction.
    static func rawInserts(path: String, sizes: [Int], batch: Int) throws -> Double {
        var configuration = Configuration()
        configuration.journalMode = .wal
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        // As in the station store: after opening, since GRDB's WAL set-up picks NORMAL.
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        try queue.write { try $0.execute(sql: "CREATE TABLE raw (id INTEGER PRIMARY KEY, body BLOB NOT NULL)") }
        let blobs = sizes.map { Data(repeating: 0x5A, count: $0) }
        let (_, seconds) = try Measure.time {
            var start = 0
            while start < blobs.count {
                let end = min(blobs.count, start + batch)
                try queue.write { db in
                    let statement = try db.cachedStatement(sql: "INSERT INTO raw (body) VALUES (?)")
                    for blob in blobs[start..<end] { try statement.execute(arguments: [blob]) }
                }
                start = end
            }
        }
        return seconds
    }

    /// Times local edits (one field write each) through the library: p50, p99, max in ms.
    static func timeEdits(station: Station, count: Int) throws -> [String: Double] {
        var query = TicketQuery()
        query.limit = 2000
        let tickets = try station.list(query).map(\.id)
        guard !tickets.isEmpty else { return [:] }
        let statuses: [TicketStatus] = [.open, .pending, .onHold]
        var samples: [Double] = []
        for index in 0..<count {
            let ticket = tickets[index % tickets.count]
            let (_, seconds) = try Measure.time {
                try station.update(ticket, [.status: .text(statuses[index % statuses.count].rawValue)])
            }
            samples.append(seconds * 1000)
        }
        return Measure.percentiles(samples)
    }

    /// Times whole `ticketsync` processes on the loaded store: list with filters, and show.
    static func timeCLI(_ cli: String, home: String, station: Station) throws -> [String: [String: Double]] {
        var query = TicketQuery()
        query.statuses = [.open]
        query.limit = 1
        guard let sample = try station.list(query).first else { return [:] }
        let site = sample.site ?? "DFW1"
        let commands: [String: [String]] = [
            "list_open_site_limit50": ["--home", home, "list", "--status", "open", "--site", site, "--limit", "50"],
            "show": ["--home", home, "show", sample.id.description],
        ]
        var result: [String: [String: Double]] = [:]
        for (name, arguments) in commands {
            var samples: [Double] = []
            for _ in 0..<21 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: cli)
                process.arguments = arguments
                process.standardOutput = FileHandle.nullDevice
                let (_, seconds) = try Measure.time {
                    try process.run()
                    process.waitUntilExit()
                }
                guard process.terminationStatus == 0 else {
                    throw ValidationError("\(cli) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
                }
                samples.append(seconds * 1000)
            }
            result[name] = Measure.percentiles(samples)
        }
        return result
    }
}

/// A clock that always reads the same time.
struct FixedClock: WallClock {
    var millis: UInt64
    func nowMillis() -> UInt64 { millis }
}
