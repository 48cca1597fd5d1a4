internal import GRDB
internal import TicketModel

/// The ticket states of one write transaction, read through the station's cache, and the rows
/// they are written back to. Tickets are addressed by a slot number (from ``slot(_:)``) so that
/// applying an operation looks its ticket up once.
struct TicketWorkspace {
    struct Slot {
        var state: TicketState
        /// The row as read (nil: none yet).
        var row: TicketRowInfo?
        /// The position of the ticket's latest operation, including this transaction's.
        var head: Int64?
        var changed = false
    }

    let station: Station
    let db: Database
    let epoch: UInt64
    private let rows: TicketRow.Writer
    private var index: [TicketID: Int] = [:]
    private var slots: [Slot] = []
    /// The tickets changed in this transaction, in first-change order.
    private var changed: [Int] = []

    init(station: Station, db: Database) throws {
        self.station = station
        self.db = db
        rows = try TicketRow.Writer(db)
        let dataVersion = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
        let totalChanges = db.totalChangesCount
        epoch = station.ticketCache.withLock { $0.begin(dataVersion: dataVersion, totalChanges: totalChanges) }
    }

    /// The states read or changed in this transaction.
    var states: [TicketID: TicketState] {
        Dictionary(uniqueKeysWithValues: slots.map { ($0.state.id, $0.state) })
    }

    /// The slot of the ticket, reading its state (through the cache) the first time.
    mutating func slot(_ ticket: TicketID) throws -> Int {
        if let slot = index[ticket] { return slot }
        slots.append(try read(ticket))
        index[ticket] = slots.count - 1
        return slots.count - 1
    }

    private func read(_ ticket: TicketID) throws -> Slot {
        if let entry = station.ticketCache.withLock({ $0.take(ticket, epoch: epoch) }) {
            if entry.epoch == epoch { return Slot(state: entry.state, row: entry.row, head: entry.row.lastOp) }
            let matched = try TicketRow.version(ticket, db) == entry.row.version
            station.ticketCache.withLock { $0.record(matched: matched) }
            if matched { return Slot(state: entry.state, row: entry.row, head: entry.row.lastOp) }
        }
        if let (state, row) = try TicketRow.load(ticket, db) { return Slot(state: state, row: row, head: row.lastOp) }
        return Slot(state: TicketState(id: ticket, retainsDetail: false), row: nil, head: nil)
    }

    /// The ticket's current state (a fresh one if the store has none).
    mutating func state(_ ticket: TicketID) throws -> TicketState {
        slots[try slot(ticket)].state
    }

    /// The position of the slot's latest operation, if any: the `prev` of its next one.
    func head(_ slot: Int) -> Int64? {
        slots[slot].head
    }

    /// Replaces the ticket's state (read with ``state(_:)`` first); it is saved by ``save()``.
    mutating func update(_ state: TicketState) {
        let slot = index[state.id]!
        slots[slot].state = state
        markChanged(slot)
    }

    /// Records that the slot's latest operation is now at `position`.
    mutating func linked(_ slot: Int, at position: Int64) {
        slots[slot].head = position
        markChanged(slot)
    }

    /// Applies `op`, just inserted at `position` (after ``head(_:)``), to the state in `slot`.
    mutating func apply(_ op: TicketOperation, at position: Int64, in slot: Int) {
        slots[slot].state.apply(op)
        slots[slot].head = position
        markChanged(slot)
    }

    private mutating func markChanged(_ slot: Int) {
        if !slots[slot].changed {
            slots[slot].changed = true
            changed.append(slot)
        }
    }

    /// Writes every changed ticket's row, each with a new version; ``finish()`` hands them to the
    /// cache once the transaction has committed.
    mutating func save() throws {
        var generator = SystemRandomNumberGenerator()
        let base = Int64.random(in: .min ... .max, using: &generator)
        for (number, slot) in changed.enumerated() {
            guard let head = slots[slot].head else {
                throw StationError(.store, "ticket \(slots[slot].state.id) changed with no operation in the log")
            }
            slots[slot].row = try rows.save(slots[slot].state, row: slots[slot].row, lastOp: head, version: base &+ Int64(number))
        }
    }

    /// After the commit: the cache learns the states read and saved.
    func finish() {
        let totalChanges = db.totalChangesCount
        station.ticketCache.withLock { cache in
            cache.commit(
                slots.indices.lazy.compactMap { index in slots[index].row.map { (slots[index].state, $0) } },
                epoch: epoch, totalChanges: totalChanges
            )
        }
    }
}
