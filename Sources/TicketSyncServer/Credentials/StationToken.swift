internal import Crypto

/// Station secrets: 32 random bytes shown once as 64 hex digits, kept only as a SHA-256 hash.
public enum StationToken {
    /// A new secret.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }

    /// The hash the server stores and looks credentials up by.
    public static func hash(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }
}
