/// Reads the canonical bytes of a batch holding one operation (what
/// ``OperationCodec/encodeOne(_:)`` writes) without building SwiftProtobuf messages: stores keep
/// every operation in its own row, and decoding those rows with SwiftProtobuf was a quarter of
/// the server's work on a download (perf).
///
/// It accepts only the exact shape `encodeOne` writes: the fields in its order, defaults left
/// out, no unknown fields. On anything else it returns nil and
/// ``OperationCodec/decode(_:maxOperations:)`` reads the bytes the general way, so what a batch
/// means, and which batches are refused with which message, is decided in one place
/// (`BatchReader`). `SingleOperationReaderTests` checks it against that path on valid and damaged
/// bytes.
struct SingleOperationReader {
    private var reader: StoreBytesReader

    private init(_ buffer: UnsafeRawBufferPointer) {
        reader = StoreBytesReader(buffer)
    }

    /// The operation, or nil if the bytes are not in the one-operation canonical shape (or
    /// anything in them would be refused).
    static func read(_ bytes: some Collection<UInt8>) -> TicketOperation? {
        func read(_ buffer: UnsafeRawBufferPointer) -> TicketOperation? {
            var reader = SingleOperationReader(buffer)
            return try? reader.operation()
        }
        if let done = bytes.withContiguousStorageIfAvailable({ read(UnsafeRawBufferPointer($0)) }) { return done }
        return Array(bytes).withUnsafeBytes(read)
    }

    /// Thrown (and turned into nil) wherever the bytes leave the canonical shape.
    private struct NotCanonical: Error {}

    private mutating func operation() throws -> TicketOperation {
        // tickets (1): one 16-byte id.
        try expect(field: 1, wire: 2)
        guard try reader.varint() == 16, reader.buffer.count - reader.offset >= 16,
            let ticket = TicketID(bytes: reader.buffer[reader.offset..<(reader.offset + 16)])
        else { throw NotCanonical() }
        reader.offset += 16
        // replicas (2): packed fixed64, the operation's own first.
        try expect(field: 2, wire: 2)
        let replicaBytes = try reader.varint()
        guard replicaBytes >= 8, replicaBytes % 8 == 0, replicaBytes <= 8 * 1025 else { throw NotCanonical() }
        var replicas: [ReplicaID] = []
        for _ in 0..<(replicaBytes / 8) {
            let raw = try reader.fixed64()
            guard raw != 0 else { throw NotCanonical() }
            replicas.append(ReplicaID(raw))
        }
        // authors (3): one entry.
        try expect(field: 3, wire: 2)
        let authorEnd = try messageEnd()
        let kind = try optionalVarint(1, before: authorEnd) ?? 0
        guard kind < UInt64(Author.Kind.all.count) else { throw NotCanonical() }
        let name = try optionalString(2, before: authorEnd) ?? ""
        try finish(authorEnd)
        // runs (4): one run of replica 0 (left out) holding one op (2).
        try expect(field: 4, wire: 2)
        let runEnd = try messageEnd()
        try expect(field: 2, wire: 2)
        let opEnd = try messageEnd()
        let seqGap = try optionalVarint(1, before: opEnd) ?? 0
        let millis = UInt64(bitPattern: try optionalZigzag(2, before: opEnd) ?? 0)
        let counter = try optionalVarint(3, before: opEnd) ?? 0
        guard seqGap < UInt64.max, millis <= 0xFFFF_FFFF_FFFF, counter <= Timestamp.maxCounter else { throw NotCanonical() }
        let payload = try self.payload(before: opEnd, replicas: replicas)
        try finish(opEnd)
        try finish(runEnd)
        guard reader.isAtEnd else { throw NotCanonical() }
        return TicketOperation(
            id: OperationID(replica: replicas[0], seq: seqGap + 1),
            timestamp: Timestamp(millis: millis, counter: counter),
            author: Author(Author.Kind.all[Int(kind)], name),
            ticket: ticket,
            payload: payload
        )
    }

    private mutating func payload(before end: Int, replicas: [ReplicaID]) throws -> Payload {
        let (field, wire) = try tag()
        guard wire == 2 else { throw NotCanonical() }
        let inner = try messageEnd(before: end)
        let payload: Payload
        switch field {
        case 10:
            var fields: [FieldKey: FieldValue] = [:]
            while reader.offset < inner {
                try expect(field: 1, wire: 2)
                let writeEnd = try messageEnd(before: inner)
                let (key, value, overwrites) = try fieldWrite(before: writeEnd, replicas: replicas)
                guard overwrites == nil, fields.updateValue(value, forKey: key) == nil else { throw NotCanonical() }
            }
            payload = .create(fields)
        case 11:
            let (key, value, overwrites) = try fieldWrite(before: inner, replicas: replicas)
            payload = .set(key, value, overwrites: overwrites)
        case 12, 13:
            guard let set = TicketSet(rawValue: Int(try optionalUInt32(1, before: inner) ?? 0)) else { throw NotCanonical() }
            let element = try optionalString(2, before: inner) ?? ""
            if field == 12 {
                payload = .add(set, element)
            } else {
                var observed: [OperationID] = []
                while reader.offset < inner {
                    try expect(field: 3, wire: 2)
                    observed.append(try ref(before: inner, replicas: replicas))
                }
                payload = .remove(set, element, observed: observed)
            }
        case 14:
            let body = try optionalString(1, before: inner) ?? ""
            guard let visibility = CommentVisibility(rawValue: Int(try optionalUInt32(2, before: inner) ?? 0)) else { throw NotCanonical() }
            payload = .comment(body: body, visibility: visibility)
        case 15:
            try expect(field: 1, wire: 2)
            let comment = try ref(before: inner, replicas: replicas)
            payload = .editComment(comment, body: try optionalString(2, before: inner) ?? "")
        case 16:
            payload = .deleteComment(try refBody(before: inner, replicas: replicas))
        case 17:
            let reason = try optionalString(1, before: inner) ?? ""
            let team = try optionalString(2, before: inner) ?? ""
            payload = .requestEscalation(reason: reason, toTeam: team.isEmpty ? nil : team)
        case 18:
            let tier = try optionalUInt32(1, before: inner) ?? 0
            guard let kind = EscalationKind(rawValue: Int(try optionalUInt32(2, before: inner) ?? 0)) else { throw NotCanonical() }
            let reason = try optionalString(3, before: inner) ?? ""
            let team = try optionalString(4, before: inner) ?? ""
            payload = .escalate(tier: Int(min(tier, 1 << 20)), kind: kind, reason: reason, toTeam: team.isEmpty ? nil : team)
        default:
            throw NotCanonical()
        }
        try finish(inner)
        return payload
    }

