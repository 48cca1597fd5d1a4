/// Pull cursors of both server stores: a log position in decimal (`"42"`); `"0"` is before the
/// first entry.
///
/// Why `position > cursor` never skips an entry (the PostgreSQL pitfall in NOTES.md): every
/// append takes its positions and commits before the next writer starts — SQLite has one writer
/// at a time across connections and processes (an IMMEDIATE transaction), and on PostgreSQL every
/// node's append first locks the one `log_head` row (docs/cursor.md). So no entry with a lower
/// position can become visible after one with a higher position.
package enum LogCursor {
    /// The cursor of the entry at `position`.
    package static func text(_ position: Int64) -> String { String(position) }

    /// The position a cursor names, or nil if it is not a canonical non-negative decimal.
    package static func position(_ cursor: String) -> Int64? {
        guard !cursor.isEmpty, cursor.utf8.count <= 19, cursor.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let value = Int64(cursor), String(value) == cursor
        else { return nil }
        return value
    }

    /// The position a cursor names, or an `invalidArgument` error that quotes it.
    package static func require(_ cursor: String) throws(ServerError) -> Int64 {
        guard let position = position(cursor) else {
            throw ServerError(.invalidArgument, "cursor '\(cursor.prefix(40))' is not a position in this server's log (a decimal number)")
        }
        return position
    }
}
