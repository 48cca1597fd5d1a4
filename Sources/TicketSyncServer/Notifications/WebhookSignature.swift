internal import Crypto

/// `X-TicketSync-Signature: sha256=HEX`: HMAC-SHA256 of the exact body bytes with the endpoint's
/// secret, in lower-case hex. A receiver recomputes it and compares in constant time.
public enum WebhookSignature {
    /// The header's name.
    public static let header = "X-TicketSync-Signature"

    /// The header's value for `body` signed with `secret`.
    public static func value(body: [UInt8], secret: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        return "sha256=" + code.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
