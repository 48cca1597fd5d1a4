public import TicketModel
internal import Foundation
internal import GRDB

/// Reading tickets back: lookups by id prefix, lists with filters, full tickets with history.
extension Station {
    /// Finds the ticket whose id starts with `prefix` (hexadecimal digits, dashes ignored, at
    /// least 4 digits), like git finds commits. Throws ``StationError/Code/ambiguous`` listing
    /// the candidates when several match, ``StationError/Code/notFound`` when none does.
    public func ticketID(matching prefix: String) throws(StationError) -> TicketID {
        let digits = prefix.lowercased().filter { $0 != "-" }
        guard digits.count >= 4, digits.count <= 32, digits.allSatisfy(\.isHexDigit) else {
            throw StationError(.notFound, "'\(prefix.prefix(40))' is not a ticket id or id prefix (4 to 32 hex digits)")
        }
        let padded = digits.padding(toLength: 32, withPad: "0", startingAt: 0)
        let low = TicketID(padded)!
        let candidates: [TicketID] = try withCurrentRows { db in
                try Data.fetchAll(
                    db, sql: "SELECT id FROM tickets WHERE id >= ? AND is_created ORDER BY id LIMIT 11",
                    arguments: [Data(low.bytes)]
                )
                .compactMap { TicketID(bytes: [UInt8]($0)) }
                .filter { $0.compactHex.hasPrefix(digits) }
        }
        switch candidates.count {
        case 0: throw StationError(.notFound, "no ticket id starts with '\(digits)'")
        case 1: return candidates[0]
        default:
            let list = candidates.prefix(10).map { "  \($0)" }.joined(separator: "\n")
            throw StationError(.ambiguous, "'\(digits)' matches several tickets; give more digits:\n\(list)")
        }
    }

    /// Tickets matching `query`, in its order.
    public func list(_ query: TicketQuery) throws(StationError) -> [TicketSummary] {
        var conditions = ["is_created"]
        var arguments: [any DatabaseValueConvertible] = []
        func inList(_ column: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            conditions.append("\(column) IN (\(values.map { _ in "?" }.joined(separator: ",")))")
            arguments += values
        }
        func equal(_ column: String, _ value: String?) {
            guard let value else { return }
            if value.isEmpty {
                conditions.append("\(column) IS NULL")
            } else {
                conditions.append("\(column) = ?")
                arguments.append(value)
            }
        }
        inList("status", query.statuses.map(\.rawValue))
        inList("priority", query.priorities.map(\.rawValue))
        equal("category", query.category)
        equal("site", query.site)
        equal("assignee", query.assignee)
        equal("team", query.group)
        for tag in query.tags {
            conditions.append("instr(tags, ?) > 0")
            arguments.append(" \(tag) ")
        }
        if let text = query.text, !text.isEmpty {
            let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
            conditions.append(
                "(title LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' OR order_ref LIKE ? ESCAPE '\\' OR requester LIKE ? ESCAPE '\\')"
            )
            arguments += [pattern, pattern, pattern, pattern]
        }
        let order: String
        switch query.order {
        case .updated: order = "updated_ms DESC, id"
        case .created: order = "created_ms DESC, id"
        case .priority: order = "priority_rank DESC, updated_ms DESC, id"
        case .status: order = "status_rank, updated_ms DESC, id"
        case .tier: order = "tier DESC, updated_ms DESC, id"
        }
        var sql = "SELECT \(TicketRow.summaryColumns) FROM tickets WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order)"
        if let limit = query.limit {
            sql += " LIMIT ?"
            arguments.append(max(0, limit))
        }
        let statementArguments = StatementArguments(arguments.map { Optional($0) })
        return try withCurrentRows { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(TicketRow.summary)
        }
    }

    /// The whole ticket: every field, tags, watchers, comments and escalations.
    public func ticket(_ id: TicketID) throws(StationError) -> Ticket {
        guard let ticket = try replica(of: id).ticket(id) else {
            throw StationError(.notFound, "no ticket \(id) at this station")
        }
        return ticket
    }

    /// The ticket's history, oldest first, with the outcome of every field write.
    public func history(of id: TicketID) throws(StationError) -> [HistoryEntry] {
        try replica(of: id).history(of: id)
    }

    /// Every ticket, in id order, built from the operation log.
    public func allTickets() throws(StationError) -> [Ticket] {
        try fullReplica().allTickets
    }

    /// The digest of this station's state; equal at two replicas that applied the same operations.
    public func digest() throws(StationError) -> StateDigest {
        try fullReplica().digest()
    }

    /// An in-memory replica of one ticket, from its operations.
    func replica(of id: TicketID) throws(StationError) -> TicketReplica {
        let operations = try withCurrentRows { db in try OperationRows.forTicket(id, db) }
        return TicketReplica.replaying(operations, as: replica)
    }

    /// An in-memory replica of everything, from the operation log.
    func fullReplica() throws(StationError) -> TicketReplica {
        try storeCall {
            try database.read { db in
                var operations: [TicketOperation] = []
                try OperationRows.forEach(db) { operations.append($0) }
                return TicketReplica.replaying(operations, as: replica)
            }
        }
    }
}
