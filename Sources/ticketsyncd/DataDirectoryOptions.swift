import ArgumentParser
import Foundation
import TicketSyncServer
import TicketSyncServerSQLite

/// `--data-dir`, shared by every command that opens the server's store.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The server's data directory (default ./ticketsync-data).", valueName: "DIR"), completion: .directory)
    var option: String?

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
