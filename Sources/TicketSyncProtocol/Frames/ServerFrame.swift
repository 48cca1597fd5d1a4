public import TicketModel

/// A message from the server.
public enum ServerFrame: Sendable, Equatable {
    /// The session is open.
    case welcome(Welcome)
    /// A push is durable (or refused in part).
    case pushResult(PushResult)
    /// Operations for the station, and the cursor to store once they are applied.
    case deliver(operations: [TicketOperation], cursor: String, caughtUp: Bool)
    /// Tickets that left the station's scopes.
    case scopeChange(removed: [TicketID])
    /// Answer to a ping.
    case pong(clientMillis: UInt64, serverMillis: UInt64)
    /// The reason the server is about to close the session.
    case error(SyncError)

    /// The server's answer to a Hello.
    public struct Welcome: Sendable, Equatable {
        /// The server's clock.
        public var serverMillis: UInt64
        /// The credential's name.
        public var station: String
        /// The granted scopes, in text form.
        public var scopes: [String]
        /// Every operation of the station's replica up to here is durable at the server.
        public var ackedSeq: UInt64
        /// The session's limits.
        public var limits: SyncLimits
        /// Deliveries restart from the beginning of the log.
        public var snapshot: Bool
        /// The server node's id.
        public var serverID: String

        /// Creates a welcome.
        public init(
            serverMillis: UInt64, station: String, scopes: [String], ackedSeq: UInt64, limits: SyncLimits,
            snapshot: Bool, serverID: String
        ) {
            self.serverMillis = serverMillis
            self.station = station
            self.scopes = scopes
            self.ackedSeq = ackedSeq
            self.limits = limits
            self.snapshot = snapshot
            self.serverID = serverID
        }
    }

    /// The outcome of one Push.
    public struct PushResult: Sendable, Equatable {
        /// The station's batch number.
        public var batch: UInt64
        /// Every operation of the replica up to here is durable (or refused for good).
        public var ackedSeq: UInt64
        /// Operations refused, with reasons.
        public var rejected: [Rejection]

        /// Creates a result.
        public init(batch: UInt64, ackedSeq: UInt64, rejected: [Rejection]) {
            self.batch = batch
            self.ackedSeq = ackedSeq
            self.rejected = rejected
        }
    }

    /// One refused operation.
    public struct Rejection: Sendable, Equatable {
        /// Its sequence number.
        public var seq: UInt64
        /// A model or protocol error code.
        public var code: String
        /// Why.
        public var message: String

        /// Creates a rejection.
        public init(seq: UInt64, code: String, message: String) {
            self.seq = seq
            self.code = code
            self.message = message
        }
    }
}
