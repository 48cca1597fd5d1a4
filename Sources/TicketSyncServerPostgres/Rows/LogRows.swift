internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import TicketModel
internal import TicketSyncServer

/// Reads the `operations` table, the server's log.
enum LogRows {
    typealias EntryRow = (Int64, Int64, Int64, ByteBuffer, ByteBuffer, Bool, String?, String?, String?, String?)

    /// Entries after `position`, oldest first, their operations left encoded until a session
    /// asks for one (``LogEntry/operation``).
    static func entries(after position: Int64, limit: Int, _ connection: PostgresConnection, _ logger: Logger) async throws -> [LogEntry] {
        let limit = Int64(limit)
        let rows = try await connection.query(
            """
            SELECT position, replica, seq, ticket, body, has_before, site_before, team_before, site_after, team_after
            FROM operations WHERE position > \(position) ORDER BY position LIMIT \(limit)
            """,
            logger: logger
        )
        return try await entries(rows)
    }

    /// Entries at positions in (`position`, `end`] whose ticket sat, before or after, in a site,
    /// team or ticket of `filter`, oldest first.
    static func entries(
        after position: Int64, through end: Int64, concerning filter: ScopeFilter, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [LogEntry] {
        let sites = filter.sites, teams = filter.teams, tickets = filter.tickets.map { ByteBuffer(bytes: $0.bytes) }
        let rows = try await connection.query(
            """
            SELECT position, replica, seq, ticket, body, has_before, site_before, team_before, site_after, team_after
            FROM operations WHERE position > \(position) AND position <= \(end)
                AND (site_after = ANY(\(sites)::text[]) OR team_after = ANY(\(teams)::text[]) OR ticket = ANY(\(tickets)::bytea[])
                    OR site_before = ANY(\(sites)::text[]) OR team_before = ANY(\(teams)::text[]))
            ORDER BY position
            """,
            logger: logger
        )
        return try await entries(rows)
    }

    private static func entries(_ rows: PostgresRowSequence) async throws -> [LogEntry] {
        var entries: [LogEntry] = []
        for try await (position, replica, seq, ticket, body, hasBefore, siteBefore, teamBefore, siteAfter, teamAfter) in rows.decode(EntryRow.self) {
            guard let id = TicketID(bytes: ticket.readableBytesView) else {
                throw ServerError(.storage, "the log entry at position \(position) names a damaged ticket id; restore the store from a backup")
            }
            entries.append(
                LogEntry(
                    cursor: LogCursor.text(position),
                    id: OperationID(replica: ReplicaID(UInt64(bitPattern: replica)), seq: UInt64(bitPattern: seq)), ticket: id,
                    encoded: Array(body.readableBytesView),
                    before: hasBefore ? TicketPlacement(site: siteBefore, team: teamBefore) : nil,
                    after: TicketPlacement(site: siteAfter, team: teamAfter)
                )
            )
        }
        return entries
    }

    /// The highest position ever given (0 for an empty log).
    static func lastPosition(_ connection: PostgresConnection, _ logger: Logger) async throws -> Int64 {
        let rows = try await connection.query("SELECT last_position FROM log_head WHERE id = 1", logger: logger)
        var last: Int64 = 0
        for try await value in rows.decode(Int64.self) { last = value }
        return last
    }

    /// The operation with this id, if the log holds it (committed, or written by this transaction).
    static func find(_ id: OperationID, _ connection: PostgresConnection, _ logger: Logger) async throws -> TicketOperation? {
        let (replica, seq) = key(id)
        let rows = try await connection.query(
            "SELECT position, body FROM operations WHERE replica = \(replica) AND seq = \(seq)", logger: logger
        )
        var found: TicketOperation?
        for try await (position, body) in rows.decode((Int64, ByteBuffer).self) { found = try decode(body, at: position) }
        return found
    }

    /// One row of the log to write.
    struct NewRow {
        var op: TicketOperation
        var position: Int64
        var station: String
        var receivedMillis: UInt64
        var before: TicketPlacement?
        var after: TicketPlacement
        /// The operation as stored (`OperationCodec`, one operation): encoded before the
        /// `log_head` lock is taken where the caller can.
        var body: ByteBuffer

        init(op: TicketOperation, position: Int64, station: String, receivedMillis: UInt64, before: TicketPlacement?, after: TicketPlacement, body: ByteBuffer? = nil) {
            self.op = op
            self.position = position
            self.station = station
            self.receivedMillis = receivedMillis
            self.before = before
            self.after = after
            self.body = body ?? LogRows.body(of: op)
        }
    }

    /// How the log stores one operation.
    static func body(of op: TicketOperation) -> ByteBuffer {
        ByteBuffer(bytes: OperationCodec.encodeOne(op))
    }

    /// Writes `rows` (the caller holds the `log_head` lock and moves it afterwards) in one
    /// statement of twelve arrays, `unnest`ed: its text never changes, so PostgreSQL parses it
    /// once per connection instead of once per append, and an append of any size is one round
    /// trip. Arrays cannot hold NULL here (PostgresNIO encodes no optional elements), so each
    /// optional placement column travels as text beside a flag saying whether it is set.
    static func insert(_ rows: [NewRow], _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        var positions: [Int64] = [], replicas: [Int64] = [], seqs: [Int64] = [], tickets: [ByteBuffer] = [], bodies: [ByteBuffer] = []
        var stations: [String] = [], received: [Int64] = [], hasBefore: [Bool] = []
        var siteBefore = OptionalText(), teamBefore = OptionalText(), siteAfter = OptionalText(), teamAfter = OptionalText()
        for row in rows {
            let (raw, seq) = key(row.op.id)
            positions.append(row.position)
            replicas.append(raw)
            seqs.append(seq)
            tickets.append(ByteBuffer(bytes: row.op.ticket.bytes))
            bodies.append(row.body)
            stations.append(row.station)
            received.append(Int64(bitPattern: row.receivedMillis))
            hasBefore.append(row.before != nil)
            siteBefore.append(row.before?.site)
            teamBefore.append(row.before?.team)
            siteAfter.append(row.after.site)
            teamAfter.append(row.after.team)
        }
        try await connection.query(
            """
            INSERT INTO operations (position, replica, seq, ticket, body, station, received_ms,
                has_before, site_before, team_before, site_after, team_after)
            SELECT p, r, s, t, b, st, rm, hb, CASE WHEN sbs THEN sb END, CASE WHEN tbs THEN tb END,
                CASE WHEN sas THEN sa END, CASE WHEN tas THEN ta END
            FROM unnest(\(positions)::bigint[], \(replicas)::bigint[], \(seqs)::bigint[], \(tickets)::bytea[],
                \(bodies)::bytea[], \(stations)::text[], \(received)::bigint[], \(hasBefore)::boolean[],
                \(siteBefore.values)::text[], \(siteBefore.set)::boolean[], \(teamBefore.values)::text[], \(teamBefore.set)::boolean[],
                \(siteAfter.values)::text[], \(siteAfter.set)::boolean[], \(teamAfter.values)::text[], \(teamAfter.set)::boolean[])
                AS u(p, r, s, t, b, st, rm, hb, sb, sbs, tb, tbs, sa, sas, ta, tas)
            """,
            logger: logger
        )
    }

    /// A column of optional text as two arrays PostgresNIO can bind: the values ("" where
    /// none) and whether each is set.
    struct OptionalText {
        var values: [String] = []
        var set: [Bool] = []

        mutating func append(_ value: String?) {
            values.append(value ?? "")
            set.append(value != nil)
        }
    }

    static func decode(_ body: ByteBuffer, at position: Int64) throws -> TicketOperation {
        let ops: [TicketOperation]
        do {
            ops = try OperationCodec.decode(body.readableBytesView, maxOperations: 1)
        } catch {
            throw ServerError(.storage, "the log entry at position \(position) is damaged (\(error.message)); restore the store from a backup")
        }
        guard ops.count == 1 else {
            throw ServerError(.storage, "the log entry at position \(position) holds \(ops.count) operations instead of one; restore the store from a backup")
        }
        return ops[0]
    }

    static func key(_ id: OperationID) -> (Int64, Int64) {
        (Int64(bitPattern: id.replica.rawValue), Int64(bitPattern: id.seq))
    }
}
