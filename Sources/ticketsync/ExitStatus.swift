import TicketModel
import TicketSyncClient
import TicketSyncProtocol

/// The process exit status of a failed command. Each kind of failure has its own status so that
/// scripts can tell them apart; the numbers follow BSD `sysexits.h` where one fits.
struct ExitStatus: Hashable, Sendable {
    /// The number the process exits with.
    let code: Int32
    /// What the status means, for the help text.
    let meaning: String

    private init(_ code: Int32, _ meaning: String) {
        self.code = code
        self.meaning = meaning
    }

    /// An unknown command or option, a missing or malformed argument.
    static let usage = ExitStatus(64, "usage: unknown command or option, missing or malformed argument")
    /// A value the model does not accept (unknown status, CSAT out of range, empty title, …).
    static let invalid = ExitStatus(65, "invalid value: a status, priority, field or other value is refused")
    /// No ticket, comment or file matches.
    static let notFound = ExitStatus(66, "not found: no ticket, comment or file matches")
    /// A ticket id prefix matches several tickets.
    static let ambiguous = ExitStatus(67, "ambiguous: the id prefix matches several tickets (they are listed)")
    /// The change would write a field only the server may write (`sla.*`, escalation tiers).
    static let serverOwned = ExitStatus(69, "server-owned: only the server writes sla.* fields and escalations")
    /// A failure nobody planned for; a bug.
    static let software = ExitStatus(70, "internal error (please report it)")
    /// `init` found a station store already there.
    static let alreadyInitialized = ExitStatus(73, "already initialized: a station store exists in the home directory")
    /// The store (or an output file) cannot be read or written: missing, damaged, newer, disk full.
    static let store = ExitStatus(74, "store or file problem: missing, damaged, newer version, disk full")

    /// The server could not be reached or ended the session; trying again later may work.
    static let unavailable = ExitStatus(75, "server unavailable: it could not be reached or closed the session (try again)")
    /// The server refused the credential (unknown, revoked, bound to another station).
    static let refused = ExitStatus(77, "refused: the server does not accept this station's credential")

    /// Every failure status, in numeric order.
    static let all: [ExitStatus] = [
        .usage, .invalid, .notFound, .ambiguous, .serverOwned, .software, .alreadyInitialized, .store, .unavailable,
        .refused,
    ]

    /// The status for a station's error code.
    init(_ code: StationError.Code) {
        switch code {
        case .notFound: self = .notFound
        case .ambiguous: self = .ambiguous
        case .invalid: self = .invalid
        case .serverOwned: self = .serverOwned
        case .store: self = .store
        case .alreadyInitialized: self = .alreadyInitialized
        default: self = .software
        }
    }

    /// The status for a model error met before the station was asked (parsing a field name).
    init(_ code: TicketModelError.Code) {
        switch code {
        case .serverOwnedField: self = .serverOwned
        case .ticketNotFound, .commentNotFound: self = .notFound
        default: self = .invalid
        }
    }

    /// The status for a server's refusal or a failed session.
    init(_ code: SyncError.Code) {
        switch code {
        case .unauthorized, .revoked, .replicaMismatch: self = .refused
        case .unsupportedVersion: self = .software
        default: self = .unavailable
        }
    }
}
