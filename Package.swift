// swift-tools-version:6.1
// TicketSync: offline-first fulfillment tickets with server-authoritative SLAs.
//
// Layers (each only depends on the ones before it):
//   TicketModel             the ticket CRDT, hybrid logical clock, operations, canonical encoding
//   TicketSLA               SLA policies, business calendars and clocks derived from a ticket's operations (pure)
//   TicketReports           KPIs from per-ticket facts derived from the log and SLA clocks (pure)
//   TicketSyncProtocol      sync messages, limits, error codes and the sans-I/O session machines
//   TicketSyncServer        the server: WebSocket/TLS transport, sessions, credentials; storage behind ServerStore
//   TicketSyncServerSQLite  the embedded SQLite ServerStore
//   TicketSyncServerPostgres  the PostgreSQL ServerStore (several nodes), its log watcher
//   TicketSyncClient        the station: local SQLite store, sync client, the library applications embed
//   ticketsyncd, ticketsync, ticketsync-bench   thin executables
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "TicketSync",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "TicketSyncClient", targets: ["TicketSyncClient"]),
        .executable(name: "ticketsync", targets: ["ticketsync"]),
        .executable(name: "ticketsyncd", targets: ["ticketsyncd"]),
        .executable(name: "ticketsync-bench", targets: ["ticketsync-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "TicketModel",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TicketSyncProtocol",
            dependencies: [
                "TicketModel",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TicketSLA",
            dependencies: [
                "TicketModel",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TicketReports",
            dependencies: ["TicketModel", "TicketSLA"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TicketSyncServer",
            dependencies: [
                "TicketModel",
                "TicketSLA",
                "TicketReports",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "TicketSyncProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TicketSyncServerSQLite",
            dependencies: [
                "TicketModel",
                "TicketSLA",
                "TicketSyncServer",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TicketSyncServerPostgres",
            dependencies: [
                "TicketModel",
                "TicketSLA",
                "TicketReports",
                "TicketSyncServer",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TicketSyncClient",
            dependencies: [
                "TicketModel",
                "TicketSLA",
                "TicketReports",
                "TicketSyncProtocol",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "WSCompression", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ticketsyncd",
            dependencies: [
                "TicketModel",
                "TicketSLA",
                "TicketReports",
                "TicketSyncProtocol",
                "TicketSyncServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                "TicketSyncServerSQLite",
                "TicketSyncServerPostgres",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ticketsync",
            dependencies: [
                "TicketModel",
                "TicketSLA",
                "TicketReports",
                "TicketSyncClient",
                "TicketSyncProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .executableTarget(
            name: "ticketsync-bench",
            dependencies: [
                "TicketModel",
                "CZlib",
                "TicketSyncClient",
                "TicketSLA",
                "TicketSyncServer",
                "TicketSyncServerSQLite",
                "TicketSyncServerPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TicketTestSupport",
            dependencies: ["TicketModel"],
            path: "Tests/TicketTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TicketModelTests",
            dependencies: ["TicketModel", "TicketTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TicketReportsTests",
            dependencies: ["TicketReports", "TicketSLA", "TicketModel", "TicketTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TicketSLATests",
            dependencies: ["TicketSLA", "TicketModel", "TicketTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TicketSyncClientTests",
            dependencies: [
                "TicketSyncClient", "TicketModel", "TicketSLA", "TicketTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TicketSyncProtocolTests",
            dependencies: [
                "TicketSyncProtocol", "TicketModel", "TicketTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TicketSyncServerSQLiteTests",
            dependencies: [
                "TicketSyncServerSQLite", "TicketSyncServerPostgres", "TicketSyncServer", "TicketModel", "TicketSLA", "TicketTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TicketSyncIntegrationTests",
            dependencies: [
                "ticketsyncd", "TicketSyncClient", "TicketSyncProtocol", "TicketModel", "TicketTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "WSCompression", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TicketSyncCLITests",
            dependencies: ["ticketsync", "TicketModel"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
