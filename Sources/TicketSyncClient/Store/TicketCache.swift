internal import GRDB
internal import Synchronization
internal import TicketModel

/// The fields-only ticket states one ``Station`` object has lately read or written, so that a
/// remote batch or a user action does not rebuild from the store every ticket it touches.
///
/// The store stays the truth. Every saved ticket row gets a new random `version`; each entry
/// remembers the version it was read or written with. An entry is trusted without looking at the
/// store only while nothing but this object has written the store since the entry was checked:
/// at the start of each write transaction (under the write lock, so nobody else can write until
/// it ends) the connection's `PRAGMA data_version` (which changes when another connection, in this
/// process or another, commits) and its total change count (which changes when this connection
/// writes outside the cached paths, e.g. ``Station/rebuildTickets()``) are compared with what they
/// were after the last cached commit. If either moved, the ``epoch`` advances and every older entry
/// must have its version checked against its row before use, and is reloaded when they differ.
/// Entries are only added after their transaction committed.
///
/// Two tiers bound the memory: up to `capacity` states ready to use (about 2 KB each), and past
/// them, up to `packedBudget` bytes of states in their compact store encoding (a few hundred
/// bytes each, decoded in microseconds when used again, where rebuilding from the store means
/// reading the ticket's snapshot and the operations after it).
struct TicketCache: Sendable {
    struct Entry: Sendable {
        var state: TicketState
        var row: TicketRowInfo
        /// The ``TicketCache/epoch`` in which the entry was last known to match its row.
        var epoch: UInt64
        var lastUse: UInt64
    }

    private struct Packed: Sendable {
        var bytes: [UInt8]
        var row: TicketRowInfo
        var epoch: UInt64
        var lastUse: UInt64
    }

    /// The most states kept ready; past it, the least recently used quarter is packed.
    let capacity: Int
    /// The most bytes of packed states kept; past it, the least recently used quarter is dropped.
    let packedBudget: Int
    private var entries: [TicketID: Entry] = [:]
    /// `lastUse` of every ready entry, apart, so choosing what to pack copies no state.
    private var readyUses: [TicketID: UInt64] = [:]
    private var packed: [TicketID: Packed] = [:]
    private var packedBytes = 0
    private var epoch: UInt64 = 0
    private var dataVersion: Int64?
    private var totalChanges: Int?
    private var uses: UInt64 = 0
    /// Counts, for tests and diagnostics: entries used without a look at the store, entries
    /// whose row version was checked and matched, entries found stale (reloaded), packed entries
    /// unpacked.
    private(set) var trusted = 0, checked = 0, stale = 0, unpacked = 0

    init(capacity: Int, packedBudget: Int) {
        self.capacity = capacity
        self.packedBudget = packedBudget
    }

    /// States kept ready and packed.
    var count: (ready: Int, packed: Int) { (entries.count, packed.count) }

    /// Starts a write transaction: moves to a new epoch if the store may have been written by
    /// anyone else since the last cached commit. Returns the epoch entries must match to be
    /// trusted, and whether it moved.
    mutating func begin(dataVersion: Int64, totalChanges: Int) -> (epoch: UInt64, moved: Bool) {
        guard dataVersion != self.dataVersion || totalChanges != self.totalChanges else { return (epoch, false) }
        epoch &+= 1
        self.dataVersion = dataVersion
        return (epoch, true)
    }

    /// Takes the entry for `ticket` out of the cache (so the transaction owns the only copy of the
    /// state and changes it in place); ``commit(_:epoch:totalChanges:)`` puts it back.
    mutating func take(_ ticket: TicketID, epoch: UInt64) -> Entry? {
        var entry = entries.removeValue(forKey: ticket)
        if entry != nil { readyUses.removeValue(forKey: ticket) }
        if entry == nil, let packedEntry = packed.removeValue(forKey: ticket) {
            packedBytes -= packedEntry.bytes.count
            // Damaged bytes cannot come from our own encoder; treat them as a miss.
            if let state = try? TicketState(storeEncoded: packedEntry.bytes), state.id == ticket {
                entry = Entry(state: state, row: packedEntry.row, epoch: packedEntry.epoch, lastUse: packedEntry.lastUse)
                unpacked += 1
            }
        }
        if entry?.epoch == epoch { trusted += 1 }
        return entry
    }

    /// Records what a committed transaction read and wrote; `totalChanges` is the connection's
    /// count after the commit.
    mutating func commit(_ states: some Sequence<(TicketState, TicketRowInfo)>, epoch: UInt64, totalChanges: Int) {
        guard epoch == self.epoch else {
            // Cannot happen (transactions are serialised), but never trust a mixed state.
            removeAll()
            return
        }
        for (state, row) in states {
            uses &+= 1
            entries[state.id] = Entry(state: state, row: row, epoch: epoch, lastUse: uses)
            readyUses[state.id] = uses
            if let stale = packed.removeValue(forKey: state.id) { packedBytes -= stale.bytes.count }
        }
        self.totalChanges = totalChanges
        if entries.count > capacity { pack() }
    }

    /// Counts the outcome of checking an untrusted entry's version against its row.
    mutating func record(matched: Bool) {
        if matched { checked += 1 } else { stale += 1 }
    }

    /// Drops everything.
    mutating func removeAll() {
        entries.removeAll()
        readyUses.removeAll()
        packed.removeAll()
        packedBytes = 0
        totalChanges = nil
    }

    /// Packs the least recently used quarter of the ready states, then drops the least recently
    /// used quarter of the packed ones while they are over budget.
    private mutating func pack() {
        let keep = capacity * 3 / 4
        let oldest = readyUses.sorted { $0.value < $1.value }.prefix(entries.count - keep)
        for (ticket, _) in oldest {
            readyUses.removeValue(forKey: ticket)
            guard let entry = entries.removeValue(forKey: ticket) else { continue }
            let bytes = entry.state.storeEncoded()
            packed[ticket] = Packed(bytes: bytes, row: entry.row, epoch: entry.epoch, lastUse: entry.lastUse)
            packedBytes += bytes.count
        }
        while packedBytes > packedBudget, !packed.isEmpty {
            let drop = packed.map { ($0.value.lastUse, $0.key) }.sorted { $0.0 < $1.0 }.prefix(max(1, packed.count / 4))
            for (_, ticket) in drop {
                if let entry = packed.removeValue(forKey: ticket) { packedBytes -= entry.bytes.count }
            }
        }
    }
}
