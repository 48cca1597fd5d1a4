/// The canonical encoding of one operation, written by hand.
///
/// ``OperationCodec/encodeOne(_:)`` returns exactly the bytes of
/// `OperationCodec.encode(sortedByID: [op])` (the `OperationBatch` of a single operation), so
/// ``OperationCodec/decode(_:maxOperations:)`` reads them back, but without building SwiftProtobuf
/// messages and interning dictionaries: a store that keeps every operation in its own row encodes
/// one per row. `StoreEncodingTests` checks the bytes against the generic encoder.
extension OperationCodec {
    /// The canonical bytes of a batch holding only `op`.
    package static func encodeOne(_ op: TicketOperation) -> [UInt8] {
        var bytes: [UInt8] = []
        encodeOne(op, into: &bytes)
        return bytes
    }

    /// Replaces `bytes` with the canonical bytes of a batch holding only `op` (reusing their
    /// storage).
    package static func encodeOne(_ op: TicketOperation, into bytes: inout [UInt8]) {
        // The replica table: the operation's own replica first, then those of references in
        // order of first use, as BatchWriter interns them. Only some payloads refer to others.
        var references: [UInt64] = []
        switch op.payload {
        case .set(_, _, let overwrites?): references = [overwrites.replica.rawValue]
        case .remove(_, _, let observed) where !observed.isEmpty: references = observed.map(\.replica.rawValue)
        case .editComment(let id, _), .deleteComment(let id): references = [id.replica.rawValue]
        default: break
        }
        let own = op.id.replica.rawValue
        var others: [UInt64] = []
        for replica in references where replica != own && !others.contains(replica) { others.append(replica) }

        var writer = ProtoWriter(capacity: 0)
        swap(&writer.bytes, &bytes)
        writer.bytes.removeAll(keepingCapacity: true)
        defer { swap(&writer.bytes, &bytes) }

        // tickets (1): one 16-byte id.
        writer.tag(1, .lengthDelimited)
        writer.varint(16)
        writer.fixed64(op.ticket.high.bigEndian.littleEndian)
        writer.fixed64(op.ticket.low.bigEndian.littleEndian)
        // replicas (2): packed fixed64.
        writer.tag(2, .lengthDelimited)
        writer.varint(UInt64(8 * (1 + others.count)))
        writer.fixed64(own)
        for replica in others { writer.fixed64(replica) }
        // authors (3): one entry.
        let author = writer.begin(3)
        writer.uint32(1, Author.Kind.all.firstIndex(of: op.author.kind) ?? 0)
        writer.string(2, op.author.name)
        writer.end(author)
        // runs (4): one run of replica index 0 (not written) holding the op (2). Its ticket (4)
        // and author (5) are index 0: not written.
        let run = writer.begin(4)
        let body = writer.begin(2)
        let seqGap = op.id.seq &- 1
        if seqGap != 0 { writer.tag(1, .varint); writer.varint(seqGap) }
        let millisDelta = Int64(bitPattern: op.timestamp.millis)
        if millisDelta != 0 { writer.tag(2, .varint); writer.zigzag(millisDelta) }
        let counter = UInt64(UInt32(truncatingIfNeeded: op.timestamp.counter))
        if counter != 0 { writer.tag(3, .varint); writer.varint(counter) }
        writer.payload(op.payload, own: own, others: others)
        writer.end(body)
        writer.end(run)
    }
}

extension ProtoWriter {
    /// A reference to another operation: the index of its replica in the batch's table (the
    /// operation's own replica, then `others`) and its sequence number.
    fileprivate mutating func ref(_ field: Int, _ id: OperationID, own: UInt64, others: [UInt64]) {
        let index = id.replica.rawValue == own ? 0 : UInt64(others.firstIndex(of: id.replica.rawValue)! + 1)
        let ref = begin(field)
        if index != 0 { tag(1, .varint); varint(index) }
        if id.seq != 0 { tag(2, .varint); varint(id.seq) }
        end(ref)
    }

