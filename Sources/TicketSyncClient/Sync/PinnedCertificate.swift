internal import Crypto
internal import Foundation
internal import NIOCore
internal import NIOPosix
internal import NIOSSL
internal import Synchronization

/// Certificate pinning: before connecting, a short TLS handshake reads the server's certificate
/// chain and checks the SHA-256 fingerprint of its leaf against the pin (the one
/// `ticketsyncd serve` prints). The certificate authority at the end of that verified chain then
/// becomes the only trust root of the real connection, which checks the host name as usual. An
/// attacker would need a certificate issued by that authority to pass both handshakes.
enum PinnedCertificate {
    /// The trust root for `host:port` whose leaf certificate has fingerprint `pin` (64 hex digits).
    static func trustRoot(host: String, port: Int, serverName: String?, pin: String) async throws -> NIOSSLCertificate {
        let pin = pin.lowercased().filter { $0 != ":" }
        let verified = Mutex<[NIOSSLCertificate]?>(nil)
        let seen = Mutex<String?>(nil)
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName) { chain, promise in
                        let fingerprint = (try? chain.first?.toDERBytes()).map { bytes in
                            SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
                        }
                        seen.withLock { $0 = fingerprint }
                        if fingerprint == pin {
                            verified.withLock { $0 = chain }
                            promise.succeed(.certificateVerified)
                        } else {
                            promise.succeed(.failed)
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: host, port: port).get()
        // Wait (bounded) for the handshake to reach the verification callback.
        for _ in 0..<100 where verified.withLock({ $0 }) == nil && seen.withLock({ $0 }) == nil {
            try await Task.sleep(for: .milliseconds(50))
        }
        try? await channel.close()
        guard let chain = verified.withLock({ $0 }) else {
            let got = seen.withLock { $0 } ?? "no certificate"
            throw StationError(
                .invalid, "the server's certificate does not match the pinned fingerprint (pinned \(pin.prefix(16))…, got \(got.prefix(16))…)"
            )
        }
        guard chain.count > 1, let authority = chain.last else {
            throw StationError(
                .invalid, "the server sends no certificate authority with its certificate, so a pin cannot be checked; use --ca FILE"
            )
        }
        return authority
    }
}
