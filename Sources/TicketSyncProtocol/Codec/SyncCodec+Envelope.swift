internal import TicketModel

/// Push and Deliver read without SwiftProtobuf when they come in the shape this codebase writes
/// them (`SyncCodec+Operations.swift`): the envelope's few fields are read here and the batch by
/// the model's canonical reader. Any other shape (fields out of order, unknown fields, a batch
/// that is not canonical or would be refused) returns nil and the whole message goes through
/// SwiftProtobuf, so both paths accept the same messages and refuse the rest with one message.
/// `SyncCodecBytesTests` compares them.
extension SyncCodec {
    /// `ServerMessage { deliver (3) { operations (1), cursor (2), caught_up (3) } }`, or nil.
    static func deliverFrame(_ bytes: [UInt8], limits: SyncLimits) throws(SyncError) -> ServerFrame? {
        var reader = EnvelopeReader(bytes)
        guard let deliverEnd = reader.message(field: 3), deliverEnd == bytes.count,
            let batchEnd = reader.message(field: 1, before: deliverEnd)
        else { return nil }
        let batch = bytes[reader.offset..<batchEnd]
        reader.offset = batchEnd
        var cursor = ""
        if let cursorEnd = reader.message(field: 2, before: deliverEnd) {
            guard let text = String(validating: bytes[reader.offset..<cursorEnd], as: UTF8.self) else { return nil }
            cursor = text
            reader.offset = cursorEnd
        }
        var caughtUp = false
        if reader.offset < deliverEnd {
            guard reader.varint() == 3 << 3, reader.varint() == 1 else { return nil }
            caughtUp = true
        }
        guard reader.offset == deliverEnd else { return nil }
        guard let operations = OperationCodec.decodeCanonical(batch, maxOperations: limits.maxOperationsPerBatch) else { return nil }
        return .deliver(operations: try checked(operations, limits: limits), cursor: cursor, caughtUp: caughtUp)
    }

    /// `ClientMessage { push (2) { batch (1), operations (2) } }`, or nil.
    static func pushFrame(_ bytes: [UInt8], limits: SyncLimits) throws(SyncError) -> ClientFrame? {
        var reader = EnvelopeReader(bytes)
        guard let pushEnd = reader.message(field: 2), pushEnd == bytes.count else { return nil }
        var number: UInt64 = 0
        if reader.offset < pushEnd, reader.bytes[reader.offset] == 1 << 3 {
            reader.offset += 1
            guard let value = reader.varint(), value != 0 else { return nil }
            number = value
        }
        guard let batchEnd = reader.message(field: 2, before: pushEnd), batchEnd == pushEnd else { return nil }
        guard let operations = OperationCodec.decodeCanonical(bytes[reader.offset..<batchEnd], maxOperations: limits.maxOperationsPerBatch)
        else { return nil }
        return .push(batch: number, operations: try checked(operations, limits: limits))
    }
}

/// Reads the tags, varints and lengths of an envelope; nil wherever the bytes are not as expected.
private struct EnvelopeReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func varint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    /// If the next field is the length-delimited `field`, reads its tag and length and returns
    /// where its body ends (within `limit`); otherwise leaves the offset and returns nil.
    mutating func message(field: UInt64, before limit: Int? = nil) -> Int? {
        let start = offset
        let limit = limit ?? bytes.count
        guard offset < limit, varint() == field << 3 | 2, let length = varint(), offset <= limit,
            length <= UInt64(limit - offset)
        else {
            offset = start
            return nil
        }
        return offset + Int(length)
    }
}
