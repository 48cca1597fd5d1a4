internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import TicketModel
internal import TicketSyncServer

/// One append inside its write transaction, holding the `log_head` lock: the SQLite store's
/// `AppendTransaction`, decision for decision (duplicate, refused before, refused now, or
/// accepted), with the batch's existing log rows, refusals and ticket states read up front in
/// three queries instead of per operation.
struct PostgresAppend {
    let connection: PostgresConnection
    let logger: Logger
    let station: StationRecord
    let replica: ReplicaID
    let receivedMillis: UInt64
    let clock: HybridLogicalClock

    private var lastPosition: Int64
    private let startPosition: Int64
    private var inLog: Set<UInt64> = []
    private var refusals: [UInt64: Rejection] = [:]
    private var states: [TicketID: TicketState] = [:]
    private var accepted: [OperationID: TicketOperation] = [:]
    private var changed: Set<TicketID> = []
    private var decidedNow: Set<UInt64> = []
    /// Accepted operations, written by ``finish()`` in one statement.
    private var newRows: [LogRows.NewRow] = []
    private var result = AppendResult(accepted: 0, duplicates: 0, rejected: [], decidedSequence: 0)

    struct Rejection {
        var code: String
        var message: String
    }

    /// Starts an append for the station named `stationName` as stored now (a credential revoked
    /// or re-bound since the caller looked it up is caught here), for the batch `operations`.
    init(
        connection: PostgresConnection, logger: Logger, stationName: String, operations: [TicketOperation], receivedMillis: UInt64,
        maxDriftMillis: UInt64
    ) async throws {
        // The credential as stored now, read before the lock (a revocation that commits after
        // this read is ordered after this append).
        let (station, replica) = try StationRecord.appending(try await StationRows.find(name: stationName, connection, logger), name: stationName)
        // The lock that makes this the only writer on any node, and the last position given.
        let head = try await connection.query("SELECT last_position FROM log_head WHERE id = 1 FOR UPDATE", logger: logger)
        var last: Int64 = 0
        for try await value in head.decode(Int64.self) { last = value }
        self.connection = connection
        self.logger = logger
        self.station = station
        self.replica = replica
        self.receivedMillis = receivedMillis
        self.clock = HybridLogicalClock(maxDriftMillis: maxDriftMillis)
        self.lastPosition = last
        self.startPosition = last
        try await prefetch(operations)
    }

    /// Reads what the batch needs from the store: which of its operations (of this replica; any
    /// other fails the batch in `decide`) are in the log or refused, and its tickets' states.
    private mutating func prefetch(_ operations: [TicketOperation]) async throws {
        let own = operations.filter { $0.id.replica == replica }
        guard !own.isEmpty else { return }
        let raw = Int64(bitPattern: replica.rawValue)
        let seqs = Array(Set(own.map { Int64(bitPattern: $0.id.seq) }))
        let logged = try await connection.query(
            "SELECT seq FROM operations WHERE replica = \(raw) AND seq = ANY(\(seqs))", logger: logger
        )
        for try await seq in logged.decode(Int64.self) { inLog.insert(UInt64(bitPattern: seq)) }
        let refused = try await connection.query(
            "SELECT seq, code, message FROM rejections WHERE replica = \(raw) AND seq = ANY(\(seqs))", logger: logger
        )
        for try await (seq, code, message) in refused.decode((Int64, String, String).self) {
            refusals[UInt64(bitPattern: seq)] = Rejection(code: code, message: message)
        }
        states = try await PostgresTicketRows.load(Set(own.map(\.ticket)), connection, logger)
    }

    /// Decides one operation, whose stored form `body` (``LogRows/body(of:)``) the caller encoded
    /// before the lock. Throws (rolling back the whole append) only for a store failure or an
    /// operation of another replica.
    mutating func decide(_ op: TicketOperation, body: ByteBuffer) async throws {
        guard op.id.replica == replica else {
            throw ServerError(
                .invalidArgument,
                "operation \(op.id) belongs to replica \(op.id.replica), but station '\(station.name)' is bound to replica "
                    + "\(replica); a station pushes only its own operations"
            )
        }
        if inLog.contains(op.id.seq) {
            result.duplicates += 1
            decidedNow.insert(op.id.seq)
            return
        }
        if let stored = refusals[op.id.seq] {
            result.rejected.append((op.id.seq, stored.code, stored.message))
            decidedNow.insert(op.id.seq)
            return
        }
        switch try await check(op) {
        case .refused(let rejection):
            try await reject(op.id, rejection)
            refusals[op.id.seq] = rejection
            result.rejected.append((op.id.seq, rejection.code, rejection.message))
        case .accepted(let before):
            var state = before ?? TicketState(id: op.ticket, retainsDetail: false)
            state.apply(op)
            try await insert(op, body: body, before: before?.placement, after: state.placement)
            states[op.ticket] = state
            changed.insert(op.ticket)
            accepted[op.id] = op
            inLog.insert(op.id.seq)
            result.accepted += 1
        }
        decidedNow.insert(op.id.seq)
    }