    fileprivate mutating func fieldWrite(_ field: FieldKey, _ value: FieldValue, _ overwrites: OperationID?, own: UInt64, others: [UInt64]) {
        if let index = field.builtinIndex {
            tag(1, .varint)
            varint(UInt64(index + 1))
        } else {
            string(2, field.name)
        }
        switch value {
        case .text(let text):
            tag(3, .lengthDelimited)
            lengthPrefixed(text)
        case .integer(let integer):
            tag(4, .varint)
            zigzag(integer)
        case .null:
            tag(5, .varint)
            varint(1)
        }
        if let overwrites { ref(6, overwrites, own: own, others: others) }
    }

    fileprivate mutating func payload(_ payload: Payload, own: UInt64, others: [UInt64]) {
        switch payload {
        case .create(let fields):
            let create = begin(10)
            for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
                let write = begin(1)
                fieldWrite(field, value, nil, own: own, others: others)
                end(write)
            }
            end(create)
        case .set(let field, let value, let overwrites):
            let write = begin(11)
            fieldWrite(field, value, overwrites, own: own, others: others)
            end(write)
        case .add(let set, let element):
            let add = begin(12)
            uint32(1, set.rawValue)
            string(2, element)
            end(add)
        case .remove(let set, let element, let observed):
            let remove = begin(13)
            uint32(1, set.rawValue)
            string(2, element)
            for dot in observed { ref(3, dot, own: own, others: others) }
            end(remove)
        case .comment(let text, let visibility):
            let comment = begin(14)
            string(1, text)
            uint32(2, visibility.rawValue)
            end(comment)
        case .editComment(let id, let text):
            let edit = begin(15)
            ref(1, id, own: own, others: others)
            string(2, text)
            end(edit)
        case .deleteComment(let id):
            ref(16, id, own: own, others: others)
        case .requestEscalation(let reason, let team):
            let request = begin(17)
            string(1, reason)
            string(2, team ?? "")
            end(request)
        case .escalate(let tier, let kind, let reason, let team):
            let escalation = begin(18)
            uint32(1, tier)
            uint32(2, kind.rawValue)
            string(3, reason)
            string(4, team ?? "")
            end(escalation)
        }
    }
}

/// Writes protobuf wire format (proto3 rules: scalar fields equal to their default are left out).
struct ProtoWriter {
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
    }

    var inner: StoreBytesWriter

    init(capacity: Int) {
        inner = StoreBytesWriter(capacity: capacity)
    }

    var bytes: [UInt8] {
        get { inner.bytes }
        _modify { yield &inner.bytes }
    }

    @inline(__always)
    mutating func tag(_ field: Int, _ type: WireType) {
        inner.varint(UInt64(field) << 3 | type.rawValue)
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) { inner.varint(value) }

    @inline(__always)
    mutating func zigzag(_ value: Int64) { inner.zigzag(value) }

    @inline(__always)
    mutating func fixed64(_ value: UInt64) { inner.fixed64(value) }

    /// A `uint32` field (left out when zero).
    @inline(__always)
    mutating func uint32(_ field: Int, _ value: Int) {
        let value = UInt64(UInt32(truncatingIfNeeded: value))
        guard value != 0 else { return }
        tag(field, .varint)
        varint(value)
    }

    /// A `string` field (left out when empty).
    @inline(__always)
    mutating func string(_ field: Int, _ text: String) {
        guard !text.isEmpty else { return }
        tag(field, .lengthDelimited)
        lengthPrefixed(text)
    }

    @inline(__always)
    mutating func lengthPrefixed(_ text: String) { inner.string(text) }

    /// Starts a message field, always written (a set singular message, a oneof case or a
    /// repeated element): write its body, then call ``end(_:)`` with the returned mark, which puts
    /// the body's length in front of it.
    mutating func begin(_ field: Int) -> Int {
        tag(field, .lengthDelimited)
        return inner.bytes.count
    }

    mutating func end(_ start: Int) {
        let length = UInt64(inner.bytes.count - start)
        if length < 0x80 {
            inner.bytes.insert(UInt8(length), at: start)
        } else {
            var prefix = StoreBytesWriter(capacity: 10)
            prefix.varint(length)
            inner.bytes.insert(contentsOf: prefix.bytes, at: start)
        }
    }
}
