internal import TicketModel

/// The two messages that carry operations, written without SwiftProtobuf: building a message per
/// operation and then serializing it was most of the cost of encoding a Deliver (perf on a
/// download). The bytes are those SwiftProtobuf writes for the same message (field order,
/// defaults left out, the batch always present); `SyncCodecBytesTests` compares them.
extension SyncCodec {
    /// `ClientMessage { push (2) { batch (1), operations (2) } }`.
    static func pushBytes(batch: UInt64, operations: [TicketOperation]) -> [UInt8] {
        var writer = ProtoWriter(capacity: 64 + 40 * operations.count)
        let push = writer.begin(2)
        if batch != 0 { writer.tag(1, .varint); writer.varint(batch) }
        writer.batch(2, sortedByID: operations)
        writer.end(push)
        return writer.bytes
    }

    /// `ServerMessage { deliver (3) { operations (1), cursor (2), caught_up (3) } }`.
    static func deliverBytes(operations: [TicketOperation], cursor: String, caughtUp: Bool) -> [UInt8] {
        var writer = ProtoWriter(capacity: 64 + 40 * operations.count)
        let deliver = writer.begin(3)
        writer.batch(1, sortedByID: operations)
        writer.string(2, cursor)
        if caughtUp { writer.tag(3, .varint); writer.varint(1) }
        writer.end(deliver)
        return writer.bytes
    }
}
