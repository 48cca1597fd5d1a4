/// The identity of one replica: a station's store, or a server node.
///
/// A replica id is a random, non-zero 64-bit number chosen once when the replica is created.
/// Together with a per-replica sequence number it makes every ``OperationID`` globally unique.
/// Its text form is 16 lower-case hexadecimal digits.
public struct ReplicaID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The raw 64-bit value.
    public let rawValue: UInt64

    /// Wraps a raw value. Zero is reserved for "no replica" and is refused by validation.
    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Parses the 16-digit hexadecimal text form; returns nil for anything else.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 16, let value = UInt64(hex, radix: 16), value != 0 else { return nil }
        self.rawValue = value
    }

    /// A new random replica id drawn from `generator`.
    public static func random(using generator: inout some RandomNumberGenerator) -> ReplicaID {
        ReplicaID(UInt64.random(in: 1...UInt64.max, using: &generator))
    }

    /// A new random replica id from the system's random source.
    public static func random() -> ReplicaID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// 16 lower-case hexadecimal digits.
    public var description: String {
        let digits = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public static func < (lhs: ReplicaID, rhs: ReplicaID) -> Bool { lhs.rawValue < rhs.rawValue }
}
