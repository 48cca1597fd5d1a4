/// Why a calendar, policy or policy set could not be built from the values given.
///
/// The ``code`` is stable (scripts and tests rely on it); the ``message`` names the offending
/// value and says how to fix it. ``PolicyFileError`` wraps these with the file position.
public struct SLAConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code. New codes may be added, so switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable text, e.g. `bad_duration`.
        public let rawValue: String
        /// Wraps a code's text.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Not valid YAML at all.
        public static let syntax = Code("syntax")
        /// A key the format does not know (often a typo).
        public static let unknownKey = Code("unknown_key")
        /// A key the format requires is missing.
        public static let missingKey = Code("missing_key")
        /// A value of the wrong shape (a list where text belongs, …).
        public static let wrongType = Code("wrong_type")
        /// A duration that is not a whole number followed by `d`, `h`, `m` or `s`, or is zero.
        public static let badDuration = Code("bad_duration")
        /// A time zone that is not an IANA identifier this machine's tzdata knows.
        public static let badTimeZone = Code("bad_time_zone")
        /// A working-hours window that is malformed, empty or overlaps another.
        public static let badWindow = Code("bad_window")
        /// A holiday that is not a `YYYY-MM-DD` date.
        public static let badDate = Code("bad_date")
        /// A ticket status, priority or token that the model does not know.
        public static let unknownValue = Code("unknown_value")
        /// A name (policy id, calendar) used twice, or a reference to a name never defined.
        public static let badReference = Code("bad_reference")
        /// Escalation tiers that are not numbered 1, 2, 3, … or whose limits do not increase.
        public static let badTiers = Code("bad_tiers")
        /// A number out of its range (a warning threshold of 1.5, …).
        public static let outOfRange = Code("out_of_range")
        /// The order of policies leaves some unreachable or some tickets without a policy.
        public static let badOrder = Code("bad_order")
        /// Over a size limit of the format (too many policies, holidays, …).
        public static let tooLarge = Code("too_large")
    }

    /// The stable code.
    public let code: Code
    /// What is wrong, naming the offending value, and the fix.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
