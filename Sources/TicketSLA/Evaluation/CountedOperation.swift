public import TicketModel

/// One operation of a ticket with the time that counts for its SLA.
///
/// The caller decides the counted time: a server by its ``CountedTimeRule`` from the station's
/// clock reading and its own receipt time, a station by its own clock (the operation's HLC
/// physical time). Evaluation only ever reads ``countedMillis``.
public struct CountedOperation: Hashable, Sendable {
    /// The operation.
    public var operation: TicketOperation
    /// The instant (Unix milliseconds) at which it counts for SLA clocks.
    public var countedMillis: UInt64
    /// When the server received it, if known (kept for reports; evaluation does not use it).
    public var receivedMillis: UInt64?

    /// Creates a counted operation.
    public init(_ operation: TicketOperation, countedMillis: UInt64, receivedMillis: UInt64? = nil) {
        self.operation = operation
        self.countedMillis = countedMillis
        self.receivedMillis = receivedMillis
    }

    /// An operation counted at its own clock reading: how a station computes provisional clocks.
    public init(stationClock operation: TicketOperation) {
        self.init(operation, countedMillis: operation.timestamp.millis)
    }
}

/// How a server decides the time that counts for an operation made at a station.
public struct CountedTimeRule: Hashable, Sendable, CustomStringConvertible {
    /// The rule's stable name (`bounded`, `receipt`).
    public let rawValue: String
    private init(_ rawValue: String) { self.rawValue = rawValue }

    /// The default: the station's clock reading, clamped to between the station's previous
    /// contact with the server and the server's receipt time. A station cannot date work before
    /// it last spoke to the server, nor after the server got it.
    public static let bounded = CountedTimeRule("bounded")
    /// The server's receipt time: offline work counts when it arrives.
    public static let receipt = CountedTimeRule("receipt")

    /// Every rule.
    public static let all: [CountedTimeRule] = [.bounded, .receipt]

    /// The rule with this name, or nil.
    public init?(named name: some StringProtocol) {
        guard let rule = Self.all.first(where: { $0.rawValue == name }) else { return nil }
        self = rule
    }

    /// The counted time of an operation stamped `stationMillis` by its station, received at
    /// `receiptMillis`, from a station whose previous contact with the server (the end of its
    /// previous session, or the start of this one if it never had one) was at `previousContactMillis`.
    /// Server-authored operations count at their own time: pass it as all three.
    public func countedMillis(stationMillis: UInt64, previousContactMillis: UInt64?, receiptMillis: UInt64) -> UInt64 {
        switch self {
        case .receipt:
            return receiptMillis
        default:
            let floor = min(previousContactMillis ?? 0, receiptMillis)
            return min(max(stationMillis, floor), receiptMillis)
        }
    }

    public var description: String { rawValue }
}
