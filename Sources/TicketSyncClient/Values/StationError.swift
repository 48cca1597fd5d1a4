public import TicketModel

/// Why a station refused a request. The ``code`` is stable; the ``message`` says what is wrong
/// and what to do. Messages never contain secrets or ticket contents beyond the offending value.
public struct StationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable text.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No ticket (or comment) matches.
        public static let notFound = Code("not_found")
        /// A ticket id prefix matches more than one ticket.
        public static let ambiguous = Code("ambiguous")
        /// The model refused the change (bad value, unknown field, too large, …).
        public static let invalid = Code("invalid")
        /// The change would write state only the server owns.
        public static let serverOwned = Code("server_owned")
        /// The local store cannot be used (missing, corrupt, written by a newer version, disk full).
        public static let store = Code("store")
        /// The store already exists.
        public static let alreadyInitialized = Code("already_initialized")
    }

    /// The stable code.
    public let code: Code
    /// What is wrong, and the fix.
    public let message: String
    /// The model's error, when the model refused the change.
    public let modelError: TicketModelError?

    /// Creates an error.
    public init(_ code: Code, _ message: String, modelError: TicketModelError? = nil) {
        self.code = code
        self.message = message
        self.modelError = modelError
    }

    /// Wraps a model error, keeping its code visible.
    init(_ error: TicketModelError) {
        switch error.code {
        case .serverOwnedField: self.init(.serverOwned, error.message, modelError: error)
        case .ticketNotFound, .commentNotFound: self.init(.notFound, error.message, modelError: error)
        default: self.init(.invalid, error.message, modelError: error)
        }
    }

    public var description: String { message }
}
