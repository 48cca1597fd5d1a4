internal import Foundation
internal import GRDB
internal import TicketModel

/// Where a ticket's row stands: what a cache entry must remember to write the row again.
struct TicketRowInfo: Sendable, Hashable {
    /// `tickets.key`.
    var key: Int64
    /// `tickets.version`: a new random number at every save.
    var version: Int64
    /// `tickets.last_op`: the position of the ticket's latest operation (its chain's head).
    var lastOp: Int64
    /// How many operations the stored state snapshot (`ticket_states`) holds; 0 if none.
    var snapshotOperations: Int
}

/// Writes and reads the `tickets` table (one row per ticket: the query columns, derived from its
/// CRDT state) and `ticket_states` (a snapshot of the fields-only CRDT state, written every
/// ``snapshotInterval`` operations). A ticket's state is its snapshot plus the operations of its
/// chain after the snapshot.
enum TicketRow {
    /// A ticket's state snapshot is written again once this many operations were applied since
    /// the last one, so rebuilding a state reads at most this many operations beyond it.
    static let snapshotInterval = 32

    /// The columns a save writes, after `key` or `id` (parameter 1).
    private static let columns = [
        "is_created", "title", "description", "status", "priority", "priority_rank", "status_rank",
        "category", "site", "assignee", "team", "requester", "order_ref", "tags", "tier", "created_ms",
        "updated_ms", "op_count", "last_op", "version",
    ]
    private static let insertSQL =
        "INSERT INTO tickets (id, \(columns.joined(separator: ", "))) VALUES (\((1...columns.count + 1).map { "?\($0)" }.joined(separator: ", ")))"
    private static let updateSQL =
        "UPDATE tickets SET \(columns.enumerated().map { "\($1) = ?\($0 + 2)" }.joined(separator: ", ")) WHERE key = ?1"

    /// Writes ticket rows, prepared once per transaction.
    struct Writer {
        private let insert: RawStatement
        private let update: RawStatement
        private let snapshot: RawStatement

        init(_ db: Database) throws {
            insert = try RawStatement(db, sql: insertSQL)
            update = try RawStatement(db, sql: updateSQL)
            snapshot = try RawStatement(db, sql: "INSERT OR REPLACE INTO ticket_states (ticket, through_op, state) VALUES (?, ?, ?)")
        }

        /// Writes the row of `state`, whose latest operation is at `lastOp`: an update of `row` if
        /// given (it must be current), else a new row. `version` must differ from the row's
        /// current one. Returns where the row now stands.
        func save(
            _ state: TicketState, row: TicketRowInfo?, lastOp: Int64, version: Int64, forceSnapshot: Bool = false
        ) throws -> TicketRowInfo {
            let statement = row == nil ? insert : update
            if let row { try statement.bind(1, row.key) } else { try statement.bind(1, ticket: state.id) }
            try TicketRow.bindColumns(state, lastOp: lastOp, version: version, to: statement)
            try statement.run()
            guard statement.changes == 1 else {
                throw StationError(.store, "the row of ticket \(state.id) changed while it was being written; try again")
            }
            var saved = TicketRowInfo(
                key: row?.key ?? statement.lastInsertedRowID, version: version, lastOp: lastOp,
                snapshotOperations: row?.snapshotOperations ?? 0
            )
            if forceSnapshot || state.operationCount - saved.snapshotOperations >= snapshotInterval {
                try snapshot.bind(1, saved.key)
                try snapshot.bind(2, lastOp)
                try snapshot.bind(3, bytes: state.storeEncoded())
                try snapshot.run()
                saved.snapshotOperations = state.operationCount
            }
            return saved
        }
    }

    private static func bindColumns(_ state: TicketState, lastOp: Int64, version: Int64, to statement: RawStatement) throws {
        func text(_ field: FieldKey) -> String? {
            switch state.value(of: field) {
            case .text(let text)?: return text.isEmpty ? nil : text
            case .integer(let value)?: return String(value)
            default: return nil
            }
        }
        let status = text(.status).flatMap(TicketStatus.init(rawValue:)) ?? .open
        let priority = text(.priority).flatMap(TicketPriority.init(rawValue:)) ?? .normal
        let tags = state.elements(of: .tags)
        try statement.bind(2, state.created != nil)
        try statement.bind(3, text(.title))
        try statement.bind(4, text(.description))
        try statement.bind(5, status.rawValue)
        try statement.bind(6, priority.rawValue)
        try statement.bind(7, Int64(TicketPriority.allCases.firstIndex(of: priority)!))
        try statement.bind(8, Int64(TicketStatus.allCases.firstIndex(of: status)!))
        try statement.bind(9, text(.category))
        try statement.bind(10, text(.site))
        try statement.bind(11, text(.assignee))
        try statement.bind(12, text(.group))
        try statement.bind(13, text(.requester))
        try statement.bind(14, text(.orderRef))
        try statement.bind(15, tags.isEmpty ? "" : " " + tags.joined(separator: " ") + " ")
        try statement.bind(16, Int64(state.tier))
        try statement.bind(17, state.created.map { Int64(bitPattern: $0.stamp.timestamp.millis) })
        try statement.bind(18, state.updatedStamp.map { Int64(bitPattern: $0.timestamp.millis) })
        try statement.bind(19, Int64(state.operationCount))
        try statement.bind(20, lastOp)
        try statement.bind(21, version)
    }

