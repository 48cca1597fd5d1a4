internal import Foundation
internal import GRDB
internal import TicketModel
internal import TicketSyncServer
internal import TicketSLA

/// The engine's view of the log: its cursor, counted times and station contacts.
enum SLALogRows {
    static let cursorKey = "cursor"

    /// The last log position the engine planned (0: none).
    static func cursor(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM sla_meta WHERE key = ?"), arguments: [cursorKey]) ?? 0
    }

    static func setCursor(_ position: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO sla_meta (key, value) VALUES (?, ?)").execute(arguments: [cursorKey, position])
    }

    /// Reads at most `limit` entries after `cursor`, fixes each one's counted time (stored in
    /// `sla_counted`, contacts updated as it goes), and returns the tickets touched in log order
    /// and the last position read.
    static func consume(
        after cursor: Int64, limit: Int, rule: CountedTimeRule, _ db: Database
    ) throws -> (tickets: [TicketID], last: Int64, count: Int) {
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT position, ticket, body, station, received_ms FROM operations WHERE position > ? ORDER BY position LIMIT ?"),
            arguments: [cursor, limit]
        )
        var tickets: [TicketID] = []
        var seen = Set<TicketID>()
        var last = cursor
        var created: [String: UInt64] = [:]
        let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO sla_counted (position, counted_ms) VALUES (?, ?)")
        for row in rows {
            let position: Int64 = row["position"]
            let station: String = row["station"]
            let received = UInt64(bitPattern: row["received_ms"])
            var counted = received
            if !station.isEmpty {
                let op = try LogRows.decode(row["body"], at: position)
                let previous = try contact(of: station, receivedMillis: received, created: &created, db)
                counted = rule.countedMillis(stationMillis: op.timestamp.millis, previousContactMillis: previous, receiptMillis: received)
            }
            try insert.execute(arguments: [position, Int64(bitPattern: counted)])
            let ticketBytes: Data = row["ticket"]
            if let ticket = TicketID(bytes: [UInt8](ticketBytes)), seen.insert(ticket).inserted { tickets.append(ticket) }
            last = position
        }
        return (tickets, last, rows.count)
    }

    /// The station's previous contact before a receipt at `received`, recording that receipt.
    /// Entries of one push share their receipt time, so they share their previous contact. A
    /// station's first push has the credential's creation as its previous contact.
    private static func contact(
        of station: String, receivedMillis received: UInt64, created: inout [String: UInt64], _ db: Database
    ) throws -> UInt64 {
        if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT last_ms, previous_ms FROM sla_contacts WHERE station = ?"), arguments: [station]) {
            let last = UInt64(bitPattern: row["last_ms"])
            let previous = UInt64(bitPattern: row["previous_ms"])
            if received > last {
                try db.cachedStatement(sql: "UPDATE sla_contacts SET last_ms = ?, previous_ms = ? WHERE station = ?").execute(arguments: [Int64(bitPattern: received), Int64(bitPattern: last), station]
                )
                return last
            }
            return received == last ? previous : min(previous, received)
        }
        if created[station] == nil {
            created[station] = try StationRows.find(name: station, db)?.createdMillis ?? 0
        }
        let first = min(created[station]!, received)
        try db.cachedStatement(sql: "INSERT INTO sla_contacts (station, last_ms, previous_ms) VALUES (?, ?, ?)").execute(arguments: [station, Int64(bitPattern: received), Int64(bitPattern: first)]
        )
        return first
    }

    /// Each of `tickets`' whole history with counted times, and its current state (also
    /// returned as stored, for the writes that follow). Entries the engine has not read yet
    /// (only the server's own, see `fireTimers`) count at their receipt time. A ticket the store
    /// does not hold gets an empty history and no state.
    ///
    /// Only the entries past each ticket's line in `cache` are read and decoded; the history up
    /// to `counted` (the engine's cursor: every entry up to it has its counted time) is kept
    /// there for next time. Two statements per chunk of tickets: the entries by one join (each
    /// ticket from its own start position), the states by one `IN` list.
    static func contexts(
        of tickets: [TicketID], cache: SLAHistoryCache, counted cursor: Int64, _ db: Database
    ) throws -> [TicketID: TimerFiring.Ticket] {
        var result: [TicketID: TimerFiring.Ticket] = [:]
        result.reserveCapacity(tickets.count)
        for chunk in tickets.chunked(Self.chunk) {
            var cached: [TicketID: (entries: [SLALogEntry], through: Int64)] = [:]
            var arguments: [any DatabaseValueConvertible] = []
            arguments.reserveCapacity(chunk.count * 2)
            for ticket in chunk {
                let line = cache.history(of: ticket)
                if let line { cached[ticket] = line }
                arguments.append(Data(ticket.bytes))
                arguments.append(line?.through ?? 0)
            }
            // CROSS JOIN keeps the wanted tickets as the outer loop, so each is one seek into
            // operations_by_ticket from its own start.
            let rows = try Row.fetchAll(
                db.makeStatement(sql: """
                    WITH wanted(ticket, after) AS (VALUES \(Array(repeating: "(?, ?)", count: chunk.count).joined(separator: ", ")))
                    SELECT o.ticket, o.position, o.body, o.station, o.received_ms, c.counted_ms
                    FROM wanted w CROSS JOIN operations o LEFT JOIN sla_counted c ON c.position = o.position
                    WHERE o.ticket = w.ticket AND o.position > w.after
                    """),
                arguments: StatementArguments(arguments)
            )
            var fresh: [TicketID: [SLALogEntry]] = [:]
            for row in rows {
                let bytes: Data = row[0]
                let position: Int64 = row[1]
                guard let ticket = TicketID(bytes: [UInt8](bytes)) else {
                    throw ServerError(.storage, "the log entry at position \(position) names a damaged ticket id; restore the store from a backup")
                }
                let received = UInt64(bitPattern: row[4])
                let counted: Int64? = row[5]
                fresh[ticket, default: []].append(SLALogEntry(
                    position: position, operation: try LogRows.decode(row[2], at: position), station: row[3],
                    receivedMillis: received, countedMillis: counted.map { UInt64(bitPattern: $0) } ?? received
                ))
            }
            let states = try TicketRows.load(chunk, db)
            for ticket in chunk {
                var history = cached[ticket]?.entries ?? []
                if let more = fresh[ticket] {
                    history += more.sorted { $0.position < $1.position }
                    let settled = history.prefix { $0.position <= cursor }
                    if let last = settled.last, last.position > cached[ticket]?.through ?? 0 {
                        cache.keep(Array(settled), of: ticket, through: last.position)
                    }
                }
                result[ticket] = TimerFiring.Ticket(ticket: ticket, history: history, state: states[ticket])
            }
        }
        return result
    }

    /// Those of `tickets` that have log entries after `cursor` (with `stationsOnly`, only
    /// station operations: the ones the planner has not seen that could change a timer).
    static func entries(among tickets: Set<TicketID>, after cursor: Int64, stationsOnly: Bool, _ db: Database) throws -> Set<TicketID> {
        var found = Set<TicketID>()
        for chunk in Array(tickets).chunked(Self.chunk) {
            var arguments: [any DatabaseValueConvertible] = [cursor]
            arguments += chunk.map { Data($0.bytes) }
            let rows = try Data.fetchAll(
                db.makeStatement(sql: """
                    SELECT DISTINCT ticket FROM operations
                    WHERE position > ?\(stationsOnly ? " AND station <> ''" : "")
                        AND ticket IN (\(databaseQuestionMarks(count: chunk.count)))
                    """),
                arguments: StatementArguments(arguments)
            )
            for bytes in rows { if let ticket = TicketID(bytes: [UInt8](bytes)) { found.insert(ticket) } }
        }
        return found
    }

    /// The most tickets one statement names (two arguments each at most; SQLite allows 32,766).
    static let chunk = 1_000
}

extension Array {
    /// The array cut into consecutive pieces of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: Swift.max(1, size)).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
