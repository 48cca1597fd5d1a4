/// The canonical encoding of one operation, written by hand.
///
/// ``OperationCodec/encodeOne(_:)`` returns exactly the bytes of
/// `OperationCodec.encode(sortedByID: [op])` (the `OperationBatch` of a single operation), so
/// ``OperationCodec/decode(_:maxOperations:)`` reads them back, but without building SwiftProtobuf
/// messages and interning dictionaries: a store that keeps every operation in its own row encodes
/// one per row. `OperationCodecSingleTests` checks the bytes against the generic encoder.
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
        func replicaIndex(_ replica: ReplicaID) -> UInt64 {
            if replica.rawValue == own { return 0 }
            return UInt64(others.firstIndex(of: replica.rawValue)! + 1)
        }

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
        let kind = Author.Kind.all.firstIndex(of: op.author.kind) ?? 0
        writer.message(3) { author in
            author.uint32(1, kind)
            author.string(2, op.author.name)
        }
        // runs (4): one run of replica index 0 (not written) holding the op (2). Its ticket (4)
        // and author (5) are index 0: not written.
        writer.message(4) { run in
            run.message(2) { body in
                let seqGap = op.id.seq &- 1
                if seqGap != 0 { body.tag(1, .varint); body.varint(seqGap) }
                let millisDelta = Int64(bitPattern: op.timestamp.millis)
                if millisDelta != 0 { body.tag(2, .varint); body.zigzag(millisDelta) }
                let counter = UInt64(UInt32(truncatingIfNeeded: op.timestamp.counter))
                if counter != 0 { body.tag(3, .varint); body.varint(counter) }
                payload(op.payload, into: &body, replicaIndex)
            }
        }
    }

    private static func payload(_ payload: Payload, into body: inout ProtoWriter, _ replicaIndex: (ReplicaID) -> UInt64) {
        func ref(_ field: Int, _ id: OperationID, into writer: inout ProtoWriter) {
            let index = replicaIndex(id.replica)
            writer.message(field) { ref in
                if index != 0 { ref.tag(1, .varint); ref.varint(index) }
                if id.seq != 0 { ref.tag(2, .varint); ref.varint(id.seq) }
            }
        }
        func fieldWrite(_ field: FieldKey, _ value: FieldValue, _ overwrites: OperationID?, into writer: inout ProtoWriter) {
            if let index = field.builtinIndex {
                writer.tag(1, .varint)
                writer.varint(UInt64(index + 1))
            } else {
                writer.string(2, field.name)
            }
            switch value {
            case .text(let text):
                writer.tag(3, .lengthDelimited)
                writer.lengthPrefixed(text)
            case .integer(let integer):
                writer.tag(4, .varint)
                writer.zigzag(integer)
            case .null:
                writer.tag(5, .varint)
                writer.varint(1)
            }
            if let overwrites { ref(6, overwrites, into: &writer) }
        }

        switch payload {
        case .create(let fields):
            body.message(10) { create in
                for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
                    create.message(1) { write in fieldWrite(field, value, nil, into: &write) }
                }
            }
        case .set(let field, let value, let overwrites):
            body.message(11) { write in fieldWrite(field, value, overwrites, into: &write) }
        case .add(let set, let element):
            body.message(12) { add in
                add.uint32(1, set.rawValue)
                add.string(2, element)
            }
        case .remove(let set, let element, let observed):
            body.message(13) { remove in
                remove.uint32(1, set.rawValue)
                remove.string(2, element)
                for dot in observed { ref(3, dot, into: &remove) }
            }
        case .comment(let text, let visibility):
            body.message(14) { comment in
                comment.string(1, text)
                comment.uint32(2, visibility.rawValue)
            }
        case .editComment(let id, let text):
            body.message(15) { edit in
                ref(1, id, into: &edit)
                edit.string(2, text)
            }
        case .deleteComment(let id):
            ref(16, id, into: &body)
        case .requestEscalation(let reason, let team):
            body.message(17) { request in
                request.string(1, reason)
                request.string(2, team ?? "")
            }
        case .escalate(let tier, let kind, let reason, let team):
            body.message(18) { escalation in
                escalation.uint32(1, tier)
                escalation.uint32(2, kind.rawValue)
                escalation.string(3, reason)
                escalation.string(4, team ?? "")
            }
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

    /// A message field, always written (a set singular message, a oneof case or a repeated
    /// element): the body is written in place, then its length is put in front of it.
    mutating func message(_ field: Int, _ body: (inout ProtoWriter) -> Void) {
        tag(field, .lengthDelimited)
        let start = inner.bytes.count
        body(&self)
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
