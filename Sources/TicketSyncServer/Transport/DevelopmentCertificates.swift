internal import Crypto
internal import Foundation
internal import SwiftASN1
public import X509

/// A development certificate authority and a server certificate signed by it, made on the first
/// start of a server that has no real certificate, and reused after. Stations trust the CA file
/// (`--ca`) or pin the server certificate's SHA-256 fingerprint (`--pin`).
public struct DevelopmentCertificates: Sendable {
    /// The CA certificate's PEM file.
    public let caPath: String
    /// The server certificate's PEM file.
    public let certificatePath: String
    /// The server key's PEM file (mode 0600).
    public let keyPath: String

    /// Finds the files in `directory`, making them first if any is missing.
    /// `hosts` become the server certificate's subject alternative names.
    public static func ensure(in directory: String, hosts: [String], nowMillis: UInt64) throws(ServerError) -> DevelopmentCertificates {
        let files = DevelopmentCertificates(
            caPath: directory + "/dev-ca.pem", certificatePath: directory + "/server.pem", keyPath: directory + "/server-key.pem"
        )
        let manager = FileManager.default
        if [files.caPath, files.certificatePath, files.keyPath].allSatisfy({ manager.fileExists(atPath: $0) }) {
            return files
        }
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let now = Date(timeIntervalSince1970: Double(nowMillis) / 1000)
            let caKey = P256.Signing.PrivateKey()
            let caName = try DistinguishedName {
                OrganizationName("TicketSync")
                CommonName("TicketSync development CA")
            }
            let ca = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
                issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                },
                issuerPrivateKey: .init(caKey)
            )
            let serverKey = P256.Signing.PrivateKey()
            let names: [GeneralName] = hosts.map { host in
                if let address = IPAddressBytes(host) { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))) }
                return .dnsName(host)
            }
            let server = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(serverKey.publicKey),
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(825 * 86400),
                issuer: caName,
                subject: try DistinguishedName {
                    OrganizationName("TicketSync")
                    CommonName(hosts.first ?? "localhost")
                },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames(names)
                },
                issuerPrivateKey: .init(caKey)
            )
            try ca.serializeAsPEM().pemString.write(toFile: files.caPath, atomically: true, encoding: .utf8)
            // The chain file holds the CA after the server certificate, so a station that pins the
            // server certificate's fingerprint learns which authority to trust.
            let chain = try server.serializeAsPEM().pemString + "\n" + ca.serializeAsPEM().pemString + "\n"
            try chain.write(toFile: files.certificatePath, atomically: true, encoding: .utf8)
            try serverKey.pemRepresentation.write(toFile: files.keyPath, atomically: true, encoding: .utf8)
            try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: files.keyPath)
        } catch {
            throw ServerError(.tls, "could not make development certificates in \(directory): \(error)")
        }
        return files
    }

    /// The SHA-256 fingerprint of the first certificate in a PEM file (the server's own, before
    /// any chain), as 64 hex digits.
    public static func fingerprint(ofPEMFile path: String) throws(ServerError) -> String {
        do {
            let pem = try String(contentsOfFile: path, encoding: .utf8)
            guard let first = try PEMDocument.parseMultiple(pemString: pem).first else {
                throw ServerError(.tls, "\(path) holds no certificate")
            }
            let certificate = try Certificate(pemDocument: first)
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return SHA256.hash(data: serializer.serializedBytes).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        } catch {
            throw ServerError(.tls, "could not read the certificate \(path): \(error)")
        }
    }
}

/// The bytes of an IPv4 or IPv6 literal.
private func IPAddressBytes(_ text: String) -> [UInt8]? {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
    return nil
}
