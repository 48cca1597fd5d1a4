internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import TicketModel
internal import TicketSyncServer

/// Appends server-authored operations (SLA fields, escalations, reassignments) to the log inside
/// an SLA transaction, as the SQLite store's `ServerWrites` does: the server's replica with the
/// next sequence number after its highest in the log, the HLC ticked past the ticket's latest
/// stamp, the log row with placements, then the ticket's state. Positions continue from the
/// `log_head` value the transaction locked; ``finish()`` moves the head and notifies the other
/// nodes at commit.
struct PostgresServerWrites {
    let connection: PostgresConnection
    let logger: Logger
    let replica: ReplicaID
    private let startPosition: Int64
    private var lastPosition: Int64
    private var lastSequence: UInt64?
    private var staged: [LogRows.NewRow] = []
    private var changed: [TicketID: TicketState] = [:]

    /// Locks `log_head` (the one-writer lock of every node) and starts from its position.
    static func locking(_ connection: PostgresConnection, replica: ReplicaID, logger: Logger) async throws -> PostgresServerWrites {
        let head = try await connection.query("SELECT last_position FROM log_head WHERE id = 1 FOR UPDATE", logger: logger)
        var last: Int64 = 0
        for try await value in head.decode(Int64.self) { last = value }
        return PostgresServerWrites(connection: connection, logger: logger, replica: replica, startPosition: last, lastPosition: last)
    }

    private init(connection: PostgresConnection, logger: Logger, replica: ReplicaID, startPosition: Int64, lastPosition: Int64) {
        self.connection = connection
        self.logger = logger
        self.replica = replica
        self.startPosition = startPosition
        self.lastPosition = lastPosition
    }

    /// Appends each ticket's payloads onto its state (as given in `known`, else as stored now):
    /// the missing states read in one query, the log rows and the states written in one
    /// statement each, however many tickets (the planner holds `log_head`, which every writer
    /// waits for, while this runs).
    mutating func append(
        _ planned: [(ticket: TicketID, payloads: [Payload])], known: [TicketID: TicketState] = [:], now: UInt64
    ) async throws -> Int {
        let wanted = planned.filter { !$0.payloads.isEmpty }
        guard !wanted.isEmpty else { return 0 }
        var states = known
        let missing = Set(wanted.map(\.ticket)).subtracting(known.keys)
        states.merge(try await PostgresTicketRows.load(missing, connection, logger)) { given, _ in given }
        try await prepare()
        var written = 0
        for (ticket, payloads) in wanted {
            guard var state = states[ticket] else {
                throw ServerError(.storage, "the SLA engine tried to write to ticket \(ticket), which the store does not hold")
            }
            written += try stage(payloads, on: &state, now: now).count
            states[ticket] = state
        }
        try await flush()
        return written
    }

    /// Reads the server replica's highest sequence number in the log (once per transaction),
    /// which ``stage(_:on:now:)`` numbers from.
    mutating func prepare() async throws {
        if lastSequence == nil { lastSequence = try await highestSequence() }
    }

    /// Makes `payloads` into operations on `state` and keeps their log rows and the new state
    /// for ``flush()``; returns them as the log will hold them (positions after the head).
    /// ``prepare()`` must have run.
    mutating func stage(_ payloads: [Payload], on state: inout TicketState, now: UInt64) throws -> [SLALogEntry] {
        guard !payloads.isEmpty else { return [] }
        guard let seq = lastSequence else {
            throw ServerError(.storage, "the server's sequence number was not read before its operations were made (a bug)")
        }
        var entries: [SLALogEntry] = []
        for made in try ServerAuthored.make(payloads, on: &state, replica: replica, after: seq, now: now) {
            lastPosition += 1
            staged.append(LogRows.NewRow(op: made.operation, position: lastPosition, station: "", receivedMillis: now, before: made.before, after: made.after))
            entries.append(SLALogEntry(position: lastPosition, operation: made.operation, station: "", receivedMillis: now, countedMillis: now))
        }
        lastSequence = seq + UInt64(payloads.count)
        changed[state.id] = state
        return entries
    }

    /// Writes what ``stage(_:on:now:)`` kept: the log rows and the tickets' states, one
    /// statement each. Staged rows are written before the call returns, so a later read in the
    /// same transaction sees them.
    mutating func flush() async throws {
        guard !staged.isEmpty else { return }
        try await LogRows.insert(staged, connection, logger)
        try await PostgresTicketRows.save(Array(changed.values), connection, logger)
        staged = []
        changed = [:]
    }

    /// The server replica's highest sequence number in the log (0: none yet); ``prepare()``
    /// reads it once per transaction.
    private func highestSequence() async throws -> UInt64 {
        let rawReplica = Int64(bitPattern: replica.rawValue)
        var seq: UInt64 = 0
        let rows = try await connection.query("SELECT COALESCE(MAX(seq), 0) FROM operations WHERE replica = \(rawReplica)", logger: logger)
        for try await value in rows.decode(Int64.self) { seq = UInt64(bitPattern: value) }
        return seq
    }

    /// Writes what is staged, moves `log_head` past what this transaction wrote and has
    /// PostgreSQL notify the other nodes when it commits.
    mutating func finish() async throws {
        try await flush()
        guard lastPosition != startPosition else { return }
        let last = lastPosition
        let payload = String(last)
        try await connection.query("UPDATE log_head SET last_position = \(last) WHERE id = 1", logger: logger)
        try await connection.query("SELECT pg_notify(\(PostgresServerStore.channel), \(payload))", logger: logger)
    }
}
