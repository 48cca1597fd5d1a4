/// One replica of the ticket database: a station's, or a server's. A value type with no I/O.
///
/// The state is a pure function of the set of operations applied: ``apply(_:physicalMillis:rules:)``
/// is idempotent, and applying the same operations in any order gives the same tickets and the same
/// ``digest()``. Local edits (``TicketReplica/make(_:on:by:physicalMillis:)`` and the helpers
/// built on it) make new operations stamped by this replica's hybrid logical clock.
public struct TicketReplica: Sendable {
    /// This replica's id.
    public let id: ReplicaID
    /// This replica's clock.
    public internal(set) var clock: HybridLogicalClock
    /// The sequence number of this replica's latest own operation.
    public private(set) var lastSequence: UInt64 = 0
    /// Size limits for this replica's own operations.
    public var limits: ModelLimits

    var tickets: [TicketID: TicketState] = [:]
    var seen: [ReplicaID: SequenceSet] = [:]
    /// Every operation applied, in the order this replica applied them.
    public private(set) var log: [TicketOperation] = []

    /// Creates an empty replica.
    public init(id: ReplicaID, clock: HybridLogicalClock = HybridLogicalClock(), limits: ModelLimits = ModelLimits()) {
        self.id = id
        self.clock = clock
        self.limits = limits
    }

    /// Reserves room for about `operations` operations and `tickets` tickets.
    public mutating func reserveCapacity(operations: Int, tickets: Int) {
        log.reserveCapacity(operations)
        self.tickets.reserveCapacity(tickets)
    }

    /// The number of operations applied.
    public var operationCount: Int { log.count }

    /// Whether the operation with this id has been applied.
    public func contains(_ id: OperationID) -> Bool {
        seen[id.replica]?.contains(id.seq) ?? false
    }

    /// For each replica, the highest sequence number such that all before it have been applied.
    public var versionVector: [ReplicaID: UInt64] {
        seen.mapValues(\.contiguous)
    }

    /// Applies an operation made elsewhere (or re-applies one of ours).
    ///
    /// Checks, in order: duplicate (a no-op), the clock drift bound against `physicalMillis`, the
    /// model's rules. A refused operation throws and changes nothing.
    @discardableResult
    public mutating func apply(
        _ op: TicketOperation, physicalMillis: UInt64, rules: ApplyRules = .peer
    ) throws(TicketModelError) -> ApplyOutcome {
        if contains(op.id) { return .duplicate }
        try clock.check(op.timestamp, physicalMillis: physicalMillis)
        try OperationValidator.validate(op, rules: rules)
        if rules.requiresKnownTicket {
            try requireKnown(op)
        }
        try? clock.receive(op.timestamp, physicalMillis: physicalMillis)
        commit(op)
        return .applied
    }

    /// Applies a batch, one operation at a time: refused operations are returned with their
    /// errors, the rest are applied. The batch as a whole is never refused for one bad operation.
    public mutating func apply(
        batch: some Sequence<TicketOperation>, physicalMillis: UInt64, rules: ApplyRules = .peer
    ) -> [(TicketOperation, TicketModelError)] {
        var refused: [(TicketOperation, TicketModelError)] = []
        for op in batch {
            do {
                try apply(op, physicalMillis: physicalMillis, rules: rules)
            } catch {
                refused.append((op, error))
            }
        }
        return refused
    }

    /// Merges everything `other` has applied into this replica. Returns the number of new operations.
    ///
    /// Operations `other` accepted are accepted here with the peer rules; one this replica refuses
    /// (its clock is behind the operation's by more than the drift bound) is skipped and reported.
    @discardableResult
    public mutating func merge(
        _ other: TicketReplica, physicalMillis: UInt64
    ) -> (applied: Int, refused: [(TicketOperation, TicketModelError)]) {
        var applied = 0
        var refused: [(TicketOperation, TicketModelError)] = []
        log.reserveCapacity(log.count + other.log.count)
        for op in other.log where !contains(op.id) {
            do {
                try apply(op, physicalMillis: physicalMillis)
                applied += 1
            } catch {
                refused.append((op, error))
            }
        }
        return (applied, refused)
    }

    func requireKnown(_ op: TicketOperation) throws(TicketModelError) {
        if case .create = op.payload { return }
        if tickets[op.ticket] != nil {
            try tickets[op.ticket]!.checkReferences(op)
        } else {
            try TicketState(id: op.ticket).checkReferences(op)
        }
    }

    /// A replica holding exactly `operations`, which were validated when first accepted (a store's
    /// own log): duplicates are dropped, nothing is checked again.
    package static func replaying(_ operations: some Sequence<TicketOperation>, as id: ReplicaID) -> TicketReplica {
        var replica = TicketReplica(id: id)
        for op in operations where !replica.contains(op.id) { replica.commit(op) }
        return replica
    }

    /// Records an operation that passed every check.
    mutating func commit(_ op: TicketOperation) {
        seen[op.id.replica, default: SequenceSet()].insert(op.id.seq)
        if op.id.replica == id, op.id.seq > lastSequence { lastSequence = op.id.seq }
        tickets[op.ticket, default: TicketState(id: op.ticket)].apply(op)
        log.append(op)
    }
}
