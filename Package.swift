// swift-tools-version:6.1
// TicketSync: offline-first fulfillment tickets with server-authoritative SLAs.
//
// Layers (each only depends on the ones before it):
//   TicketModel          the ticket CRDT, hybrid logical clock, operations, canonical encoding
//   TicketSyncClient     the station: local SQLite store and the library applications embed
//   ticketsync, ticketsync-bench   thin executables
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
        .executable(name: "ticketsync-bench", targets: ["ticketsync-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
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
            name: "TicketSyncClient",
            dependencies: [
                "TicketModel",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ticketsync",
            dependencies: [
                "TicketModel",
                "TicketSyncClient",
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
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
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
            name: "TicketSyncClientTests",
            dependencies: ["TicketSyncClient", "TicketModel", "TicketTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
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
