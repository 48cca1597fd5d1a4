public import TicketModel

/// Where a server keeps its log, tickets and credentials. Two back ends implement it: embedded
/// SQLite (the default) and, for several nodes, PostgreSQL. Every method is one transaction;
/// when ``append(_:from:receivedMillis:maxDriftMillis:)`` returns, what it accepted is durable.
public protocol ServerStore: Sendable {
    /// The server's own replica id (the author of SLA and escalation operations), made on first use.
    func serverReplica() async throws(ServerError) -> ReplicaID

    /// Adds a credential of `kind`. Throws `alreadyExists` if the name or the secret's hash is taken.
    func addCredential(name: String, kind: CredentialKind, tokenHash: [UInt8], scopes: [Scope], createdMillis: UInt64) async throws(ServerError)
    /// Every credential, by name.
    func stations() async throws(ServerError) -> [StationRecord]
    /// Revokes a credential; throws `notFound` for an unknown name.
    func revokeStation(name: String) async throws(ServerError)
    /// The credential with this secret hash, revoked or not.
    func station(tokenHash: [UInt8]) async throws(ServerError) -> StationRecord?
    /// Binds the credential to a replica on first use; false if it is bound to another one.
    func bind(station: String, to replica: ReplicaID) async throws(ServerError) -> Bool

    /// Every operation of `replica` up to the returned sequence number has been decided
    /// (made durable, or refused for good).
    func decidedSequence(of replica: ReplicaID) async throws(ServerError) -> UInt64

    /// Validates and makes durable a station's operations in one transaction: the model's rules for
    /// a station push, the drift bound against `receivedMillis`, and the station's scopes (the
    /// ticket must be in scope before the operation, and a create must place it in scope).
    func append(
        _ operations: [TicketOperation], from station: StationRecord, receivedMillis: UInt64, maxDriftMillis: UInt64
    ) async throws(ServerError) -> AppendResult

    /// Log entries after `cursor` (nil: from the start), oldest first, at most `limit`.
    func read(after cursor: String?, limit: Int) async throws(ServerError) -> [LogEntry]
    /// The next stretch of the log after `cursor` for a station with `scopes`: it covers at most
    /// `limit` entries and holds those of them whose ticket sat in the scopes before or after.
    /// A store that can filter where the log lives says so in ``filtersByScope``; the default
    /// reads the stretch and filters it here.
    func read(after cursor: String?, limit: Int, concerning scopes: [Scope]) async throws(ServerError) -> LogWindow
    /// Whether ``read(after:limit:concerning:)`` filters in the database, so that a station
    /// catching up reads only its own tickets (PostgreSQL); false where reading a shared window
    /// and filtering in memory costs less (the embedded store).
    var filtersByScope: Bool { get }
    /// Whether the store still holds the log after `cursor` (false: the station needs a snapshot).
    func knows(cursor: String) async throws(ServerError) -> Bool
    /// Every operation on one ticket up to and including the entry at `cursor`.
    func operations(of ticket: TicketID, through cursor: String) async throws(ServerError) -> [TicketOperation]

    /// At most `limit` tickets whose ids sort after `after` (nil: from the first), by id, as kept
    /// materialised: fields, tags and tier, without comments (those are in ``history(of:)``).
    func tickets(after: TicketID?, limit: Int) async throws(ServerError) -> [Ticket]
    /// The state digest of everything in the log.
    func digest() async throws(ServerError) -> StateDigest
    /// Counts for `ticketsyncd status`.
    func counts() async throws(ServerError) -> StoreCounts
}

/// What an append did.
public struct AppendResult: Sendable, Equatable {
    /// Operations new to the log, now durable.
    public var accepted: Int
    /// Operations the log already held (a re-send).
    public var duplicates: Int
    /// Operations refused for good, with reasons.
    public var rejected: [(seq: UInt64, code: String, message: String)]
    /// Every operation of the replica up to here is decided.
    public var decidedSequence: UInt64

    /// Creates a result.
    public init(accepted: Int, duplicates: Int, rejected: [(seq: UInt64, code: String, message: String)], decidedSequence: UInt64) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected
        self.decidedSequence = decidedSequence
    }

    public static func == (lhs: AppendResult, rhs: AppendResult) -> Bool {
        lhs.accepted == rhs.accepted && lhs.duplicates == rhs.duplicates && lhs.decidedSequence == rhs.decidedSequence
            && lhs.rejected.map(\.seq) == rhs.rejected.map(\.seq)
    }
}

