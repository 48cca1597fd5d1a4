import ArgumentParser
import Foundation
import TicketModel
import TicketSyncClient
import TicketSyncProtocol

/// The process entry point: parses the command line, runs the command, and turns every failure
/// into one line on stderr (`ticketsync: error: …`) and an ``ExitStatus`` — never a stack trace.
@main
enum EntryPoint {
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try TicketSyncCommand.parseAsRoot()
        } catch {
            fail(error)
        }
        do {
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            fail(error)
        }
    }

    /// Prints the error as one line (plus candidate lines for an ambiguous id) and exits.
    /// Help, version and completion scripts arrive as argument-parser "errors" that succeed.
    static func fail(_ error: any Error) -> Never {
        let failure: CLIError
        switch error {
        case let error as CLIError: failure = error
        case let error as StationError: failure = CLIError(error)
        case let error as TicketModelError: failure = CLIError(error)
        case let error as SyncError: failure = CLIError(error)
        case is ExitCode, is CleanExit: TicketSyncCommand.exit(withError: error)
        default:
            let code = TicketSyncCommand.exitCode(for: error)
            if code.isSuccess { TicketSyncCommand.exit(withError: error) }
            if code == .validationFailure {
                failure = CLIError(.usage, lowercasedFirst(TicketSyncCommand.message(for: error)))
            } else {
                failure = CLIError(.software, "unexpected failure: \(error)")
            }
        }
        var lines = failure.message.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if lines.isEmpty { lines = ["failed"] }
        // Only ambiguous ids keep their extra lines (the candidates); anything else is one line.
        let text: String
        if failure.linePerProblem {
            text = lines.map { "ticketsync: error: " + $0 }.joined(separator: "\n")
        } else if failure.status == .ambiguous {
            text = "ticketsync: error: " + lines.joined(separator: "\n")
        } else {
            text = "ticketsync: error: " + lines.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        }
        FileHandle.standardError.write(Data((text + "\n").utf8))
        exit(failure.status.code)
    }

    /// argument-parser's messages start with a capital; ours do not.
    private static func lowercasedFirst(_ text: String) -> String {
        guard let first = text.first, first.isUppercase, text.dropFirst().first?.isLowercase ?? false else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
