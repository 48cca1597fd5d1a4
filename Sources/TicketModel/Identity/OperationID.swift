/// The globally unique id of an operation: the replica that made it and that replica's
/// sequence number for it (1, 2, 3, … with no gaps).
///
/// Applying an operation whose id was already applied is a no-op, which makes re-sending safe.
public struct OperationID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The replica that made the operation.
    public var replica: ReplicaID
    /// The replica's sequence number for the operation, starting at 1.
    public var seq: UInt64

    /// Creates an id from its parts.
    public init(replica: ReplicaID, seq: UInt64) {
        self.replica = replica
        self.seq = seq
    }

    /// `REPLICA:SEQ`, e.g. `00c0ffee00c0ffee:42`.
    public var description: String { "\(replica):\(seq)" }

    /// Parses the `REPLICA:SEQ` text form.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let replica = ReplicaID(hex: parts[0]), let seq = UInt64(parts[1]), seq > 0 else {
            return nil
        }
        self.init(replica: replica, seq: seq)
    }

    public static func < (lhs: OperationID, rhs: OperationID) -> Bool {
        (lhs.replica.rawValue, lhs.seq) < (rhs.replica.rawValue, rhs.seq)
    }
}

/// A comment is identified by the operation that created it.
public typealias CommentID = OperationID
