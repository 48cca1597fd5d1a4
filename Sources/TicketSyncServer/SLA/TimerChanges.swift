/// A timer row as re-planning sees it.
package struct StoredTimer: Sendable {
    /// The row's id.
    package var id: Int64
    /// The timer's key within its ticket.
    package var key: String
    /// The timer's kind as stored.
    package var kind: String
    /// When it falls due.
    package var dueMillis: UInt64
    /// Pending, claimed, done or cancelled.
    package var state: TimerState

    /// Creates a row.
    package init(id: Int64, key: String, kind: String, dueMillis: UInt64, state: TimerState) {
        self.id = id
        self.key = key
        self.kind = kind
        self.dueMillis = dueMillis
        self.state = state
    }
}

/// What re-planning one ticket changes in its timer rows, the same rule on every store: a wanted
/// key that is pending or claimed is moved (its attempt raised, which fences off an in-flight
/// claim) if its due time or kind changed; a cancelled one is revived; a new key is inserted; a
/// done key stays done. An open timer no longer wanted is cancelled, unless it is already due at
/// `now` (then it fires, and its effect decides, on the ticket as it is then, whether anything is
/// left to do).
package struct TimerChanges: Sendable {
    /// Rows to set to the planned due time and kind, pending again with a new attempt.
    package var moved: [(id: Int64, timer: PlannedTimer)] = []
    /// Rows to cancel (with a new attempt).
    package var cancelled: [Int64] = []
    /// New keys to insert, pending.
    package var inserted: [PlannedTimer] = []

    /// The longest timer key a store keeps, in UTF-8 bytes.
    package static let maxKeyBytes = 200

    /// The changes that make `existing` (one ticket's rows) match `planned`.
    package init(existing: [StoredTimer], planned: [PlannedTimer], now: UInt64) throws(ServerError) {
        var wanted: [String: PlannedTimer] = [:]
        for timer in planned { wanted[timer.key] = timer }
        var present = Set<String>()
        for row in existing {
            present.insert(row.key)
            if row.state == .done { continue }
            if let timer = wanted[row.key] {
                if row.state == .cancelled || row.dueMillis != timer.dueMillis || row.kind != timer.kind.rawValue {
                    moved.append((row.id, timer))
                }
            } else if row.state != .cancelled && row.dueMillis > now {
                cancelled.append(row.id)
            }
        }
        for timer in planned where !present.contains(timer.key) {
            guard timer.key.utf8.count <= Self.maxKeyBytes else {
                throw ServerError(.storage, "the SLA engine made a timer key of \(timer.key.utf8.count) bytes; the limit is \(Self.maxKeyBytes)")
            }
            present.insert(timer.key)
            inserted.append(wanted[timer.key] ?? timer)
        }
    }

    /// Whether nothing changes.
    package var isEmpty: Bool { moved.isEmpty && cancelled.isEmpty && inserted.isEmpty }
}
