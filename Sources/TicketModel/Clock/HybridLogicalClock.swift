/// A hybrid logical clock (Kulkarni et al., 2014) with a bound on how far ahead of the local
/// physical clock a received reading may be.
///
/// The clock itself reads no time: every call is given the physical time, so tests and the
/// server can inject one. A replica whose physical clock runs far ahead would otherwise win every
/// later last-writer-wins write it touches; ``receive(_:physicalMillis:)`` refuses such readings.
public struct HybridLogicalClock: Sendable, Hashable {
    /// The latest reading issued or received.
    public private(set) var latest: Timestamp
    /// How far, in milliseconds, a received reading may be ahead of the physical clock.
    public var maxDriftMillis: UInt64

    /// The default drift bound: five minutes.
    public static let defaultMaxDriftMillis: UInt64 = 5 * 60 * 1000

    /// Creates a clock that has issued nothing yet (or resumes from `latest`).
    public init(latest: Timestamp = .zero, maxDriftMillis: UInt64 = defaultMaxDriftMillis) {
        self.latest = latest
        self.maxDriftMillis = maxDriftMillis
    }

    /// Issues a reading for a local event, strictly later than every reading seen so far.
    public mutating func tick(physicalMillis: UInt64) -> Timestamp {
        let physical = Timestamp(millis: physicalMillis)
        if physical > latest {
            latest = physical
        } else {
            latest = Timestamp(rawValue: latest.rawValue &+ 1)
        }
        return latest
    }

    /// Checks a remote reading against the drift bound without changing the clock.
    public func check(_ remote: Timestamp, physicalMillis: UInt64) throws(TicketModelError) {
        let (limit, overflow) = physicalMillis.addingReportingOverflow(maxDriftMillis)
        if !overflow, remote.millis > limit {
            throw TicketModelError(
                .clockDrift,
                "timestamp \(remote.millis) ms is \(remote.millis - physicalMillis) ms ahead of this replica's clock; "
                    + "the limit is \(maxDriftMillis) ms: fix the sending station's clock"
            )
        }
    }

    /// Merges a remote reading into the clock so later local readings come after it.
    /// A reading beyond the drift bound is refused and leaves the clock unchanged.
    public mutating func receive(_ remote: Timestamp, physicalMillis: UInt64) throws(TicketModelError) {
        try check(remote, physicalMillis: physicalMillis)
        if remote > latest { latest = remote }
    }
}
