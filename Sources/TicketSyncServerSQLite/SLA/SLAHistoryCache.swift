internal import Synchronization
internal import TicketModel
internal import TicketSyncServer

/// The decoded histories of the tickets the SLA engine planned or fired lately, so that the next
/// plan of a ticket reads and decodes only the log entries past the ones it saw last, not the
/// ticket's whole history again (which made planning quadratic in a ticket's length).
///
/// Sound because the log only grows at its end (one writer, `AUTOINCREMENT` positions, no row
/// ever rewritten) and an entry's counted time is fixed once the engine's cursor has passed it:
/// a cached line holds the ticket's entries up to a position the cursor had reached, and the
/// entries after it are read from the store every time. It is only read and written inside the
/// store's write transactions; a transaction that fails empties it, so a rolled-back entry
/// cannot stay behind in memory.
///
/// Bounded by the number of entries it holds: past `budget`, the lines used longest ago go.
final class SLAHistoryCache: Sendable {
    private struct Line {
        var history: [SLALogEntry]
        var through: Int64
        var used: UInt64
    }

    private struct Lines {
        var byTicket: [TicketID: Line] = [:]
        var entries = 0
        var clock: UInt64 = 0
    }

    /// The most entries held at once.
    let budget: Int
    private let lines = Mutex(Lines())

    /// A cache of at most `budget` entries (each a decoded operation, about 750 bytes of heap).
    init(budget: Int = 100_000) {
        self.budget = max(0, budget)
    }

    /// The ticket's cached entries, oldest first, and the position they reach (nil: none cached).
    func history(of ticket: TicketID) -> (entries: [SLALogEntry], through: Int64)? {
        lines.withLock { lines in
            guard var line = lines.byTicket[ticket] else { return nil }
            lines.clock += 1
            line.used = lines.clock
            let found = (line.history, line.through)
            lines.byTicket[ticket] = line
            return found
        }
    }

    /// Keeps `history` (every entry of the ticket up to `through`, oldest first).
    func keep(_ history: [SLALogEntry], of ticket: TicketID, through: Int64) {
        guard history.count <= budget else { return }
        lines.withLock { lines in
            lines.clock += 1
            let old = lines.byTicket.updateValue(Line(history: history, through: through, used: lines.clock), forKey: ticket)
            lines.entries += history.count - (old?.history.count ?? 0)
            if lines.entries > budget { Self.evict(&lines, downTo: budget - budget / 4) }
        }
    }

    /// Forgets everything (after a failed transaction).
    func clear() {
        lines.withLock { $0 = Lines() }
    }

    /// How many entries are held (for tests and diagnostics).
    var entryCount: Int { lines.withLock { $0.entries } }

    private static func evict(_ lines: inout Lines, downTo target: Int) {
        for (ticket, line) in lines.byTicket.sorted(by: { $0.value.used < $1.value.used }) {
            guard lines.entries > target else { return }
            lines.byTicket[ticket] = nil
            lines.entries -= line.history.count
        }
    }
}