/// One operation in the server's log, with where its ticket sat before and after it.
///
/// A store may hand out entries whose operation is still encoded: its id and ticket come from
/// their own columns, and ``operation`` decodes it the first time it is asked for (once, however
/// many sessions share the entry). A session delivers only the entries in its station's scopes,
/// so the rest of a window is never decoded.
public struct LogEntry: Sendable {
    /// The cursor a station stores once it has applied this entry.
    public var cursor: String
    /// The operation's id.
    public var id: OperationID
    /// The ticket the operation is on.
    public var ticket: TicketID
    /// The ticket's site and team before the operation (nil: the ticket had no operations yet).
    public var before: TicketPlacement?
    /// The ticket's site and team after it.
    public var after: TicketPlacement
    private let body: Body

    private enum Body: Sendable {
        case decoded(TicketOperation)
        case encoded(EncodedOperation)
    }

    /// The operation. Throws a storage error if the entry came encoded and does not decode to
    /// one operation with the entry's id and ticket (a damaged store).
    public var operation: TicketOperation {
        get throws(ServerError) {
            switch body {
            case .decoded(let op): return op
            case .encoded(let encoded): return try encoded.decode(id: id, ticket: ticket, cursor: cursor)
            }
        }
    }

    /// Creates an entry with its operation decoded.
    public init(cursor: String, operation: TicketOperation, before: TicketPlacement?, after: TicketPlacement) {
        self.cursor = cursor
        self.id = operation.id
        self.ticket = operation.ticket
        self.before = before
        self.after = after
        self.body = .decoded(operation)
    }

    /// Creates an entry whose operation `encoded` (``OperationCodec``, one operation) is
    /// decoded when first asked for.
    public init(cursor: String, id: OperationID, ticket: TicketID, encoded: [UInt8], before: TicketPlacement?, after: TicketPlacement) {
        self.cursor = cursor
        self.id = id
        self.ticket = ticket
        self.before = before
        self.after = after
        self.body = .encoded(EncodedOperation(encoded))
    }
}

/// A stretch of the log read for one station (``ServerStore/read(after:limit:concerning:)``).
public struct LogWindow: Sendable {
    /// The entries of the stretch that concern the station's scopes, oldest first. A window a
    /// caller builds from a shared, unfiltered read may hold the others too; the store's
    /// ``ServerStore/read(after:limit:concerning:)`` returns only these.
    public var entries: [LogEntry]
    /// The cursor after the stretch; nil when the log held nothing after the cursor read from.
    public var end: String?
    /// Whether the stretch reached the end of the log as it stood when read.
    public var reachedEnd: Bool
    /// How many log entries the stretch covered, concerning the scopes or not.
    public var covered: Int

    /// Creates a window.
    public init(entries: [LogEntry], end: String?, reachedEnd: Bool, covered: Int) {
        self.entries = entries
        self.end = end
        self.reachedEnd = reachedEnd
        self.covered = covered
    }

    /// The window made of a plain read of `limit` entries, `read`, filtered to `scopes`.
    public init(reading read: [LogEntry], limit: Int, concerning scopes: [Scope]) {
        self.init(
            entries: read.filter { $0.concerns(scopes) }, end: read.last?.cursor, reachedEnd: read.count < limit, covered: read.count
        )
    }
}

extension LogEntry {
    /// Whether the entry's ticket sat in one of `scopes` before or after it.
    public func concerns(_ scopes: [Scope]) -> Bool {
        scopes.contains(ticket, at: after) || (before.map { scopes.contains(ticket, at: $0) } ?? false)
    }
}

extension ServerStore {
    /// Reads `limit` entries and keeps those that concern `scopes`.
    public func read(after cursor: String?, limit: Int, concerning scopes: [Scope]) async throws(ServerError) -> LogWindow {
        LogWindow(reading: try await read(after: cursor, limit: limit), limit: limit, concerning: scopes)
    }

    /// False: filtering happens in memory, after a read shared by every session.
    public var filtersByScope: Bool { false }
}

/// Sizes of a store.
public struct StoreCounts: Sendable, Equatable {
    /// Operations in the log.
    public var operations: Int
    /// Tickets.
    public var tickets: Int
    /// Credentials.
    public var stations: Int

    /// Creates counts.
    public init(operations: Int, tickets: Int, stations: Int) {
        self.operations = operations
        self.tickets = tickets
        self.stations = stations
    }
}

extension ServerStore {
    /// Every operation on one ticket, in log order.
    public func history(of ticket: TicketID) async throws(ServerError) -> [TicketOperation] {
        try await operations(of: ticket, through: LogCursor.text(.max))
    }

    /// Adds a station credential. Throws `alreadyExists` if the name or the secret's hash is taken.
    public func addStation(name: String, tokenHash: [UInt8], scopes: [Scope], createdMillis: UInt64) async throws(ServerError) {
        try await addCredential(name: name, kind: .station, tokenHash: tokenHash, scopes: scopes, createdMillis: createdMillis)
    }
}
