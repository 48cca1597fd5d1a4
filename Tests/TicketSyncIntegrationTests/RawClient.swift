import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import TicketSyncProtocol
import WSClient
import WSCompression

/// A bare WebSocket client that sends exactly the bytes a test gives it, for hostile-input tests.
enum RawClient {
    struct Outcome {
        var frames: [ServerFrame] = []
        var undecodable = 0
        var closeCode: WebSocketErrorCode?
        var errors: [SyncError] { frames.compactMap { if case .error(let error) = $0 { error } else { nil } } }
    }

    /// Connects, sends each message (after `afterEach` frames are read, if given), reads until the
    /// server closes, a frame read after the last message satisfies `until`, or `seconds` pass
    /// (a bound that ends a stuck session, long enough for a loaded 2-core machine: the sessions
    /// the tests expect closed return as soon as the server closes them).
    static func session(
        server: ServerProcess, subprotocol: String = SyncVersion.subprotocol, messages: [[UInt8]], readAfterEach: Int = 0,
        seconds: Double = 30, deflate: Bool = true, until: (@Sendable (ServerFrame) -> Bool)? = nil,
        onFrame: (@Sendable (ServerFrame) async -> Void)? = nil
    ) async throws -> Outcome {
        var configuration = WebSocketClientConfiguration(
            maxFrameSize: 64 << 20, additionalHeaders: [.secWebSocketProtocol: subprotocol],
            extensions: deflate ? [.perMessageDeflate(maxDecompressedFrameSize: 64 << 20)] : []
        )
        configuration.sniHostname = "localhost"
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(server.caFile))
        let box = OutcomeBox()
        let clientConfiguration = configuration
        let clientTLS = tls
        let close = try await withThrowingTaskGroup(of: WebSocketCloseFrame?.self) { group in
            group.addTask {
                try await WebSocketClient.connect(
                    url: server.url + SyncVersion.path, configuration: clientConfiguration, tlsConfiguration: clientTLS,
                    logger: Logger(label: "raw", factory: { _ in SwiftLogNoOpLogHandler() })
                ) { inbound, outbound, _ in
                    var iterator = inbound.messages(maxSize: 64 << 20).makeAsyncIterator()
                    for message in messages {
                        var buffer = ByteBufferAllocator().buffer(capacity: message.count)
                        buffer.writeBytes(message)
                        try await outbound.write(.binary(buffer))
                        for _ in 0..<readAfterEach {
                            guard let reply = try await iterator.next() else { return }
                            await box.record(reply, onFrame)
                        }
                    }
                    if let until, await box.outcome.frames.contains(where: until) { return }
                    while let reply = try await iterator.next() {
                        await box.record(reply, onFrame)
                        if let until, await box.outcome.frames.contains(where: until) { return }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        var outcome = await box.outcome
        outcome.closeCode = close?.closeCode
        return outcome
    }

    actor OutcomeBox {
        var outcome = Outcome()
        func record(_ message: WebSocketMessage, _ onFrame: (@Sendable (ServerFrame) async -> Void)?) async {
            guard case .binary(let buffer) = message,
                let frame = try? SyncCodec.decodeServer(Array(buffer.readableBytesView), limits: SyncLimits())
            else {
                outcome.undecodable += 1
                return
            }
            outcome.frames.append(frame)
            await onFrame?(frame)
        }
    }
}
