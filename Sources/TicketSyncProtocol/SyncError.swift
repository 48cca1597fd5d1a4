/// Why a sync session ended, or why an operation in a push was refused. Codes are stable and
/// documented in `Protocol/README.md`; each maps to a WebSocket close code.
public struct SyncError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code with its WebSocket close code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable text.
        public let rawValue: String
        /// The WebSocket close code a session ends with.
        public let closeCode: UInt16
        private init(_ rawValue: String, _ closeCode: UInt16) {
            self.rawValue = rawValue
            self.closeCode = closeCode
        }
        public var description: String { rawValue }

        /// Bytes that are not a valid message, or a message out of order.
        public static let badMessage = Code("bad_message", 4400)
        /// Missing, wrong or unknown credential.
        public static let unauthorized = Code("unauthorized", 4401)
        /// The credential was revoked.
        public static let revoked = Code("revoked", 4403)
        /// The credential is bound to another replica id.
        public static let replicaMismatch = Code("replica_mismatch", 4409)
        /// A message or batch over a limit.
        public static let tooLarge = Code("too_large", 1009)
        /// A protocol version this server does not speak.
        public static let unsupportedVersion = Code("unsupported_version", 4426)
        /// The station's clock is too far from the server's.
        public static let clockSkew = Code("clock_skew", 4412)
        /// An operation outside the station's scopes (per operation; does not close the session).
        public static let outOfScope = Code("out_of_scope", 4406)
        /// The server is shutting down; reconnect later.
        public static let goingAway = Code("going_away", 1001)
        /// The server failed; reconnect later.
        public static let internalError = Code("internal_error", 1011)

        /// Every code, for lookups by text.
        public static let all: [Code] = [
            .badMessage, .unauthorized, .revoked, .replicaMismatch, .tooLarge, .unsupportedVersion, .clockSkew,
            .outOfScope, .goingAway, .internalError,
        ]

        /// The code with this text, or `badMessage` for an unknown one.
        public init(named name: String) {
            self = Self.all.first { $0.rawValue == name } ?? Code(name, 4400)
        }
    }

    /// The stable code.
    public let code: Code
    /// What is wrong, and the fix.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
