import Foundation
import Testing
import TicketSyncServer
import TicketSyncServerSQLite

/// A `ServerStore` back end under test. Every generic test takes one as its argument, so the same
/// test bodies run against each back end (SQLite now; PostgreSQL joins `all` later).
struct StoreBackEnd: Sendable, CustomTestStringConvertible {
    let name: String
    /// A fresh, empty place for one test's store.
    let makeLocation: @Sendable () throws -> any StoreLocation

    var testDescription: String { name }

    static let sqlite = StoreBackEnd(name: "sqlite") { try SQLiteLocation() }

    static let all: [StoreBackEnd] = [.sqlite]
}

/// Where one test's store lives. ``open()`` makes a new handle on the same data (a restart); the
/// data is removed when the location is dropped.
protocol StoreLocation: AnyObject {
    func open() throws -> any ServerStore
}

/// A SQLite file in a temporary folder.
final class SQLiteLocation: StoreLocation {
    let folder: TemporaryFolder
    var path: String { folder.path("server.sqlite") }

    init() throws { folder = try TemporaryFolder() }

    func open() throws -> any ServerStore { try SQLiteServerStore(path: path) }
}

/// A temporary folder removed when the value is dropped.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-server-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
