internal import GRDB
internal import Synchronization
internal import TicketModel

/// The ticket states of one write transaction, read through the station's pending rows and its
/// cache, and the rows they are written back to. Tickets are addressed by a slot number (from
/// ``slot(_:)``) so that applying an operation looks its ticket up once.
///
/// The slots live in the station's ``PendingRows``, which the workspace holds until
/// ``finish()``: the pending tickets' slots come first and are worked on in place, the tickets
/// this transaction reads are appended after them. A workspace that defers rows (a remote batch)
/// leaves the tickets it changed there, pending, instead of writing them, until enough are
/// pending; any other writes the rows of the tickets it changed. Either way, on entry it makes
/// sure the pending set may be trusted, and rebuilds the rows from the log (``RowCatchUp``) when
/// it may not.
struct TicketWorkspace {
    struct Slot: Sendable {
        var state: TicketState
        /// The row as it stands in the store (nil: none yet).
        var row: TicketRowInfo?
        /// The position of the ticket's latest operation, including this transaction's.
        var head: Int64?
        /// Changed in this transaction.
        var changed = false
        /// Its row does not hold its latest operations.
        var pending = false
    }

    let station: Station
    let db: Database
    let epoch: UInt64
    /// Leave changed rows pending instead of writing them.
    let defersRows: Bool
    private let rows: TicketRow.Writer
    /// The station's pending rows, held by this transaction until ``finish()``, and the slots of
    /// the tickets it read, from `firstRead` on.
    private var pending: PendingRows
    private let firstRead: Int
    /// The slots changed in this transaction, in first-change order.
    private var changed: [Int] = []
    /// Operations applied in this transaction.
    private var applied = 0
    /// What the cache learns after the commit: states whose rows are current.
    private var current: [(TicketState, TicketRowInfo)] = []
    private var saved = false

    init(station: Station, db: Database, defersRows: Bool = false) throws {
        self.station = station
        self.db = db
        self.defersRows = defersRows
        rows = try TicketRow.Writer(db)
        let (epoch, moved) = try station.beginCachedWrite(db)
        self.epoch = epoch
        var pending = station.pendingRows.withLock { held in
            let taken = held
            // Moved out, not copied: the set's states are changed in place.
            held = PendingRows(limits: held.limits, valid: false)
            return taken
        }
        // Someone else wrote the store, or a transaction holding the set failed: the set may
        // miss operations or hold stale states, so start again from what the store says.
        if moved || !pending.valid { pending = pending.emptied }
        if pending.isEmpty, !(try RowCatchUp.isCurrent(db)) { try RowCatchUp.run(db) }
        if defersRows, try RowCatchUp.watermark(db) == nil { try RowCatchUp.markCurrent(db) }
        self.pending = pending
        firstRead = pending.slots.count
    }

    /// The states changed in this transaction (before ``save()``).
    var states: [TicketID: TicketState] {
        precondition(!saved, "read the changed states before saving")
        return Dictionary(uniqueKeysWithValues: changed.map { (pending.slots[$0].state.id, pending.slots[$0].state) })
    }

    /// The slot of the ticket, reading its state (through the pending rows and the cache) the
    /// first time.
    mutating func slot(_ ticket: TicketID) throws -> Int {
        if let slot = pending.index[ticket] { return slot }
        return pending.append(try read(ticket))
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
        pending.slots[try slot(ticket)].state
    }

    /// The position of the slot's latest operation, if any: the `prev` of its next one.
    func head(_ slot: Int) -> Int64? {
        pending.slots[slot].head
    }

    /// Replaces the ticket's state (read with ``state(_:)`` first); it is saved by ``save()``.
    mutating func update(_ state: TicketState) {
        let slot = pending.index[state.id]!
        pending.slots[slot].state = state
        markChanged(slot)
    }

    /// Records that the slot's latest operation is now at `position`.
    mutating func linked(_ slot: Int, at position: Int64) {
        pending.slots[slot].head = position
        markChanged(slot)
    }

    /// Applies `op`, just inserted at `position` (after ``head(_:)``), to the state in `slot`.
    mutating func apply(_ op: TicketOperation, at position: Int64, in slot: Int) {
        pending.slots[slot].state.apply(op)
        pending.slots[slot].head = position
        applied += 1
        markChanged(slot)
    }

    private mutating func markChanged(_ slot: Int) {
        if !pending.slots[slot].changed {
            pending.slots[slot].changed = true
            changed.append(slot)
        }
    }

    /// Writes every changed ticket's row, each with a new version, or leaves them pending if
    /// this workspace defers rows (writing all pending rows once there are enough);
    /// ``finish()`` hands the states to the cache and the pending set back to the station once
    /// the transaction has committed.
    mutating func save() throws {
        precondition(!saved, "a workspace is saved once")
        saved = true
        // Tickets read and left unchanged have current rows: they go to the cache.
        var leaving: [Int] = []
        for slot in firstRead..<pending.slots.count where !pending.slots[slot].changed {
            if let row = pending.slots[slot].row { current.append((pending.slots[slot].state, row)) }
            leaving.append(slot)
        }
        var generator = SystemRandomNumberGenerator()
        let base = Int64.random(in: .min ... .max, using: &generator)
        for (number, slot) in changed.enumerated() {
            guard let head = pending.slots[slot].head else {
                throw StationError(.store, "ticket \(pending.slots[slot].state.id) changed with no operation in the log")
            }
            pending.slots[slot].changed = false
            if defersRows {
                pending.slots[slot].pending = true
            } else {
                let row = try rows.save(pending.slots[slot].state, row: pending.slots[slot].row, lastOp: head, version: base &+ Int64(number))
                current.append((pending.slots[slot].state, row))
                leaving.append(slot)
            }
        }
        pending.remove(leaving)
        pending.operations += applied
        if defersRows && pending.isFull {
            try writePending()
        } else if pending.isEmpty, !defersRows, try RowCatchUp.watermark(db) != nil {
            // This transaction's own rows are written and nothing else is pending.
            try RowCatchUp.markCurrent(db)
        }
    }

    /// Writes the row of every pending ticket now (they hold every operation in the log), and
    /// records that the rows are current. Called by ``save()`` when enough are pending, and
    /// by readers through ``Station/withCurrentRows(_:)`` after ``save()``.
    mutating func writePending() throws {
        precondition(saved, "pending rows are written after the workspace is saved")
        var generator = SystemRandomNumberGenerator()
        let base = Int64.random(in: .min ... .max, using: &generator)
        for (number, slot) in pending.slots.enumerated() {
            let row = try rows.save(slot.state, row: slot.row, lastOp: slot.head!, version: base &+ Int64(number))
            current.append((slot.state, row))
        }
        pending = pending.emptied
        if try RowCatchUp.watermark(db) != nil { try RowCatchUp.markCurrent(db) }
    }

    /// After the commit: the cache learns the states whose rows are current, and the station
    /// gets its pending rows back.
    func finish() {
        precondition(saved, "a workspace is saved before its transaction commits")
        let totalChanges = db.totalChangesCount
        station.ticketCache.withLock { cache in
            cache.commit(current, epoch: epoch, totalChanges: totalChanges)
        }
        station.pendingRows.withLock { $0 = pending }
    }
}
