internal import TicketModel

/// A ticket's status over counted time: the status in force at an instant is the
/// last-writer-wins winner among the status writes counted at or before it. Independent of the
/// order the operations arrived in.
struct StatusTimeline {
    /// (from, status) steps, strictly increasing instants, the first at creation.
    private(set) var steps: [(at: UInt64, status: TicketStatus)]

    init(_ operations: [CountedOperation], createdMillis: UInt64) {
        var writes: [(at: UInt64, stamp: Stamp, status: TicketStatus)] = []
        for counted in operations {
            let op = counted.operation
            let value: FieldValue?
            switch op.payload {
            case .create(let fields): value = fields[.status]
            case .set(.status, let written, _): value = written
            default: value = nil
            }
            guard let status = value?.text.flatMap(TicketStatus.init(rawValue:)) else { continue }
            writes.append((max(counted.countedMillis, createdMillis), op.stamp, status))
        }
        writes.sort { ($0.at, $0.stamp) < ($1.at, $1.stamp) }
        var steps: [(at: UInt64, status: TicketStatus)] = [(createdMillis, .open)]
        var winner: Stamp?
        for write in writes {
            guard winner == nil || write.stamp > winner! else { continue }
            winner = write.stamp
            if steps[steps.count - 1].at == write.at {
                steps[steps.count - 1].status = write.status
            } else if steps[steps.count - 1].status != write.status {
                steps.append((write.at, write.status))
            }
        }
        // Merge equal neighbours left by same-instant replacements.
        var merged: [(at: UInt64, status: TicketStatus)] = []
        for step in steps where merged.last?.status != step.status { merged.append(step) }
        self.steps = merged
    }

    /// The status in force at `instant`.
    func status(at instant: UInt64) -> TicketStatus {
        var result = steps[0].status
        for step in steps {
            if step.at > instant { break }
            result = step.status
        }
        return result
    }

    /// The first instant in `[from, to]` at which the status is one of `statuses`, if any.
    func first(of statuses: Set<TicketStatus>, from: UInt64, to: UInt64) -> UInt64? {
        if statuses.contains(status(at: from)) { return from }
        return steps.first { $0.at > from && $0.at <= to && statuses.contains($0.status) }?.at
    }

    /// The segments `[start, end)` of `[from, to)` with the status in force during each.
    func segments(from: UInt64, to: UInt64) -> [(start: UInt64, end: UInt64, status: TicketStatus)] {
        guard to > from else { return [] }
        var result: [(start: UInt64, end: UInt64, status: TicketStatus)] = []
        var cursor = from
        var current = status(at: from)
        for step in steps where step.at > from && step.at < to {
            result.append((cursor, step.at, current))
            cursor = step.at
            current = step.status
        }
        result.append((cursor, to, current))
        return result
    }

    /// The instant the ticket last entered one of `statuses` and stayed up to `instant`, if it is in one then.
    func lastEntry(into statuses: Set<TicketStatus>, atOrBefore instant: UInt64) -> UInt64? {
        guard statuses.contains(status(at: instant)) else { return nil }
        var entry = steps[0].at
        var previousInSet = false
        for step in steps where step.at <= instant {
            let inSet = statuses.contains(step.status)
            if inSet && !previousInSet { entry = step.at }
            previousInSet = inSet
        }
        return entry
    }
}
