public import TicketSyncProtocol

/// How a server runs: where, with which certificate, and with which limits.
public struct ServerConfiguration: Sendable {
    /// The data directory (store, development certificates).
    public var dataDirectory: String
    /// The address to listen on.
    public var host: String
    /// The port to listen on (0: any free port, printed at start).
    public var port: Int
    /// A real certificate chain (PEM); nil: the development certificate in the data directory.
    public var certificatePath: String?
    /// The real certificate's key (PEM).
    public var keyPath: String?
    /// Session limits.
    public var limits: SyncLimits
    /// How often revoked credentials are looked for (their sessions close within this time).
    public var revocationCheckSeconds: Double
    /// The SLA authority: policies, counted-time rule, webhooks.
    public var sla = SLASettings()
    /// The largest HTTP API request body accepted (bytes).
    public var apiMaxBodyBytes = 64 * 1024

    /// The default port.
    public static let defaultPort = 7443

    /// The defaults: `./ticketsync-data`, 127.0.0.1:7443, development certificate.
    public init(
        dataDirectory: String = "./ticketsync-data", host: String = "127.0.0.1", port: Int = defaultPort,
        certificatePath: String? = nil, keyPath: String? = nil, limits: SyncLimits = SyncLimits(),
        revocationCheckSeconds: Double = 1
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.limits = limits
        self.revocationCheckSeconds = revocationCheckSeconds
    }
}
