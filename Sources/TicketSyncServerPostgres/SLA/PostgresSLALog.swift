internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import TicketModel
internal import TicketSyncServer
internal import TicketSLA

/// The SLA engine's view of the log on PostgreSQL: its cursor, counted times and station
/// contacts; the SQLite store's `SLALogRows`, statement for statement. Called only inside a
/// transaction that holds the `log_head` lock, so one engine (of any node) at a time reads and
/// moves the cursor, and the log it reads cannot grow under it.
struct PostgresSLALog {
    let connection: PostgresConnection
    let logger: Logger

    static let cursorKey = "cursor"

    /// The last log position the engine planned (0: none).
    func cursor() async throws -> Int64 {
        let rows = try await connection.query("SELECT value FROM sla_meta WHERE key = \(Self.cursorKey)", logger: logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }

    func setCursor(_ position: Int64) async throws {
        try await connection.query(
            """
            INSERT INTO sla_meta (key, value) VALUES (\(Self.cursorKey), \(position))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """,
            logger: logger
        )
    }

    /// Reads at most `limit` entries after `cursor`, fixes each one's counted time (contacts
    /// updated as it goes), and returns the tickets touched in log order and the last position read.
    func consume(after cursor: Int64, limit: Int, rule: CountedTimeRule) async throws -> (tickets: [TicketID], last: Int64, count: Int) {
        let count = Int64(limit)
        let rows = try await connection.query(
            "SELECT position, ticket, body, station, received_ms FROM operations WHERE position > \(cursor) ORDER BY position LIMIT \(count)",
            logger: logger
        )
        var read: [(Int64, ByteBuffer, ByteBuffer, String, Int64)] = []
        for try await row in rows.decode((Int64, ByteBuffer, ByteBuffer, String, Int64).self) { read.append(row) }
        var tickets: [TicketID] = []
        var seen = Set<TicketID>()
        var last = cursor
        var created: [String: UInt64] = [:]
        var positions: [Int64] = []
        var counts: [Int64] = []
        for (position, ticketBytes, body, station, receivedValue) in read {
            let received = UInt64(bitPattern: receivedValue)
            var counted = received
            if !station.isEmpty {
                let op = try LogRows.decode(body, at: position)
                let previous = try await contact(of: station, receivedMillis: received, created: &created)
                counted = rule.countedMillis(stationMillis: op.timestamp.millis, previousContactMillis: previous, receiptMillis: received)
            }
            positions.append(position)
            counts.append(Int64(bitPattern: counted))
            if let ticket = TicketID(bytes: ticketBytes.readableBytesView), seen.insert(ticket).inserted { tickets.append(ticket) }
            last = position
        }
        if !positions.isEmpty {
            try await connection.query(
                """
                INSERT INTO sla_counted (position, counted_ms) SELECT * FROM unnest(\(positions)::bigint[], \(counts)::bigint[])
                ON CONFLICT (position) DO UPDATE SET counted_ms = excluded.counted_ms
                """,
                logger: logger
            )
        }
        return (tickets, last, read.count)
    }

    /// The station's previous contact before a receipt at `received`, recording that receipt (as
    /// the SQLite store does).
    private func contact(of station: String, receivedMillis received: UInt64, created: inout [String: UInt64]) async throws -> UInt64 {
        let rows = try await connection.query("SELECT last_ms, previous_ms FROM sla_contacts WHERE station = \(station)", logger: logger)
        for try await (lastValue, previousValue) in rows.decode((Int64, Int64).self) {
            let last = UInt64(bitPattern: lastValue)
            let previous = UInt64(bitPattern: previousValue)
            if received > last {
                let receivedValue = Int64(bitPattern: received)
                try await connection.query(
                    "UPDATE sla_contacts SET last_ms = \(receivedValue), previous_ms = \(lastValue) WHERE station = \(station)", logger: logger
                )
                return last
            }
            return received == last ? previous : min(previous, received)
        }
        if created[station] == nil {
            created[station] = try await StationRows.find(name: station, connection, logger)?.createdMillis ?? 0
        }
        let first = min(created[station]!, received)
        let receivedValue = Int64(bitPattern: received)
        let firstValue = Int64(bitPattern: first)
        try await connection.query(
            "INSERT INTO sla_contacts (station, last_ms, previous_ms) VALUES (\(station), \(receivedValue), \(firstValue))", logger: logger
        )
        return first
    }

    /// Each ticket's whole history with counted times, and its current state (also returned as
    /// stored, for the writes that follow), in two queries however many tickets. Entries the
    /// engine has not read yet count at their receipt time. A ticket the log does not hold gets
    /// an empty history and no state.
    func contexts(of tickets: Set<TicketID>) async throws -> [TicketID: TimerFiring.Ticket] {
        guard !tickets.isEmpty else { return [:] }
        let ids = tickets.map { ByteBuffer(bytes: $0.bytes) }
        let rows = try await connection.query(
            """
            SELECT o.ticket, o.position, o.body, o.station, o.received_ms, c.counted_ms
            FROM operations o LEFT JOIN sla_counted c ON c.position = o.position
            WHERE o.ticket = ANY(\(ids)::bytea[]) ORDER BY o.ticket, o.position
            """,
            logger: logger
        )
        var histories: [TicketID: [SLALogEntry]] = [:]
        for try await (ticketBytes, position, body, station, receivedValue, counted)
            in rows.decode((ByteBuffer, Int64, ByteBuffer, String, Int64, Int64?).self)
        {
            guard let ticket = TicketID(bytes: ticketBytes.readableBytesView) else {
                throw ServerError(.storage, "the log entry at position \(position) names a damaged ticket id; restore the store from a backup")
            }
            let received = UInt64(bitPattern: receivedValue)
            histories[ticket, default: []].append(SLALogEntry(
                position: position, operation: try LogRows.decode(body, at: position), station: station,
                receivedMillis: received, countedMillis: counted.map { UInt64(bitPattern: $0) } ?? received
            ))
        }
        let states = try await PostgresTicketRows.load(tickets, connection, logger)
        var contexts: [TicketID: TimerFiring.Ticket] = [:]
        for ticket in tickets {
            contexts[ticket] = TimerFiring.Ticket(ticket: ticket, history: histories[ticket] ?? [], state: states[ticket])
        }
        return contexts
    }

    /// Those of `tickets` that have log entries after `cursor` (with `stationsOnly`, only station
    /// operations: the ones the planner has not seen that could change a timer), in one query.
    func entries(among tickets: Set<TicketID>, after cursor: Int64, stationsOnly: Bool) async throws -> Set<TicketID> {
        guard !tickets.isEmpty else { return [] }
        let ids = tickets.map { ByteBuffer(bytes: $0.bytes) }
        let rows = try await connection.query(
            """
            SELECT DISTINCT ticket FROM operations
            WHERE ticket = ANY(\(ids)::bytea[]) AND position > \(cursor) AND (station <> '' OR NOT \(stationsOnly))
            """,
            logger: logger
        )
        var found = Set<TicketID>()
        for try await bytes in rows.decode(ByteBuffer.self) {
            if let ticket = TicketID(bytes: bytes.readableBytesView) { found.insert(ticket) }
        }
        return found
    }
}
