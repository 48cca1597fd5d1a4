import ArgumentParser
import Foundation
import Hummingbird
import Logging
import TicketSLA
import TicketSyncProtocol
import ServiceLifecycle
import TicketSyncServer
import TicketSyncServerPostgres

/// `ticketsyncd serve`: run the server until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server (embedded SQLite in the data directory, or PostgreSQL with --database; a development certificate unless --certificate is given).",
        discussion: """
            With --database the schema is migrated to this build's version on start (under a lock, so nodes \
            starting together are safe); a database written by a newer ticketsyncd is refused. Several nodes \
            may serve one database: each wakes its live sessions on PostgreSQL notifications and polls the log \
            every --poll-ms as well.
            """
    )

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: ArgumentHelp("A YAML file with any of the settings below (flags win over it).", valueName: "FILE"), completion: .file())
    var config: String?

    @Option(help: ArgumentHelp("Address and port to listen on (default 127.0.0.1:\(ServerConfiguration.defaultPort)).", valueName: "HOST:PORT"))
    var listen: String?

    @Option(help: ArgumentHelp("A real certificate chain (PEM).", valueName: "FILE"), completion: .file())
    var certificate: String?

    @Option(help: ArgumentHelp("The real certificate's private key (PEM).", valueName: "FILE"), completion: .file())
    var key: String?

    @Option(help: "Largest sync message after decompression, in bytes (default \(SyncLimits().maxMessageBytes)).")
    var maxMessageBytes: Int?

    @Option(help: "Most operations in one push or delivery (default \(SyncLimits().maxOperationsPerBatch)).")
    var maxBatchOperations: Int?

    @Option(help: "With --database: how often to look at the log for other nodes' appends, in milliseconds (default 1000).")
    var pollMs: Int = 1000

    @Option(help: ArgumentHelp("Log level (default info).", valueName: "trace|debug|info|notice|warning|error|critical"))
    var logLevel: String?

    @Option(help: ArgumentHelp("SLA policies (YAML; 'ticketsyncd policy check FILE'); default: 2h/8h/24h tiers.", valueName: "FILE"), completion: .file())
    var policy: String?

    @Option(help: ArgumentHelp("Which time counts for SLAs: the station's clock within [previous contact, receipt], or the receipt time (default bounded).", valueName: "bounded|receipt"))
    var slaTimeRule: String?

    func run() async throws {
        try await Failure.guarding {
            let file = try config.map { path throws(ServerError) in try ConfigFile.load(path: path) } ?? ConfigFile()
            var data = self.data
            if !data.explicitlySet, let directory = file.dataDirectory { data.dataDirectory = directory }
            if data.database == nil { data.database = file.database }
            guard (10...60_000).contains(pollMs) else {
                throw ServerError(.invalidArgument, "--poll-ms \(pollMs) is outside 10-60000")
            }
            let listen = self.listen ?? file.listen ?? "127.0.0.1:\(ServerConfiguration.defaultPort)"
            let certificate = self.certificate ?? file.certificate
            let key = self.key ?? file.key
            let maxMessageBytes = self.maxMessageBytes ?? file.maxMessageBytes ?? SyncLimits().maxMessageBytes
            let maxBatchOperations = self.maxBatchOperations ?? file.maxBatchOperations ?? SyncLimits().maxOperationsPerBatch
            let logLevel = self.logLevel ?? file.logLevel ?? "info"
            let (host, port) = try Self.parse(listen: listen)
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw ServerError(.invalidArgument, "log level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            guard maxMessageBytes >= 1024, maxBatchOperations >= 1 else {
                throw ServerError(.invalidArgument, "--max-message-bytes must be at least 1024 and --max-batch-operations at least 1")
            }
            var limits = SyncLimits()
            limits.maxMessageBytes = maxMessageBytes
            limits.maxOperationsPerBatch = maxBatchOperations
            limits.deliverBatchOperations = min(limits.deliverBatchOperations, maxBatchOperations)
            let logger = {
                var logger = Logger(label: "ticketsyncd")
                logger.logLevel = level
                return logger
            }()
            var configuration = ServerConfiguration(
                dataDirectory: data.dataDirectory, host: host, port: port, certificatePath: certificate, keyPath: key,
                limits: limits
            )
            configuration.sla = try SLAOptions.settings(policy: policy ?? file.policy, timeRule: slaTimeRule ?? file.slaTimeRule, file: file)
            let dataDirectory = data.dataDirectory
            let settings = configuration
            let sla = configuration.sla
            let slaLine = "sla: \(sla.policies.policies.count) policies (version \(sla.policies.version)\(policy ?? file.policy == nil ? ", the default" : "")), "
                + "counted time \(sla.timeRule), \(sla.webhooks.count) webhook endpoints"
            let storeFlag = try data.databaseURL().map { "--database \($0)" } ?? "--data-dir \(dataDirectory)"
            do {
                // The development certificates live here whichever store is used.
                try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            } catch {
                throw ServerError(.storage, "cannot create the data directory \(dataDirectory): \(error.localizedDescription)")
            }
            let poll = Duration.milliseconds(pollMs)
            try await data.withStore(logger: logger) { store, postgres in
                let hub = LogHub()
                let services: [any Service] =
                    postgres.map { [PostgresLogWatcher(store: $0, hub: hub, pollInterval: poll, logger: logger)] } ?? []
                let app = try await TicketSyncServerApp.make(
                    configuration: settings, store: store, logger: logger, hub: hub, services: services,
                    onStart: { startup in
                        var lines = [
                            "ticketsyncd listening on wss://\(startup.address)\(SyncVersion.path)",
                            "certificate sha256 fingerprint: \(startup.fingerprint)",
                        ]
                        if let ca = startup.caPath {
                            lines.append("development CA: \(ca) (stations give --ca FILE, or --pin with the fingerprint above)")
                        }
                        lines.append("create a station credential: ticketsyncd station add NAME --scope all \(storeFlag)")
                        lines.append(slaLine)
                        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
                    }
                )
                try await app.runService()
            }
        }
    }

    /// Splits `HOST:PORT` (IPv6 as `[::1]:PORT`).
    static func parse(listen: String) throws -> (String, Int) {
        var host = listen
        var portText = ""
        if let colon = listen.lastIndex(of: ":") {
            host = String(listen[..<colon])
            portText = String(listen[listen.index(after: colon)...])
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else {
            throw ServerError(.invalidArgument, "--listen '\(listen)' is not HOST:PORT (e.g. 127.0.0.1:7443 or [::1]:7443)")
        }
        return (host, port)
    }
}
