internal import Foundation
internal import GRDB
internal import TicketModel

/// Writes and reads the `operations` and `outbox` tables.
///
/// A ticket's operations form a chain: each row's `prev` is the position of the ticket's previous
/// operation, and the ticket's row holds the position of its latest (`tickets.last_op`). Walking
/// the chain replaces an index by ticket, which every batch would write at random places.
enum OperationRows {
    /// Inserts operations, prepared once per transaction, dropping those the log holds already
    /// (``SeenOperations``). ``finish()`` must run before the transaction commits.
    struct Inserter {
        private let statement: RawStatement
        private var seen: SeenOperations
        /// Reused for every body, so encoding allocates nothing once it is large enough.
        private var body: [UInt8] = []

        init(_ db: Database) throws {
            statement = try RawStatement(db, sql: "INSERT INTO operations (replica, seq, prev, body) VALUES (?, ?, ?, ?)")
            seen = SeenOperations(db)
        }

        /// Inserts `op` after `prev` in its ticket's chain unless an operation with its id is
        /// there; returns its position, or nil if it was there.
        mutating func insert(_ op: TicketOperation, prev: Int64?) throws -> Int64? {
            guard try seen.insert(op.id) else { return nil }
            try statement.bind(1, Int64(bitPattern: op.id.replica.rawValue))
            try statement.bind(2, Int64(bitPattern: op.id.seq))
            try statement.bind(3, prev)
            OperationCodec.encodeOne(op, into: &body)
            try statement.bind(4, bytes: body)
            try statement.run()
            return statement.lastInsertedRowID
        }

        /// Records which operations the log now holds.
        mutating func finish() throws {
            try seen.save()
        }
    }

    /// Queues one of this station's operations, inserted at `position`, for the server.
    static func addToOutbox(_ op: TicketOperation, at position: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO outbox (seq, position) VALUES (?, ?)").execute(arguments: [Int64(op.id.seq), position])
    }

    /// Deletes these operations (at their positions, with their ids) from the log; one already
    /// gone is left alone.
    static func delete(_ entries: [(position: Int64, id: OperationID)], _ db: Database) throws {
        var seen = SeenOperations(db)
        let statement = try db.cachedStatement(sql: "DELETE FROM operations WHERE position = ?")
        for entry in entries {
            try statement.execute(arguments: [entry.position])
            try seen.remove(entry.id)
        }
        try seen.save()
    }

    static func decode(_ bytes: some Collection<UInt8>) throws -> TicketOperation {
        guard let op = try OperationCodec.decode(bytes).first else {
            throw StationError(.store, "an empty operation row; run 'ticketsync repair'")
        }
        return op
    }

    static func decode(_ data: Data) throws -> TicketOperation {
        try decode([UInt8](data))
    }

    /// Every operation on one ticket with its position, in the order this station accepted them.
    static func chain(_ ticket: TicketID, _ db: Database) throws -> [(position: Int64, op: TicketOperation)] {
        let head = try RawStatement(db, sql: "SELECT last_op FROM tickets WHERE id = ?")
        try head.bind(1, ticket: ticket)
        guard let last = try head.first({ $0.int64(0) }) else { return [] }
        return try walk(ticket, from: last, after: 0, db)
    }

    /// Every operation on one ticket, in the order this station accepted them.
    static func forTicket(_ ticket: TicketID, _ db: Database) throws -> [TicketOperation] {
        try chain(ticket, db).map(\.op)
    }

    /// The chain of `ticket` from position `last` back to (not including) position `floor`, oldest
    /// first.
    static func walk(_ ticket: TicketID, from last: Int64?, after floor: Int64, _ db: Database) throws -> [(position: Int64, op: TicketOperation)] {
        let statement = try RawStatement(db, sql: "SELECT prev, body FROM operations WHERE position = ?")
        var result: [(position: Int64, op: TicketOperation)] = []
        var next = last
        while let position = next, position > floor {
            try statement.bind(1, position)
            let found = try statement.first { columns -> (Int64?, TicketOperation) in
                (columns.optionalInt64(0), try columns.withBytes(1) { try decode($0) })
            }
            guard let (prev, op) = found, op.ticket == ticket, prev.map({ $0 < position }) ?? true else {
                throw StationError(.store, "the operation log of ticket \(ticket) is damaged; run 'ticketsync repair'")
            }
            result.append((position, op))
            next = prev
        }
        result.reverse()
        return result
    }

    /// Links the operations at `positions` (ascending) into one chain, in that order.
    static func relink(_ positions: [Int64], _ db: Database) throws {
        let statement = try RawStatement(db, sql: "UPDATE operations SET prev = ? WHERE position = ?")
        var prev: Int64?
        for position in positions {
            try statement.bind(1, prev)
            try statement.bind(2, position)
            try statement.run()
            prev = position
        }
    }

    /// The operation with this id on `ticket`'s chain, which ends at `head` (its latest
    /// operation), if there.
    static func find(_ id: OperationID, on ticket: TicketID, from head: Int64?, _ db: Database) throws -> TicketOperation? {
        try walk(ticket, from: head, after: 0, db).first { $0.op.id == id }?.op
    }

    /// Every operation, in the order accepted, in pages (so a large store is not read at once).
    static func forEach(_ db: Database, _ body: (TicketOperation) throws -> Void) throws {
        try forEachLinked(db) { _, _, op in try body(op) }
    }

    /// Every operation with its position and chain link, in the order accepted.
    static func forEachLinked(_ db: Database, _ body: (_ position: Int64, _ prev: Int64?, TicketOperation) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db, sql: "SELECT position, prev, body FROM operations ORDER BY position")
        while let row = try cursor.next() {
            let encoded: Data = row[2]
            try body(row[0], row[1], try decode(encoded))
        }
    }
}
