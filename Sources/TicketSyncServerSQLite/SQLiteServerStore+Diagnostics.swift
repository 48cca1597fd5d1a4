internal import GRDB
package import TicketSyncServer

/// Checks on the file the store writes, for status output and for the tests.
extension SQLiteServerStore {
    /// The journal mode and `synchronous` level of the connection that writes: `("wal", 2)`
    /// means every commit is synced (FULL).
    package func durabilitySettings() async throws(ServerError) -> (journalMode: String, synchronous: Int) {
        try await writing("reading the durability settings", transaction: false) { db in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
            let level = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            return (mode, level)
        }
    }

    /// Lets the file grow by at most `pages` more pages through this handle (nil: lifts the cap),
    /// so a test can see what a full disk does: writes past the cap fail with `SQLITE_FULL`.
    package func capGrowth(pages: Int?) async throws(ServerError) {
        try await writing("capping the store's size", transaction: false) { db in
            let limit = try pages.map { try (Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0) + $0 } ?? 4_294_967_294
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(limit)")
        }
    }
}
