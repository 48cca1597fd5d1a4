internal import Foundation
internal import HTTPTypes
public import Hummingbird
internal import HummingbirdCore
internal import HummingbirdTLS
internal import HummingbirdWebSocket
internal import HummingbirdWSCompression
public import Logging
internal import NIOCore
internal import NIOSSL
public import ServiceLifecycle
internal import TicketModel
internal import TicketReports
public import TicketSyncProtocol

/// The system clock in milliseconds since the Unix epoch.
@Sendable public func systemMillis() -> UInt64 {
    UInt64(max(0, Date().timeIntervalSince1970 * 1000))
}

/// Builds the server: the HTTPS listener with the `/v1/sync` WebSocket upgrade, health endpoints,
/// and the services beside it, as one Hummingbird application (a `ServiceGroup` with graceful
/// shutdown on SIGTERM and SIGINT).
public enum TicketSyncServerApp {
    /// What a started server tells its operator.
    public struct Startup: Sendable {
        /// The address it listens on.
        public var address: String
        /// The certificate's SHA-256 fingerprint.
        public var fingerprint: String
        /// The CA file stations should trust (development certificates only).
        public var caPath: String?
    }

    /// Makes the application. `onStart` is called with the bound address once it listens.
    /// `hub` wakes live sessions (pass one that a watcher of a shared store also feeds), and
    /// `services` run beside the listener (such a watcher) with the same graceful shutdown.
    public static func make(
        configuration: ServerConfiguration, store: any ServerStore, logger: Logger,
        hub: LogHub = LogHub(), services: [any Service] = [],
        now: @escaping @Sendable () -> UInt64 = systemMillis,
        onStart: @escaping @Sendable (Startup) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        let certificatePath: String
        let keyPath: String
        var caPath: String?
        if let certificate = configuration.certificatePath {
            guard let key = configuration.keyPath else {
                throw ServerError(.invalidArgument, "--certificate needs --key with the certificate's private key")
            }
            certificatePath = certificate
            keyPath = key
        } else {
            let development = try DevelopmentCertificates.ensure(
                in: configuration.dataDirectory, hosts: ["localhost", "127.0.0.1", "::1", configuration.host], nowMillis: now()
            )
            certificatePath = development.certificatePath
            keyPath = development.keyPath
            caPath = development.caPath
        }
        let tls = try TLSSettings.server(certificatePath: certificatePath, keyPath: keyPath)
        let fingerprint = try DevelopmentCertificates.fingerprint(ofPEMFile: certificatePath)

        let registry = SessionRegistry()
        let serverID = try await store.serverReplica().description
        let runner = SyncSessionRunner(
            store: store, hub: hub, registry: registry, limits: configuration.limits, serverID: serverID, now: now,
            logger: logger
        )

        let router = Router()
        router.get("/health/live") { _, _ in "ok\n" }
        router.get("/health/ready") { _, _ -> Response in
            do {
                _ = try await store.counts()
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
            } catch {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "store unavailable\n")))
            }
        }
        router.get(RouterPath(SyncVersion.path)) { _, _ -> Response in
            Response(
                status: .upgradeRequired,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: """
                    \(SyncVersion.path) is a WebSocket endpoint speaking the subprotocol \(SyncVersion.subprotocol) \
                    (binary Protocol Buffers, see Protocol/README.md); the request asked for another protocol or no upgrade.

                    """))
            )
        }

        let reports = ReportSource(store: store as? any SLAStore)
        HTTPAPI(
            store: store,
            writer: IntegrationWriter(store: store, hub: hub, maxDriftMillis: configuration.limits.maxDriftMillis, now: now),
            reports: reports, maxBodyBytes: configuration.apiMaxBodyBytes, now: now
        ).register(on: router)
        DashboardRoutes(
            store: store, reports: reports, session: try DashboardSession(dataDirectory: configuration.dataDirectory), now: now
        ).register(on: router)
        router.get("/metrics") { _, _ -> Response in
            let current = now()
            let facts = try? await reports.facts(KPIQuery.recent(now: current), scopes: [.all])
            let text = ServerMetrics.shared.render(connected: registry.count, facts: facts, now: current)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: text))
            )
        }

        let limits = configuration.limits
        let webSocket = WebSocketServerConfiguration(
            maxFrameSize: limits.maxMessageBytes,
            extensions: [BoundedDeflateBuilder.factory(maxDecompressedBytes: limits.maxMessageBytes)],
            autoPing: .enabled(timePeriod: .seconds(30))
        )
        let server = HTTPServerBuilder.http1WebSocketUpgrade(configuration: .init(ws: webSocket)) { request, _, _ in
            guard request.path == SyncVersion.path || request.path?.hasPrefix(SyncVersion.path + "?") == true else {
                return .dontUpgrade
            }
            let offered = request.headerFields[values: .secWebSocketProtocol]
                .flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            var headers = HTTPFields()
            if !offered.isEmpty {
                guard offered.contains(SyncVersion.subprotocol) else { return .dontUpgrade }
                headers[.secWebSocketProtocol] = SyncVersion.subprotocol
            }
            return .upgrade(headers) { inbound, outbound, _ in
                await runner.run(inbound: inbound, outbound: outbound)
            }
        }

        let trustFile = caPath
        let interval = Duration.milliseconds(Int(configuration.revocationCheckSeconds * 1000))
        return Application(
            router: router,
            server: try .tls(server, tlsConfiguration: tls),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ticketsyncd"),
            services: [RevocationWatcher(store: store, registry: registry, interval: interval) as any Service]
                + SLAServices.make(configuration.sla, store: store, hub: hub, registry: registry, now: now, logger: logger)
                + services,
            onServerRunning: { channel in
                // TLS checks host names, not addresses: a loopback listener is reached as localhost.
                let host = ["127.0.0.1", "::1", "localhost"].contains(configuration.host) ? "localhost" : configuration.host
                let address = channel.localAddress.map { "\(host):\($0.port ?? configuration.port)" }
                await onStart(Startup(address: address ?? "\(configuration.host):\(configuration.port)", fingerprint: fingerprint, caPath: trustFile))
            },
            logger: logger
        )
    }
}
