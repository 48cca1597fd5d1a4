/// Why the model refused an operation or an input. A refused operation never changes state.
///
/// The ``code`` is stable (scripts and the wire protocol rely on it); the ``message`` names the
/// offending value and, where there is one, the fix. Messages never contain ticket contents.
public struct TicketModelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code. New codes may be added, so switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable text, e.g. `unknown_field`.
        public let rawValue: String
        /// Wraps a code's text.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The field name is not one the model knows.
        public static let unknownField = Code("unknown_field")
        /// The value has the wrong type for the field (text where a number belongs, …).
        public static let wrongValueType = Code("wrong_value_type")
        /// The value has the right type but is not allowed (unknown status, CSAT of 9, …).
        public static let invalidValue = Code("invalid_value")
        /// A station tried to write a field or record only a server may write.
        public static let serverOwnedField = Code("server_owned_field")
        /// The operation refers to a ticket this replica has never seen created.
        public static let ticketNotFound = Code("ticket_not_found")
        /// The operation refers to a comment this replica has never seen.
        public static let commentNotFound = Code("comment_not_found")
        /// A value or the operation as a whole is over a size limit.
        public static let tooLarge = Code("too_large")
        /// The operation's clock reading is too far ahead of the receiver's clock.
        public static let clockDrift = Code("clock_drift")
        /// The operation's id or author is malformed (zero replica, zero sequence, …).
        public static let malformedOperation = Code("malformed_operation")
        /// Bytes that are not a valid encoding.
        public static let decodingFailed = Code("decoding_failed")
    }

    /// The stable code.
    public let code: Code
    /// What is wrong, naming the offending value, and the fix where there is one.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
