/// The limits of a sync session. Each is named in the error that reports it, and the server
/// tells the station its values in the Welcome.
public struct SyncLimits: Hashable, Sendable {
    /// Largest WebSocket message, after decompression, in bytes.
    public var maxMessageBytes: Int = 8 << 20
    /// Most operations in one Push or Deliver.
    public var maxOperationsPerBatch: Int = 5_000
    /// Largest single operation, encoded, in bytes.
    public var maxOperationBytes: Int = 128 << 10
    /// How far ahead of the server's clock an operation's clock may be, in milliseconds.
    public var maxDriftMillis: UInt64 = 5 * 60 * 1000
    /// Most Deliver messages a station may ask to have in flight.
    public var maxWindow: Int = 64
    /// Operations the server puts in one Deliver.
    public var deliverBatchOperations: Int = 4_000

    /// The default limits.
    public init() {}
}

/// The subprotocol name and path of version 1.
public enum SyncVersion {
    /// The only protocol version this build speaks.
    public static let current: UInt32 = 1
    /// The WebSocket subprotocol (`Sec-WebSocket-Protocol`).
    public static let subprotocol = "ticketsync.v1"
    /// The HTTP path of the WebSocket upgrade.
    public static let path = "/v1/sync"
}
