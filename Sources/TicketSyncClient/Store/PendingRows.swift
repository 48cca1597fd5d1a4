internal import GRDB
internal import TicketModel

/// Ticket rows that remote batches changed but did not write yet.
///
/// The operation log is the truth and the `tickets` / `ticket_states` rows are derived from it.
/// A remote batch makes its operations durable (log, clock, cursor) in its own transaction, but
/// leaves the rows of the tickets it changed to be written later, all at once: a batch of 1,000
/// operations touches up to 1,000 tickets, and rewriting their rows at random places in the
/// table was most of what applying it cost. The rows are written
///
/// - when enough tickets or operations are pending (``Limits``);
/// - before anything reads rows (``Station/withCurrentRows(_:)``), so queries are always exact;
/// - when a sync round ends (``Station/recordSync(atMillis:)``);
/// - by the next process that opens the store, if this one stopped before writing them.
///
/// Correctness rests only on the store: the `rows_through` meta value W says that every
/// operation at a position at most W is reflected in the rows, and each row's `last_op` says
/// which operations of its ticket it holds. ``RowCatchUp`` rebuilds what lies past W from the
/// log. This in-memory set is a shortcut to the same result: the states as applied, so that
/// writing them needs no reading. It is trusted only while nothing but this ``Station`` object
/// wrote the store (the ``TicketCache`` epoch) and while no transaction holding it failed.
struct PendingRows: Sendable {
    /// When the pending rows are written.
    struct Limits: Sendable {
        /// Once this many tickets are pending (their states are held in memory, a few KB each)…
        var tickets = 16_384
        /// …or once this many operations were applied since the rows were last written, which
        /// bounds what ``RowCatchUp`` reads if this process stops first.
        var operations = 200_000
    }

    var limits = Limits()
    /// The pending tickets, as the slots a ``TicketWorkspace`` works on: between transactions
    /// every one is pending (its row does not hold its latest operations). A workspace takes the
    /// set, appends the tickets it reads, changes slots in place, and gives back only the pending
    /// ones, so a batch pays for the tickets it touches and not for the set's size.
    var slots: [TicketWorkspace.Slot] = []
    /// Each slot's ticket to its position in `slots`.
    var index: [TicketID: Int] = [:]
    /// Operations applied since the rows were last all written.
    var operations = 0
    /// False while a transaction holds the set, and for good after one that did not commit: the
    /// next transaction then rebuilds from the store instead.
    var valid = true

    var isEmpty: Bool { slots.isEmpty }
    var isFull: Bool { slots.count >= limits.tickets || operations >= limits.operations }

    /// An empty, valid set with the same limits.
    var emptied: PendingRows { PendingRows(limits: limits) }

    /// Appends a slot for a ticket not in the set; returns its position.
    mutating func append(_ slot: TicketWorkspace.Slot) -> Int {
        slots.append(slot)
        index[slot.state.id] = slots.count - 1
        return slots.count - 1
    }

    /// Removes the slots at `positions` (each once), moving the last slot into each hole.
    mutating func remove(_ positions: [Int]) {
        // Highest first: every slot after a hole is then one that stays.
        for position in positions.sorted(by: >) {
            index.removeValue(forKey: slots[position].state.id)
            let last = slots.count - 1
            if position != last {
                slots.swapAt(position, last)
                index[slots[position].state.id] = position
            }
            slots.removeLast()
        }
    }
}

/// Brings the ticket rows up to date with the operation log from the `rows_through` watermark,
/// reading only the store.
enum RowCatchUp {
    /// Position W: every operation at or below it is reflected in the rows. Absent (a store
    /// written before rows could be deferred): every operation is.
    static func watermark(_ db: Database) throws -> Int64? {
        try Meta.get(.rowsThrough, db).flatMap { Int64($0) }
    }

    /// The position of the newest operation (0 if none).
    static func lastPosition(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(position) FROM operations")) ?? 0
    }

    /// Whether every operation is reflected in the rows.
    static func isCurrent(_ db: Database) throws -> Bool {
        guard let mark = try watermark(db) else { return true }
        return mark >= (try lastPosition(db))
    }

    /// Records that the rows hold every operation up to now.
    static func markCurrent(_ db: Database) throws {
        try Meta.set(.rowsThrough, String(try lastPosition(db)), db)
    }

    /// Writes the rows of every ticket with operations past the watermark: its row's state (the
    /// snapshot and the chain up to the row's `last_op`) plus its operations after that, in the
    /// order accepted. Returns the tickets written.
    @discardableResult
    static func run(_ db: Database) throws -> Int {
        guard let mark = try watermark(db) else { return 0 }
        var newer: [TicketID: [(position: Int64, op: TicketOperation)]] = [:]
        let statement = try RawStatement(db, sql: "SELECT position, body FROM operations WHERE position > ? ORDER BY position")
        try statement.bind(1, mark)
        try statement.forEach { columns in
            let position = columns.int64(0)
            let op = try columns.withBytes(1) { try OperationRows.decode($0) }
            newer[op.ticket, default: []].append((position, op))
        }
        let rows = try TicketRow.Writer(db)
        var generator = SystemRandomNumberGenerator()
        var written = 0
        for (ticket, operations) in newer {
            let loaded = try TicketRow.load(ticket, db)
            var state = loaded?.0 ?? TicketState(id: ticket, retainsDetail: false)
            let held = loaded?.1.lastOp ?? 0
            let missing = operations.filter { $0.position > held }
            guard let last = missing.last else { continue }
            for (_, op) in missing { state.apply(op) }
            _ = try rows.save(state, row: loaded?.1, lastOp: last.position, version: .random(in: .min ... .max, using: &generator))
            written += 1
        }
        try markCurrent(db)
        return written
    }
}
