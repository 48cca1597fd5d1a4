internal import TicketModel

/// Measuring one clock over a status timeline: business time counted while the status is
/// neither a pause status nor solved/closed, business time paused, and the instants at which
/// the count crosses given thresholds.
struct ClockRun {
    /// Business time counted from the start to the end.
    var elapsed: UInt64 = 0
    /// Business time spent in a pause status.
    var paused: UInt64 = 0
    /// For each threshold, the instant the count reached it, if it did by the end.
    var crossings: [UInt64?]
    /// The status in force at the end.
    var statusAtEnd: TicketStatus

    static let stopStatuses: Set<TicketStatus> = [.solved, .closed]

    /// Measures `[start, end)`.
    init(
        start: UInt64, end: UInt64, thresholds: [UInt64], timeline: StatusTimeline, calendar: BusinessCalendar,
        pauses: Set<TicketStatus>
    ) {
        crossings = Array(repeating: nil, count: thresholds.count)
        statusAtEnd = timeline.status(at: max(start, end))
        for segment in timeline.segments(from: start, to: end) {
            if pauses.contains(segment.status) {
                paused += calendar.elapsed(from: segment.start, to: segment.end)
                continue
            }
            if Self.stopStatuses.contains(segment.status) { continue }
            let business = calendar.elapsed(from: segment.start, to: segment.end)
            for (index, threshold) in thresholds.enumerated() where crossings[index] == nil {
                if elapsed + business >= threshold {
                    crossings[index] = calendar.add(threshold - elapsed, to: segment.start)
                }
            }
            elapsed += business
        }
    }

    /// Whether the count is running at the end (not paused, not solved or closed).
    func isRunning(pauses: Set<TicketStatus>) -> Bool {
        !pauses.contains(statusAtEnd) && !Self.stopStatuses.contains(statusAtEnd)
    }

    /// When `threshold` is or will be reached: the crossing if past, else (running only) the
    /// instant it would be reached from `now` if nothing changes.
    func reach(_ index: Int, threshold: UInt64, now: UInt64, running: Bool, calendar: BusinessCalendar) -> UInt64? {
        if let crossed = crossings[index] { return crossed }
        guard running else { return nil }
        return calendar.add(threshold - elapsed, to: now)
    }
}
