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

    /// The ticket's whole history with counted times, and its current state (also returned as
    /// stored, for the writes that follow). Entries the engine has not read yet (only the
    /// server's own, see `fireTimers`) count at their receipt time.
    ///
    /// Only the entries past the ticket's line in `cache` are read and decoded; the history up to
    /// `counted` (the engine's cursor: every entry up to it has its counted time) is kept there
    /// for next time.
    static func context(
        of ticket: TicketID, cache: SLAHistoryCache, counted cursor: Int64, _ db: Database
    ) throws -> (context: SLATicketContext, state: TicketState?) {
        let cached = cache.history(of: ticket)
        var history = cached?.entries ?? []
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: """
                SELECT o.position, o.body, o.station, o.received_ms, c.counted_ms
                FROM operations o LEFT JOIN sla_counted c ON c.position = o.position
                WHERE o.ticket = ? AND o.position > ? ORDER BY o.position
                """),
            arguments: [Data(ticket.bytes), cached?.through ?? 0]
        )
        history.reserveCapacity(history.count + rows.count)
        for row in rows {
            let position: Int64 = row["position"]
            let received = UInt64(bitPattern: row["received_ms"])
            let counted: Int64? = row["counted_ms"]
            history.append(SLALogEntry(
                position: position, operation: try LogRows.decode(row["body"], at: position), station: row["station"],
                receivedMillis: received, countedMillis: counted.map { UInt64(bitPattern: $0) } ?? received
            ))
        }
        if !rows.isEmpty {
            let settled = history.prefix { $0.position <= cursor }
            if let last = settled.last, last.position > cached?.through ?? 0 {
                cache.keep(Array(settled), of: ticket, through: last.position)
            }
        }
        let state = try TicketRows.load(ticket, db)
        let current = state.flatMap { $0.created != nil ? $0.view : nil }
        let context = SLATicketContext(
            ticket: ticket, history: history, current: current,
            placement: state?.placement ?? TicketPlacement(site: nil, team: nil)
        )
        return (context, state)
    }

    /// Whether the ticket has station operations after `cursor` (not yet planned).
    static func hasUnplanned(_ ticket: TicketID, after cursor: Int64, _ db: Database) throws -> Bool {
        let statement = try db.cachedStatement(
            sql: "SELECT EXISTS (SELECT 1 FROM operations WHERE ticket = ? AND position > ? AND station <> '')"
        )
        return try Bool.fetchOne(statement, arguments: [Data(ticket.bytes), cursor]) ?? false
    }
}
