/// Reads a batch in its canonical shape (what ``OperationCodec/encode(sortedByID:)`` and
/// ``OperationCodec/encodeOne(_:)`` write) without building SwiftProtobuf messages: stores keep
/// every operation in its own row, and Push and Deliver carry canonical batches; decoding them
/// with SwiftProtobuf was a quarter of the server's work on a download, and most of a station's
/// decoding (perf).
///
/// It accepts only the exact shape the writers produce: the fields in field-number order,
/// defaults left out, no unknown fields. On anything else (and on anything that would be
/// refused) it returns nil and ``OperationCodec/decode(_:maxOperations:)`` reads the bytes the
/// general way, so what a batch means, and which batches are refused with which message, is
/// decided in one place (`BatchReader`). `CanonicalBatchReaderTests` checks it against that
/// path on valid and damaged bytes.
struct CanonicalBatchReader {
    private var reader: StoreBytesReader

    private init(_ buffer: UnsafeRawBufferPointer) {
        reader = StoreBytesReader(buffer)
    }

    /// The operations, or nil if the bytes are not a canonical batch of at most
    /// `maxOperations` operations (or anything in them would be refused).
    static func read(_ bytes: some Collection<UInt8>, maxOperations: Int = .max) -> [TicketOperation]? {
        func read(_ buffer: UnsafeRawBufferPointer) -> [TicketOperation]? {
            var reader = CanonicalBatchReader(buffer)
            return try? reader.operations(maxOperations: maxOperations)
        }
        if let done = bytes.withContiguousStorageIfAvailable({ read(UnsafeRawBufferPointer($0)) }) { return done }
        return Array(bytes).withUnsafeBytes(read)
    }

    /// Thrown (and turned into nil) wherever the bytes leave the canonical shape.
    private struct NotCanonical: Error {}

    private mutating func operations(maxOperations: Int) throws -> [TicketOperation] {
        // tickets (1): 16-byte ids.
        var tickets: [TicketID] = []
        while try peek(1, wire: 2, before: reader.buffer.count) {
            guard try reader.varint() == 16, reader.buffer.count - reader.offset >= 16,
                let ticket = TicketID(bytes: reader.buffer[reader.offset..<(reader.offset + 16)])
            else { throw NotCanonical() }
            reader.offset += 16
            tickets.append(ticket)
        }
        // replicas (2): packed fixed64.
        var replicas: [ReplicaID] = []
        if try peek(2, wire: 2, before: reader.buffer.count) {
            let replicaBytes = try reader.varint()
            guard replicaBytes >= 8, replicaBytes % 8 == 0, replicaBytes <= UInt64(reader.buffer.count - reader.offset) else {
                throw NotCanonical()
            }
            replicas.reserveCapacity(Int(replicaBytes / 8))
            for _ in 0..<(replicaBytes / 8) {
                let raw = try reader.fixed64()
                guard raw != 0 else { throw NotCanonical() }
                replicas.append(ReplicaID(raw))
            }
        }
        // authors (3).
        var authors: [Author] = []
        while try peek(3, wire: 2, before: reader.buffer.count) {
            let authorEnd = try messageEnd()
            let kind = try optionalUInt32(1, before: authorEnd) ?? 0
            guard kind < UInt32(Author.Kind.all.count) else { throw NotCanonical() }
            let name = try optionalString(2, before: authorEnd) ?? ""
            try finish(authorEnd)
            authors.append(Author(Author.Kind.all[Int(kind)], name))
        }
        // runs (4): a replica index, then its operations (2), sequence numbers and clocks as
        // deltas within the run.
        var operations: [TicketOperation] = []
        while try peek(4, wire: 2, before: reader.buffer.count) {
            let runEnd = try messageEnd()
            let replicaIndex = try optionalUInt32(1, before: runEnd) ?? 0
            guard replicaIndex < UInt32(replicas.count) else { throw NotCanonical() }
            let replica = replicas[Int(replicaIndex)]
            var seq: UInt64 = 0
            var millis: UInt64 = 0
            while reader.offset < runEnd {
                try expect(field: 2, wire: 2)
                let opEnd = try messageEnd(before: runEnd)
                let seqGap = try optionalVarint(1, before: opEnd) ?? 0
                let millisDelta = try optionalZigzag(2, before: opEnd) ?? 0
                let counter = try optionalUInt32(3, before: opEnd) ?? 0
                let ticketIndex = try optionalUInt32(4, before: opEnd) ?? 0
                let authorIndex = try optionalUInt32(5, before: opEnd) ?? 0
                let (nextSeq, overflow) = seq.addingReportingOverflow(1 &+ seqGap)
                guard !overflow, seqGap != .max else { throw NotCanonical() }
                seq = nextSeq
                millis = millis &+ UInt64(bitPattern: millisDelta)
                guard millis <= 0xFFFF_FFFF_FFFF, UInt64(counter) <= Timestamp.maxCounter,
                    ticketIndex < UInt32(tickets.count), authorIndex < UInt32(authors.count),
                    operations.count < maxOperations
                else { throw NotCanonical() }
                let payload = try self.payload(before: opEnd, replicas: replicas)
                try finish(opEnd)
                operations.append(
                    TicketOperation(
                        id: OperationID(replica: replica, seq: seq),
                        timestamp: Timestamp(millis: millis, counter: UInt64(counter)),
                        author: authors[Int(authorIndex)],
                        ticket: tickets[Int(ticketIndex)],
                        payload: payload
                    )
                )
            }
            try finish(runEnd)
        }
        guard reader.isAtEnd else { throw NotCanonical() }
        return operations
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