    /// Saves the changed tickets, advances the decided sequence and the log head, and asks
    /// PostgreSQL to notify listeners at commit if the log grew.
    mutating func finish() async throws -> AppendResult {
        try await LogRows.insert(newRows, connection, logger)
        newRows = []
        try await PostgresTicketRows.save(changed.map { states[$0]! }, connection, logger)
        let raw = Int64(bitPattern: replica.rawValue)
        let start = try await decided()
        var decided = start
        while decided < UInt64.max {
            let next = decided + 1
            if !decidedNow.contains(next) {
                guard try await isDecided(next) else { break }
            }
            decided = next
        }
        if decided != start {
            let value = Int64(bitPattern: decided)
            try await connection.query(
                """
                INSERT INTO replicas (replica, decided) VALUES (\(raw), \(value))
                ON CONFLICT (replica) DO UPDATE SET decided = excluded.decided
                """,
                logger: logger
            )
        }
        if lastPosition != startPosition {
            let last = lastPosition
            let payload = String(last)
            try await connection.query("UPDATE log_head SET last_position = \(last) WHERE id = 1", logger: logger)
            try await connection.query("SELECT pg_notify(\(PostgresServerStore.channel), \(payload))", logger: logger)
        }
        result.decidedSequence = decided
        return result
    }

    private func decided() async throws -> UInt64 {
        let raw = Int64(bitPattern: replica.rawValue)
        let rows = try await connection.query("SELECT decided FROM replicas WHERE replica = \(raw)", logger: logger)
        var value: Int64 = 0
        for try await decided in rows.decode(Int64.self) { value = decided }
        return UInt64(bitPattern: value)
    }

    private func isDecided(_ seq: UInt64) async throws -> Bool {
        if inLog.contains(seq) || refusals[seq] != nil { return true }
        let (raw, value) = LogRows.key(OperationID(replica: replica, seq: seq))
        let rows = try await connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM operations WHERE replica = \(raw) AND seq = \(value))
                OR EXISTS (SELECT 1 FROM rejections WHERE replica = \(raw) AND seq = \(value))
            """,
            logger: logger
        )
        var found = false
        for try await exists in rows.decode(Bool.self) { found = exists }
        return found
    }

    private mutating func insert(_ op: TicketOperation, body: ByteBuffer, before: TicketPlacement?, after: TicketPlacement) async throws {
        lastPosition += 1
        newRows.append(
            LogRows.NewRow(op: op, position: lastPosition, station: station.name, receivedMillis: receivedMillis, before: before, after: after, body: body)
        )
    }

    private func reject(_ id: OperationID, _ rejection: Rejection) async throws {
        let (raw, seq) = LogRows.key(id)
        let received = Int64(bitPattern: receivedMillis)
        let name = station.name
        try await connection.query(
            """
            INSERT INTO rejections (replica, seq, code, message, station, received_ms)
            VALUES (\(raw), \(seq), \(rejection.code), \(rejection.message), \(name), \(received))
            """,
            logger: logger
        )
    }

    private enum Verdict {
        case accepted(before: TicketState?)
        case refused(Rejection)
    }

    /// The checks, in the SQLite store's order: clock drift, the model's rules for a station
    /// push, the ticket's existence (or absence, for a create), scopes, then comment references.
    private func check(_ op: TicketOperation) async throws -> Verdict {
        let current = states[op.ticket]
        do throws(TicketModelError) {
            try clock.check(op.timestamp, physicalMillis: receivedMillis)
            try OperationValidator.validate(op, rules: .stationPush)
            try (current ?? TicketState(id: op.ticket, retainsDetail: false)).checkReferences(op)
        } catch {
            return .refused(Rejection(code: error.code.rawValue, message: error.message))
        }
        if case .create = op.payload {
            var created = TicketState(id: op.ticket, retainsDetail: false)
            created.apply(op)
            if !station.scopes.contains(op.ticket, at: created.placement) {
                return .refused(outOfScope("the new ticket \(op.ticket) would be"))
            }
            return .accepted(before: nil)
        }
        let before = current!
        if !station.scopes.contains(op.ticket, at: before.placement) {
            return .refused(outOfScope("ticket \(op.ticket) is"))
        }
        switch op.payload {
        case .editComment(let comment, _), .deleteComment(let comment):
            if !(try await isComment(comment, on: op.ticket)) {
                return .refused(
                    Rejection(code: TicketModelError.Code.commentNotFound.rawValue, message: "comment \(comment) does not exist on ticket \(op.ticket)")
                )
            }
        default:
            break
        }
        return .accepted(before: before)
    }

    private func outOfScope(_ subject: String) -> Rejection {
        Rejection(
            code: "out_of_scope",
            message: "\(subject) outside the scopes of station '\(station.name)' (" + station.scopes.map(\.description).joined(separator: ", ") + ")"
        )
    }

    /// Whether the log holds a comment with this id on this ticket.
    private func isComment(_ id: CommentID, on ticket: TicketID) async throws -> Bool {
        let op: TicketOperation?
        if let local = accepted[id] { op = local } else { op = try await LogRows.find(id, connection, logger) }
        guard let op, op.ticket == ticket else { return false }
        if case .comment = op.payload { return true }
        return false
    }
}
