import ArgumentParser
import Foundation
import TicketSyncServer
import TicketSyncServerPostgres

/// `ticketsyncd migrate --database URL`: bring a PostgreSQL store's schema to this build's
/// version (serve and the other commands do the same on start; this lets an operator do it once,
/// before rolling out new nodes). A database written by a newer ticketsyncd is refused.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the server store's schema (PostgreSQL with --database; SQLite in the data directory otherwise)."
    )
    @OptionGroup var data: DataDirectoryOptions
    @Flag(help: "Print JSON: {\"from\", \"to\"} (schema versions; PostgreSQL only).") var json = false

    func run() async throws {
        try await Failure.guarding {
            guard let url = try data.databaseURL() else {
                // The SQLite store migrates whenever it is opened.
                _ = try data.openStore()
                print("the SQLite store in \(data.dataDirectory) is at this build's schema")
                return
            }
            let store = PostgresServerStore(database: url, logger: quietLogger)
            let outcome = try await withThrowingTaskGroup(of: (from: Int, to: Int)?.self) { group in
                group.addTask {
                    try await store.run()
                    return nil
                }
                defer { group.cancelAll() }
                return try await store.open()
            }
            if json {
                try printJSON(["from": outcome.from, "to": outcome.to, "database": url.description])
            } else if outcome.from == outcome.to {
                print("\(url): schema already at version \(outcome.to)")
            } else {
                print("\(url): schema migrated from version \(outcome.from) to \(outcome.to)")
            }
        }
    }
}
