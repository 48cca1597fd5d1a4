internal import TicketSyncServer

/// Pull cursors of this store: a log position in decimal (`"42"`); `"0"` is before the first entry.
/// The same text as the SQLite store's, and the same meaning, because appends are serialised
/// across every node by the `log_head` row (see docs/cursor.md for why that never skips).
enum LogCursor {
    /// The cursor of the entry at `position`.
    static func text(_ position: Int64) -> String { String(position) }

    /// The position a cursor names, or nil if it is not a canonical non-negative decimal.
    static func position(_ cursor: String) -> Int64? {
        guard !cursor.isEmpty, cursor.utf8.count <= 19, cursor.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let value = Int64(cursor), String(value) == cursor
        else { return nil }
        return value
    }

    /// The position a cursor names, or an `invalidArgument` error that quotes it.
    static func require(_ cursor: String) throws(ServerError) -> Int64 {
        guard let position = position(cursor) else {
            throw ServerError(.invalidArgument, "cursor '\(cursor.prefix(40))' is not a position in this server's log (a decimal number)")
        }
        return position
    }
}
