public import TicketModel

/// A message from a station, decoded and checked against the limits.
public enum ClientFrame: Sendable, Equatable {
    /// Opens the session.
    case hello(Hello)
    /// Operations of the station's own replica, to be made durable.
    case push(batch: UInt64, operations: [TicketOperation])
    /// The station accepts `deliveries` more Deliver messages.
    case credit(deliveries: Int)
    /// Keep-alive and clock probe.
    case ping(clientMillis: UInt64)

    /// The first message of a session.
    public struct Hello: Sendable, Equatable {
        /// The protocol version the station speaks.
        public var protocolVersion: UInt32
        /// The station's secret.
        public var token: String
        /// The station's replica id.
        public var replica: ReplicaID
        /// The last cursor the station applied; nil for none.
        public var cursor: String?
        /// The station's clock.
        public var clientMillis: UInt64
        /// Deliver messages the station accepts before it sends Credit.
        public var window: Int
        /// The client software's name, for logs.
        public var clientName: String

        /// Creates a hello.
        public init(
            protocolVersion: UInt32 = SyncVersion.current, token: String, replica: ReplicaID, cursor: String?,
            clientMillis: UInt64, window: Int, clientName: String
        ) {
            self.protocolVersion = protocolVersion
            self.token = token
            self.replica = replica
            self.cursor = cursor
            self.clientMillis = clientMillis
            self.window = window
            self.clientName = clientName
        }
    }
}
