import TicketModel
import TicketSyncClient
import TicketSyncProtocol

/// A failure the CLI reports itself: one message and the exit status of its kind.
///
/// Library errors (``StationError``, ``TicketModelError``) keep their own messages; they are
/// converted here so that the entry point has one thing to print.
struct CLIError: Error, CustomStringConvertible {
    /// The exit status.
    let status: ExitStatus
    /// What is wrong and, where there is one, the fix. May carry extra lines (candidates).
    let message: String
    /// Whether each line of the message is an error of its own (policy file problems), printed
    /// one per line rather than joined.
    var linePerProblem = false

    /// Creates an error of the given kind.
    init(_ status: ExitStatus, _ message: String, linePerProblem: Bool = false) {
        self.status = status
        self.message = message
        self.linePerProblem = linePerProblem
    }

    /// A value the CLI itself refuses before asking the station.
    static func invalid(_ message: String) -> CLIError { CLIError(.invalid, message) }

    /// A wrong combination of options.
    static func usage(_ message: String) -> CLIError { CLIError(.usage, message) }

    /// Wraps a station error, keeping its message.
    init(_ error: StationError) {
        self.init(ExitStatus(error.code), error.message)
    }

    /// Wraps a model error, keeping its message.
    init(_ error: TicketModelError) {
        self.init(ExitStatus(error.code), error.message)
    }

    /// Wraps a server's refusal, keeping its message.
    init(_ error: SyncError) {
        self.init(ExitStatus(error.code), "the server refused the session (\(error.code)): \(error.message)")
    }

    var description: String { message }
}
