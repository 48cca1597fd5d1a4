import Foundation
import Logging
import Synchronization
import Testing
import TicketSyncServer
import TicketSyncServerPostgres
import TicketSyncServerSQLite
import TicketTestSupport

/// A `ServerStore` back end under test. Every generic test takes one as its argument, so the same
/// test bodies run against each back end: SQLite, and PostgreSQL on a throwaway cluster that this
/// test process starts (see `PostgresTestCluster`; left out with a message where PostgreSQL is
/// not installed, except with CI=true, where its tests fail instead).
struct StoreBackEnd: Sendable, CustomTestStringConvertible {
    let name: String
    /// A fresh, empty place for one test's store.
    let makeLocation: @Sendable () async throws -> any StoreLocation

    var testDescription: String { name }

    static let sqlite = StoreBackEnd(name: "sqlite") { try SQLiteLocation() }

    static let postgres = StoreBackEnd(name: "postgres") { try await PostgresLocation() }

    static let all: [StoreBackEnd] = PostgresTestCluster.isAvailable ? [.sqlite, .postgres] : [.sqlite]
}

/// Where one test's store lives. ``open()`` makes a new handle on the same data (a restart); the
/// data is removed when the location is dropped.
protocol StoreLocation: AnyObject {
    func open() async throws -> any ServerStore
}

/// A new database on the test cluster. Each ``open()`` is a new store with its own connection
/// pool (a restart, or another node); the pools run until the location is dropped.
final class PostgresLocation: StoreLocation, Sendable {
    let url: String
    private let runs = Mutex<[Task<Void, Never>]>([])

    init() async throws { url = try await PostgresTestCluster.shared().makeDatabase() }

    func open() async throws -> any ServerStore { try await openPostgres() }

    func openPostgres() async throws -> PostgresServerStore {
        let store = PostgresServerStore(database: try DatabaseURL(parsing: url), logger: Logger(label: "test"))
        // The pool's run belongs to this location and is cancelled when it is dropped.
        let run = Task { do { try await store.run() } catch {} }
        runs.withLock { $0.append(run) }
        try await store.open()
        return store
    }

    deinit { runs.withLock { $0.forEach { $0.cancel() } } }
}

/// A SQLite file in a temporary folder.
final class SQLiteLocation: StoreLocation {
    let folder: TemporaryFolder
    var path: String { folder.path("server.sqlite") }

    init() throws { folder = try TemporaryFolder() }

    func open() async throws -> any ServerStore { try SQLiteServerStore(path: path) }
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