    /// The ticket's state (its snapshot and the operations after it) and where its row stands,
    /// if it has a row.
    static func load(_ id: TicketID, _ db: Database) throws -> (TicketState, TicketRowInfo)? {
        let rowStatement = try RawStatement(db, sql: "SELECT key, version, last_op, op_count FROM tickets WHERE id = ?")
        try rowStatement.bind(1, ticket: id)
        guard let (key, version, lastOp, count) = try rowStatement.first({ ($0.int64(0), $0.int64(1), $0.int64(2), $0.int64(3)) }) else {
            return nil
        }
        let snapshotStatement = try RawStatement(db, sql: "SELECT through_op, state FROM ticket_states WHERE ticket = ?")
        try snapshotStatement.bind(1, key)
        let snapshot = try snapshotStatement.first { columns in
            (columns.int64(0), columns.withBytes(1) { buffer in Result { () throws(TicketModelError) in try TicketState(storeEncoded: buffer) } })
        }
        var state = TicketState(id: id, retainsDetail: false)
        var through: Int64 = 0
        if let (throughOp, decoded) = snapshot {
            switch decoded {
            case .success(let snapshotState) where snapshotState.id == id:
                state = snapshotState
                through = throughOp
            case .success:
                throw damaged(id, "its state snapshot belongs to another ticket")
            case .failure(let error):
                throw damaged(id, error.message)
            }
        }
        let snapshotOperations = state.operationCount
        for (_, op) in try OperationRows.walk(id, from: lastOp, after: through, db) { state.apply(op) }
        guard state.operationCount == count else {
            throw damaged(id, "\(state.operationCount) operations found, \(count) expected")
        }
        return (state, TicketRowInfo(key: key, version: version, lastOp: lastOp, snapshotOperations: snapshotOperations))
    }

    private static func damaged(_ id: TicketID, _ reason: String) -> StationError {
        StationError(.store, "the stored state of ticket \(id) is damaged (\(reason)); run 'ticketsync repair'")
    }

    /// The row's version, if the ticket has a row.
    static func version(_ id: TicketID, _ db: Database) throws -> Int64? {
        let statement = try RawStatement(db, sql: "SELECT version FROM tickets WHERE id = ?")
        try statement.bind(1, ticket: id)
        return try statement.first { $0.int64(0) }
    }

    /// Removes the ticket's row and state snapshot.
    static func delete(_ id: TicketID, _ db: Database) throws {
        let key = Data(id.bytes)
        try db.execute(sql: "DELETE FROM ticket_states WHERE ticket IN (SELECT key FROM tickets WHERE id = ?)", arguments: [key])
        try db.execute(sql: "DELETE FROM tickets WHERE id = ?", arguments: [key])
    }

    /// Removes every ticket's row and state snapshot.
    static func deleteAll(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM ticket_states; DELETE FROM tickets")
    }

    /// Rebuilds the ticket from `chain`, its operations still in the log in the order accepted
    /// (the others were deleted): links them into one chain again and writes a new row and
    /// snapshot, or removes the row if none remain.
    static func rebuild(_ id: TicketID, from chain: [(position: Int64, op: TicketOperation)], _ db: Database) throws {
        try OperationRows.relink(chain.map(\.position), db)
        try delete(id, db)
        guard let last = chain.last else { return }
        var state = TicketState(id: id, retainsDetail: false)
        for (_, op) in chain { state.apply(op) }
        _ = try Writer(db).save(state, row: nil, lastOp: last.position, version: .random(in: .min ... .max), forceSnapshot: true)
    }

    static let summaryColumns = "id, title, status, priority, category, site, assignee, team, tags, tier, created_ms, updated_ms"

    static func summary(_ row: Row) -> TicketSummary {
        let id = TicketID(bytes: [UInt8](row["id"] as Data)) ?? TicketID(high: 0, low: 0)
        let tags: String = row["tags"]
        return TicketSummary(
            id: id,
            title: row["title"] ?? "",
            status: (row["status"] as String?).flatMap(TicketStatus.init(rawValue:)) ?? .open,
            priority: (row["priority"] as String?).flatMap(TicketPriority.init(rawValue:)) ?? .normal,
            category: row["category"], site: row["site"], assignee: row["assignee"], group: row["team"],
            tags: tags.split(separator: " ").map(String.init),
            tier: row["tier"],
            createdMillis: UInt64(bitPattern: row["created_ms"] ?? 0),
            updatedMillis: UInt64(bitPattern: row["updated_ms"] ?? 0)
        )
    }
}
