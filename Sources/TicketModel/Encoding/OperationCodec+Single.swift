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
        writer.payload(op.payload, replicas: SingleOperationReplicas(own: own, others: others))
        writer.end(body)
        writer.end(run)
    }
}

/// Where a batch's replica table holds each replica (by raw id), for writing references. Every
/// replica asked for must already be in the table.
protocol BatchReplicaTable {
    func index(of replica: UInt64) -> UInt64
}

/// The table of a one-operation batch: the operation's own replica, then `others`.
struct SingleOperationReplicas: BatchReplicaTable {
    let own: UInt64
    let others: [UInt64]

    func index(of replica: UInt64) -> UInt64 {
        replica == own ? 0 : UInt64(others.firstIndex(of: replica)! + 1)
    }
}

extension ProtoWriter {
    /// A reference to another operation: the index of its replica in the batch's table and its
    /// sequence number.
    fileprivate mutating func ref(_ field: Int, _ id: OperationID, replicas: some BatchReplicaTable) {
        let index = replicas.index(of: id.replica.rawValue)
        let ref = begin(field)
        if index != 0 { tag(1, .varint); varint(index) }
        if id.seq != 0 { tag(2, .varint); varint(id.seq) }
        end(ref)
    }

    fileprivate mutating func fieldWrite(_ field: FieldKey, _ value: FieldValue, _ overwrites: OperationID?, replicas: some BatchReplicaTable) {
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
        if let overwrites { ref(6, overwrites, replicas: replicas) }
    }

    mutating func payload(_ payload: Payload, replicas: some BatchReplicaTable) {
        switch payload {
        case .create(let fields):
            let create = begin(10)
            for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
                let write = begin(1)
                fieldWrite(field, value, nil, replicas: replicas)
                end(write)
            }
            end(create)
        case .set(let field, let value, let overwrites):
            let write = begin(11)
            fieldWrite(field, value, overwrites, replicas: replicas)
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
            for dot in observed { ref(3, dot, replicas: replicas) }
            end(remove)
        case .comment(let text, let visibility):
            let comment = begin(14)
            string(1, text)
            uint32(2, visibility.rawValue)
            end(comment)
        case .editComment(let id, let text):
            let edit = begin(15)
            ref(1, id, replicas: replicas)
            string(2, text)
            end(edit)
        case .deleteComment(let id):
            ref(16, id, replicas: replicas)
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
