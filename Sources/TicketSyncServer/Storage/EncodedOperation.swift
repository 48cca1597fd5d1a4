internal import Synchronization
internal import TicketModel

/// A log entry's operation as the store keeps it, decoded on first use and kept decoded: the
/// entries of a shared log window are read by every session on the node, but most sessions
/// deliver only a few of them.
final class EncodedOperation: Sendable {
    private let bytes: [UInt8]
    private let decoded = Mutex<TicketOperation?>(nil)

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func decode(id: OperationID, ticket: TicketID, cursor: String) throws(ServerError) -> TicketOperation {
        if let op = decoded.withLock({ $0 }) { return op }
        let ops: [TicketOperation]
        do {
            ops = try OperationCodec.decode(bytes, maxOperations: 1)
        } catch {
            throw ServerError(.storage, "the log entry at \(cursor) is damaged (\(error.message)); restore the store from a backup")
        }
        guard ops.count == 1, ops[0].id == id, ops[0].ticket == ticket else {
            throw ServerError(
                .storage, "the log entry at \(cursor) does not hold operation \(id) on ticket \(ticket) alone; restore the store from a backup"
            )
        }
        decoded.withLock { $0 = ops[0] }
        return ops[0]
    }
}
