internal import Foundation
public import NIOSSL

/// The server's TLS settings: Mozilla's "intermediate" profile (TLS 1.2 and 1.3, ECDHE with
/// AES-GCM or ChaCha20-Poly1305, curves X25519, P-256, P-384).
public enum TLSSettings {
    /// The TLS 1.2 cipher suites of the intermediate profile that BoringSSL offers (it has no DHE).
    /// TLS 1.3 suites are fixed by BoringSSL and all allowed by the profile.
    public static let intermediateCipherSuites = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// A server configuration from PEM files.
    public static func server(certificatePath: String, keyPath: String) throws(ServerError) -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
            )
            configuration.minimumTLSVersion = .tlsv12
            configuration.cipherSuites = intermediateCipherSuites
            configuration.curves = [.x25519, .secp256r1, .secp384r1]
            return configuration
        } catch {
            throw ServerError(.tls, "could not load the certificate \(certificatePath) or key \(keyPath): \(error)")
        }
    }
}
