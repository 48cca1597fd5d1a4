/// A hybrid logical clock reading: physical milliseconds since the Unix epoch (48 bits) and a
/// logical counter (16 bits), packed so that comparing the packed values compares the readings.
///
/// Last-writer-wins registers order writes by `(timestamp, replica, seq)`.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed value: `millis << 16 | counter`.
    public let rawValue: UInt64

    /// The largest counter value; the clock moves to the next millisecond past it.
    public static let maxCounter: UInt64 = 0xFFFF

    /// Wraps a packed value.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Packs a physical time and a counter. Milliseconds beyond 48 bits are cut off.
    public init(millis: UInt64, counter: UInt64 = 0) {
        self.rawValue = (millis & 0xFFFF_FFFF_FFFF) << 16 | (counter & Self.maxCounter)
    }

    /// Physical milliseconds since the Unix epoch.
    public var millis: UInt64 { rawValue >> 16 }
    /// The logical counter within `millis`.
    public var counter: UInt64 { rawValue & Self.maxCounter }

    /// The zero reading, earlier than every real one.
    public static let zero = Timestamp(rawValue: 0)

    /// `millis.counter`.
    public var description: String { "\(millis).\(counter)" }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.rawValue < rhs.rawValue }
}
