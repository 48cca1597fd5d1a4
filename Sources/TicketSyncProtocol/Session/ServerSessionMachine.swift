public import TicketModel

/// The server's side of one sync session, as a pure state machine: it is fed decoded frames and
/// the results of the storage work it asked for, and answers with the next action. The socket
/// code only drives it, so every rule here is tested without a network.
///
/// Order of a session: `Hello` → (authenticate) → `Welcome`, then any number of `Push`
/// (each answered by a `PushResult` once durable), `Credit` (flow control for `Deliver`) and
/// `Ping`. Anything else, or anything out of order, closes the session with `bad_message`.
public struct ServerSessionMachine: Sendable {
    /// What the session is doing.
    public enum State: Sendable, Equatable {
        /// Waiting for the station's Hello.
        case awaitingHello
        /// The credential is being checked.
        case authenticating(replica: ReplicaID, window: Int)
        /// Open: pushes, credits and pings flow.
        case open(Open)
        /// Closed; nothing more is done.
        case closed
    }

    /// The state of an open session.
    public struct Open: Sendable, Equatable {
        /// The credential's name.
        public var station: String
        /// The station's replica id.
        public var replica: ReplicaID
        /// The granted scopes.
        public var scopes: [String]
        /// Deliver messages the station still accepts.
        public var credits: Int
        /// The window the station asked for.
        public var window: Int
    }

    /// What the driver does next.
    public enum Action: Sendable, Equatable {
        /// Nothing.
        case none
        /// Check the Hello's credential; answer with ``authenticated(_:serverMillis:)`` or ``authenticationFailed(_:)``.
        case authenticate(ClientFrame.Hello)
        /// Make these operations durable; answer with ``persisted(_:)``.
        case persist(batch: UInt64, operations: [TicketOperation])
        /// Send this frame.
        case send(ServerFrame)
        /// Send the Welcome, then start delivering from `cursor` (nil or unknown: from the start).
        case open(welcome: ServerFrame, cursor: String?)
        /// Credits arrived: deliver if anything is waiting.
        case deliver
        /// Send the error, then close the connection with its close code.
        case close(SyncError)
    }

    /// What the store says of a credential.
    public struct Grant: Sendable, Equatable {
        /// The credential's name.
        public var station: String
        /// The scopes, in text form.
        public var scopes: [String]
        /// Every operation of the replica up to here is durable.
        public var ackedSeq: UInt64
        /// Whether deliveries start over from the beginning of the log.
        public var snapshot: Bool
        /// Where deliveries start.
        public var cursor: String?

        /// Creates a grant.
        public init(station: String, scopes: [String], ackedSeq: UInt64, snapshot: Bool, cursor: String?) {
            self.station = station
            self.scopes = scopes
            self.ackedSeq = ackedSeq
            self.snapshot = snapshot
            self.cursor = cursor
        }
    }

    /// The current state.
    public private(set) var state: State = .awaitingHello
    /// The session's limits.
    public let limits: SyncLimits
    /// The server node's id, sent in the Welcome.
    public let serverID: String

    /// A new session waiting for its Hello.
    public init(limits: SyncLimits, serverID: String) {
        self.limits = limits
        self.serverID = serverID
    }

    /// A frame arrived from the station.
    public mutating func receive(_ frame: ClientFrame, serverMillis: UInt64) -> Action {
        switch (state, frame) {
        case (.closed, _):
            return .none
        case (.awaitingHello, .hello(let hello)):
            guard hello.protocolVersion == SyncVersion.current else {
                return close(
                    .unsupportedVersion,
                    "protocol version \(hello.protocolVersion) is not supported; this server speaks \(SyncVersion.current) (\(SyncVersion.subprotocol))"
                )
            }
            guard !hello.token.isEmpty else { return close(.unauthorized, "the hello carries no credential") }
            state = .authenticating(replica: hello.replica, window: max(1, hello.window))
            return .authenticate(hello)
        case (.awaitingHello, _):
            return close(.badMessage, "the first message must be a hello")
        case (.authenticating, _):
            return close(.badMessage, "a message arrived before the welcome")
        case (.open, .hello):
            return close(.badMessage, "a second hello in one session")
        case (.open(let open), .push(let batch, let operations)):
            if let foreign = operations.first(where: { $0.id.replica != open.replica }) {
                return close(
                    .badMessage, "operation \(foreign.id) belongs to another replica; a station pushes only its own (\(open.replica))"
                )
            }
            return .persist(batch: batch, operations: operations)
        case (.open(var open), .credit(let deliveries)):
            open.credits = min(open.window, open.credits + max(0, deliveries))
            state = .open(open)
            return .deliver
        case (.open, .ping(let clientMillis)):
            return .send(.pong(clientMillis: clientMillis, serverMillis: serverMillis))
        }
    }

    /// The credential checked out.
    public mutating func authenticated(_ grant: Grant, serverMillis: UInt64) -> Action {
        guard case .authenticating(let replica, let window) = state else { return .none }
        state = .open(Open(station: grant.station, replica: replica, scopes: grant.scopes, credits: window, window: window))
        let welcome = ServerFrame.Welcome(
            serverMillis: serverMillis, station: grant.station, scopes: grant.scopes, ackedSeq: grant.ackedSeq,
            limits: limits, snapshot: grant.snapshot, serverID: serverID
        )
        return .open(welcome: .welcome(welcome), cursor: grant.snapshot ? nil : grant.cursor)
    }

    /// The credential was refused.
    public mutating func authenticationFailed(_ error: SyncError) -> Action {
        state = .closed
        return .close(error)
    }

    /// A push is durable.
    public mutating func persisted(_ result: ServerFrame.PushResult) -> Action {
        guard case .open = state else { return .none }
        return .send(.pushResult(result))
    }

    /// Takes one credit to send a Deliver; false when the station has none left (wait for Credit).
    public mutating func takeCredit() -> Bool {
        guard case .open(var open) = state, open.credits > 0 else { return false }
        open.credits -= 1
        state = .open(open)
        return true
    }

    /// The session ends for `error` (a limit, a revoked credential, shutdown).
    public mutating func fail(_ error: SyncError) -> Action {
        if case .closed = state { return .none }
        state = .closed
        return .close(error)
    }

    private mutating func close(_ code: SyncError.Code, _ message: String) -> Action {
        state = .closed
        return .close(SyncError(code, message))
    }
}
