/// Which time counts for the SLA when a station's operation reaches the server.
///
/// - `bounded` (the default): the station's own clock (the operation's HLC physical time),
///   clamped to between the station's previous contact with the server and the server's receipt
///   time. Work done offline counts when it was done, but a station cannot claim a time before
///   it last spoke to the server (it would have pushed the work then) nor after the server got it.
/// - `receipt`: the server's receipt time, whatever the station's clock says.
public struct SLATimeRule: Hashable, Sendable, CustomStringConvertible {
    /// The rule's stable name, as in `--sla-time-rule`.
    public let rawValue: String
    private init(_ rawValue: String) { self.rawValue = rawValue }

    /// The station's clock, clamped to [previous contact, receipt].
    public static let bounded = SLATimeRule("bounded")
    /// The server's receipt time.
    public static let receipt = SLATimeRule("receipt")

    /// Parses `bounded` or `receipt`.
    public init(parsing text: String) throws(ServerError) {
        switch text {
        case "bounded": self = .bounded
        case "receipt": self = .receipt
        default:
            throw ServerError(.invalidArgument, "SLA time rule '\(text.prefix(40))' is not 'bounded' or 'receipt'")
        }
    }

    /// The counted time of an operation stamped `stationMillis`, received at `receivedMillis`
    /// from a station whose previous contact was at `previousContactMillis`.
    public func counted(stationMillis: UInt64, previousContactMillis: UInt64, receivedMillis: UInt64) -> UInt64 {
        switch rawValue {
        case "receipt":
            return receivedMillis
        default:
            let low = min(previousContactMillis, receivedMillis)
            return min(max(stationMillis, low), receivedMillis)
        }
    }

    public var description: String { rawValue }
}
