import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// `ticketsync-bench api`: ticket updates per second through the HTTP API of a real
/// `ticketsyncd` on loopback (TLS, keep-alive connections), each answered once durable.
struct APIBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "PATCH ticket updates through the HTTP API of a real ticketsyncd; report updates/s and latency.",
        discussion: """
            Starts `ticketsyncd serve` on a fresh data directory (embedded SQLite), makes an integration key, \
            creates --tickets tickets, then runs --concurrency clients, each a keep-alive HTTPS connection sending \
            PATCH /api/v1/tickets/ID (a status or assignee change on a random ticket) one after another, until \
            --updates updates are answered. Every answer must be 200 (the update is durable). Reports updates/s \
            over the whole run and the p50/p99 latency of one request, then checks with `ticketsyncd status` \
            that the log holds every operation.
            """
    )

    @Option(help: "The ticketsyncd binary (release build).") var serverBinary = ".build/release/ticketsyncd"
    @Option(help: "Tickets to create first.") var tickets = 1_000
    @Option(help: "Updates to send.") var updates = 20_000
    @Option(help: "Concurrent clients (connections).") var concurrency = 64

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-api-bench-\(UUID().uuidString)").path
        let server = BenchServer(binary: serverBinary, dataDirectory: folder + "/server")
        stopServersOnSignals()
        try server.start()
        defer {
            server.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }
        let key = try server.addIntegrationKey("bench")
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(server.caFile)
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let base = "https://localhost:\(server.port)/api/v1/tickets"

        func send(_ method: HTTPMethod, _ url: String, _ body: [String: Any]) async throws -> (Int, Data) {
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
            let response = try await client.execute(request, timeout: .seconds(60))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), Data(bytes.readableBytesView))
        }

        do {
            var ids: [String] = []
            let ticketCount = tickets
            try await withThrowingTaskGroup(of: [String].self) { group in
                let per = (ticketCount + concurrency - 1) / concurrency
                for worker in 0..<concurrency {
                    group.addTask {
                        var made: [String] = []
                        for index in stride(from: worker * per, to: min(ticketCount, (worker + 1) * per), by: 1) {
                            let (status, data) = try await send(.POST, base, ["title": "Parcel \(index)", "site": "S\(index % 10)", "category": "carrier"])
                            guard status == 201, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any], let id = object["id"] as? String
                            else { throw BenchFailure("create answered \(status): \(String(decoding: data, as: UTF8.self).prefix(300))") }
                            made.append(id)
                        }
                        return made
                    }
                }
                for try await made in group { ids += made }
            }
            let chosen = ids
            let statuses = ["open", "pending", "on_hold", "open"]
            let total = updates
            let next = Locked(0)
            let started = monotonicNanos()
            let latencies = try await withThrowingTaskGroup(of: [UInt64].self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        var mine: [UInt64] = []
                        var random = SystemRandomNumberGenerator()
                        while true {
                            let index = next.withLock { value -> Int in defer { value += 1 }; return value }
                            if index >= total { break }
                            let id = chosen.randomElement(using: &random)!
                            let body: [String: Any] = index % 2 == 0 ? ["status": statuses[index / 2 % 4]] : ["assignee": "agent-\(index % 17)"]
                            let sent = monotonicNanos()
                            let (status, data) = try await send(.PATCH, base + "/" + id, body)
                            guard status == 200 else { throw BenchFailure("update answered \(status): \(String(decoding: data, as: UTF8.self).prefix(300))") }
                            mine.append(monotonicNanos() - sent)
                        }
                        return mine
                    }
                }
                var all: [UInt64] = []
                for try await mine in group { all += mine }
                return all.sorted()
            }
            let seconds = Double(monotonicNanos() - started) / 1e9
            try await client.shutdown()
            let stored = try server.status().operations
            func rank(_ q: Double) -> Double { Double(latencies[min(latencies.count - 1, Int((q * Double(latencies.count)).rounded(.up)) - 1)]) / 1e6 }
            let report: [String: Any] = [
                "tickets": tickets, "updates": latencies.count, "concurrency": concurrency, "seconds": (seconds * 1000).rounded() / 1000,
                "updates_per_second": Int(Double(latencies.count) / seconds), "p50_ms": (rank(0.5) * 100).rounded() / 100,
                "p99_ms": (rank(0.99) * 100).rounded() / 100, "log_operations": stored,
                "log_holds_every_operation": stored >= tickets + latencies.count,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
