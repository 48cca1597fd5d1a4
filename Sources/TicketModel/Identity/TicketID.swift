/// A ticket's id: a 128-bit UUID chosen by the replica that creates the ticket, so tickets can be
/// created offline without coordination. New tickets get a UUIDv7 (time-ordered).
///
/// The text form is the usual lower-case `8-4-4-4-12` hexadecimal form.
public struct TicketID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first 8 bytes, big-endian.
    public let high: UInt64
    /// The last 8 bytes, big-endian.
    public let low: UInt64

    /// Creates an id from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses the `8-4-4-4-12` form (either case) or 32 hexadecimal digits without dashes.
    public init?(_ text: some StringProtocol) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var count = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "-") { continue }
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte &- UInt8(ascii: "A") &+ 10
            default: return nil
            }
            if count < 16 {
                high = high << 4 | UInt64(nibble)
            } else if count < 32 {
                low = low << 4 | UInt64(nibble)
            } else {
                return nil
            }
            count += 1
        }
        guard count == 32 else { return nil }
        self.init(high: high, low: low)
    }

    /// Creates an id from exactly 16 bytes; nil for any other length. Inlinable, so that a
    /// caller's collection type (a database row's bytes, say) is specialised rather than walked
    /// through protocol witnesses byte by byte.
    @inlinable
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// The 16 bytes, big-endian.
    public var bytes: [UInt8] {
        var result = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            result[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
            result[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * index))
        }
        return result
    }

    /// A UUIDv7: 48 bits of Unix milliseconds, then random bits, with the version and variant set.
    public static func version7(unixMillis: UInt64, using generator: inout some RandomNumberGenerator) -> TicketID {
        let randomHigh = UInt64.random(in: 0...UInt64.max, using: &generator)
        let randomLow = UInt64.random(in: 0...UInt64.max, using: &generator)
        let high = (unixMillis & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | (randomHigh & 0x0FFF)
        let low = (randomLow & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return TicketID(high: high, low: low)
    }

    /// The lower-case `8-4-4-4-12` form.
    public var description: String {
        let hex = Self.hex(high) + Self.hex(low)
        var result = ""
        result.reserveCapacity(36)
        for (index, character) in hex.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { result.append("-") }
            result.append(character)
        }
        return result
    }

    /// The 32 hexadecimal digits without dashes; prefixes of it address tickets in the CLI.
    public var compactHex: String { Self.hex(high) + Self.hex(low) }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public static func < (lhs: TicketID, rhs: TicketID) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }
}
