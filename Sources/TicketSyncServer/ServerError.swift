/// Why a server operation (a command, a store call, start-up) failed. The message says what is
/// wrong and what to do; it never contains a secret.
public struct ServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable text.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A flag, file or argument is wrong.
        public static let invalidArgument = Code("invalid_argument")
        /// The named thing does not exist.
        public static let notFound = Code("not_found")
        /// The thing exists already.
        public static let alreadyExists = Code("already_exists")
        /// The store failed or is unusable.
        public static let storage = Code("storage")
        /// Certificates or keys could not be made or read.
        public static let tls = Code("tls")
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

    public var description: String { message }
}