    /// A `FieldWrite` up to `end`: its field, value and the write it overwrites.
    private mutating func fieldWrite(before end: Int, replicas: [ReplicaID]) throws -> (FieldKey, FieldValue, OperationID?) {
        let key: FieldKey
        if let builtin = try optionalUInt32(1, before: end) {
            guard builtin >= 1, builtin <= UInt32(FieldKey.builtinCount) else { throw NotCanonical() }
            key = FieldKey.builtins[Int(builtin) - 1]
        } else {
            guard let name = try optionalString(2, before: end) else { throw NotCanonical() }
            key = try FieldKey(parsing: name)
        }
        let value: FieldValue
        let (field, wire) = try tag()
        switch (field, wire) {
        case (3, 2):
            value = .text(try reader.string())
        case (4, 0):
            value = .integer(try reader.zigzag())
        case (5, 0):
            guard try reader.varint() == 1 else { throw NotCanonical() }
            value = .null
        default:
            throw NotCanonical()
        }
        var overwrites: OperationID?
        if reader.offset < end {
            try expect(field: 6, wire: 2)
            overwrites = try ref(before: end, replicas: replicas)
        }
        try finish(end)
        return (key, value, overwrites)
    }

    /// An `OpRef` message whose tag was just read.
    private mutating func ref(before end: Int, replicas: [ReplicaID]) throws -> OperationID {
        let refEnd = try messageEnd(before: end)
        return try refBody(before: refEnd, replicas: replicas)
    }

    /// The fields of an `OpRef` up to `end`.
    private mutating func refBody(before end: Int, replicas: [ReplicaID]) throws -> OperationID {
        let index = try optionalVarint(1, before: end) ?? 0
        let seq = try optionalVarint(2, before: end) ?? 0
        guard index < UInt64(replicas.count), seq != 0 else { throw NotCanonical() }
        try finish(end)
        return OperationID(replica: replicas[Int(index)], seq: seq)
    }

    // MARK: Wire format

    private mutating func tag() throws -> (field: UInt64, wire: UInt64) {
        let key = try reader.varint()
        return (key >> 3, key & 7)
    }

    private mutating func expect(field: UInt64, wire: UInt64) throws {
        guard try tag() == (field, wire) else { throw NotCanonical() }
    }

    /// Reads a length and returns where that message ends (at most `limit`).
    private mutating func messageEnd(before limit: Int? = nil) throws -> Int {
        let length = try reader.varint()
        let bound = limit ?? reader.buffer.count
        guard reader.offset <= bound, length <= UInt64(bound - reader.offset) else { throw NotCanonical() }
        return reader.offset + Int(length)
    }

    private func finish(_ end: Int) throws {
        guard reader.offset == end else { throw NotCanonical() }
    }

    /// The next field if it is `field` (a varint) and the message has not ended.
    private mutating func optionalVarint(_ field: UInt64, before end: Int) throws -> UInt64? {
        guard try peek(field, wire: 0, before: end) else { return nil }
        return try reader.varint()
    }

    private mutating func optionalUInt32(_ field: UInt64, before end: Int) throws -> UInt32? {
        guard let value = try optionalVarint(field, before: end) else { return nil }
        guard value <= UInt64(UInt32.max) else { throw NotCanonical() }
        return UInt32(value)
    }

    private mutating func optionalZigzag(_ field: UInt64, before end: Int) throws -> Int64? {
        guard try peek(field, wire: 0, before: end) else { return nil }
        return try reader.zigzag()
    }

    private mutating func optionalString(_ field: UInt64, before end: Int) throws -> String? {
        guard try peek(field, wire: 2, before: end) else { return nil }
        let text = try reader.string()
        guard reader.offset <= end else { throw NotCanonical() }
        return text
    }

    /// Whether the next field is `field` with wire type `wire`; reads its tag only if it is.
    private mutating func peek(_ field: UInt64, wire: UInt64, before end: Int) throws -> Bool {
        guard reader.offset < end else { return false }
        let start = reader.offset
        let (number, type) = try tag()
        if number == field && type == wire { return true }
        reader.offset = start
        return false
    }
}
