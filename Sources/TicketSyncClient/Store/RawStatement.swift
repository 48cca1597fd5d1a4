internal import Foundation
internal import GRDB
internal import GRDBSQLite
internal import TicketModel

/// A statement GRDB prepared and caches, run with values bound straight through SQLite's C API.
///
/// Only for the store's hot writes and lookups (operation inserts, ticket rows, chain walks),
/// inside a transaction GRDB already opened: binding through `StatementArguments` boxes every
/// value, which cost more than SQLite's own work for a ticket row. These statements never begin
/// or end transactions and the station registers no GRDB transaction observers, so nothing GRDB
/// tracks is skipped. Each use binds every parameter again and resets the statement afterwards.
struct RawStatement {
    let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer?

    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw failure(code) }
    }

    private func failure(_ code: Int32) -> DatabaseError {
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }

    func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ index: Int32, _ value: Int64?) throws {
        if let value { try bind(index, value) } else { try check(sqlite3_bind_null(handle, index)) }
    }

    func bind(_ index: Int32, _ value: Bool) throws {
        try bind(index, value ? 1 : 0)
    }

    /// Text, or NULL for nil.
    func bind(_ index: Int32, _ text: String?) throws {
        guard var text else {
            try check(sqlite3_bind_null(handle, index))
            return
        }
        let code = text.withUTF8 { utf8 -> Int32 in
            // An empty buffer may have no address, which SQLite would read as NULL.
            if utf8.isEmpty { return sqlite3_bind_text(handle, index, "", 0, nil) }
            return utf8.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), Self.transient)
            }
        }
        try check(code)
    }

    func bind(_ index: Int32, bytes: [UInt8]) throws {
        let code = bytes.withUnsafeBytes { buffer in
            buffer.isEmpty
                ? sqlite3_bind_zeroblob(handle, index, 0)
                : sqlite3_bind_blob(handle, index, buffer.baseAddress, Int32(buffer.count), Self.transient)
        }
        try check(code)
    }

    /// A ticket id as its 16 big-endian bytes (as `Data(id.bytes)` stores it).
    func bind(_ index: Int32, ticket: TicketID) throws {
        var halves = (ticket.high.bigEndian, ticket.low.bigEndian)
        let code = withUnsafeBytes(of: &halves) { buffer in
            sqlite3_bind_blob(handle, index, buffer.baseAddress, 16, Self.transient)
        }
        try check(code)
    }

    /// Runs a statement that returns no rows.
    func run() throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw failure(code) }
    }

    /// Runs a query and reads its first row, if any, with `body`.
    func first<T>(_ body: (Columns) throws -> T) throws -> T? {
        defer { sqlite3_reset(handle) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return try body(Columns(handle: handle))
        case SQLITE_DONE: return nil
        case let code: throw failure(code)
        }
    }

    /// Runs a query and reads every row with `body`, in order.
    func forEach(_ body: (Columns) throws -> Void) throws {
        defer { sqlite3_reset(handle) }
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_ROW: try body(Columns(handle: handle))
            case SQLITE_DONE: return
            case let code: throw failure(code)
            }
        }
    }

    /// Rows changed by the last run (0 when an `INSERT OR IGNORE` ignored its row).
    var changes: Int { Int(sqlite3_changes(connection)) }

    /// The rowid of the last inserted row.
    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    /// The columns of the current row.
    struct Columns {
        fileprivate let handle: OpaquePointer

        func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }
        func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }
        func optionalInt64(_ index: Int32) -> Int64? { isNull(index) ? nil : int64(index) }

        /// The column's bytes, valid only inside `body`.
        func withBytes<T>(_ index: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
            let pointer = sqlite3_column_blob(handle, index)
            let count = Int(sqlite3_column_bytes(handle, index))
            return try body(UnsafeRawBufferPointer(start: count == 0 ? nil : pointer, count: count))
        }
    }
}
