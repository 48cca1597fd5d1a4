import ArgumentParser
import Foundation
import Logging
import TicketSyncServer
import TicketSyncServerPostgres
import TicketSyncServerSQLite

/// `--data-dir` and `--database`, shared by every command that opens the server's store.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The server's data directory (default ./ticketsync-data).", valueName: "DIR"), completion: .directory)
    var option: String?

    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "Keep the store in PostgreSQL instead of SQLite in the data directory (several nodes may share it). "
                + "The password may come from PGPASSWORD instead of the URL.",
            valueName: "postgres://USER@HOST:PORT/DB"
        )
    )
    var database: String?

    /// Whether `--data-dir` was given (a configuration file may set it otherwise).
    var explicitlySet: Bool { option != nil }

    /// The data directory.
    var dataDirectory: String {
        get { option ?? "./ticketsync-data" }
        set { option = newValue }
    }

    /// The embedded store in the data directory, created if missing.
    func openStore() throws -> any ServerStore {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ServerError(.storage, "cannot create the data directory \(dataDirectory): \(error.localizedDescription)")
        }
        return try SQLiteServerStore(path: dataDirectory + "/server.sqlite")
    }
}

extension DataDirectoryOptions {
    /// The PostgreSQL URL, parsed, if `--database` was given.
    func databaseURL() throws(ServerError) -> DatabaseURL? {
        try database.map { text throws(ServerError) in try DatabaseURL(parsing: text) }
    }

    /// Runs `body` with the store: SQLite in the data directory, or, with `--database`,
    /// PostgreSQL (its connection pool running beside `body`, the schema migrated to this build's
    /// version first, and the pool closed after). `body` also gets the PostgreSQL store itself.
    func withStore<T: Sendable>(
        logger: Logger = Logger(label: "ticketsyncd"),
        _ body: @Sendable (any ServerStore, PostgresServerStore?) async throws -> T
    ) async throws -> T {
        guard let url = try databaseURL() else { return try await body(try openStore(), nil) }
        let store = PostgresServerStore(database: url, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await store.run()
                return nil
            }
            defer { group.cancelAll() }
            try await store.open()
            return try await body(store, store)
        }
    }
}

/// Maps errors to one line on stderr and an exit code, the same way for every command.
enum Failure {
    static func exit(_ error: ServerError) -> ExitCode {
        FileHandle.standardError.write(Data("ticketsyncd: error: \(error.message)\n".utf8))
        switch error.code {
        case .invalidArgument: return ExitCode(65)
        case .notFound: return ExitCode(66)
        case .alreadyExists: return ExitCode(73)
        default: return ExitCode(74)
        }
    }

    /// Runs `body`, turning a ``ServerError`` into its exit code.
    static func guarding<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ServerError {
            throw exit(error)
        }
    }
}

/// Prints a JSON object with sorted keys.
func printJSON(_ object: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

/// A logger that drops everything: one-shot commands print their own results (stdout may be JSON).
let quietLogger = Logger(label: "ticketsyncd", factory: { _ in SwiftLogNoOpLogHandler() })
