/// Writes the canonical bytes of an `OperationBatch` straight from operations, the bytes
/// SwiftProtobuf writes for the message `BatchWriter` builds, without building that message.
///
/// Building one SwiftProtobuf message per operation, then walking them to serialize, was most
/// of the server's cost of encoding a Deliver (perf on a download). Tables are filled in order
/// of first use exactly as `BatchWriter` fills them: a run's replica when the run starts, then
/// the operation's ticket and author, then the replicas its payload refers to. Fields are
/// written in field-number order with proto3 defaults left out, so the tables (fields 1 to 3)
/// are written after the runs (field 4) have been collected. `BatchBytesWriterTests` compares
/// the bytes with SwiftProtobuf's.
struct BatchBytesWriter {
    private var runs = ProtoWriter(capacity: 0)
    private var tickets = Interned<TicketID>()
    private var replicas = Interned<UInt64>()
    private var authors = Interned<Author>()
    private var run: Int?
    private var runReplica: ReplicaID?
    private var previousSeq: UInt64 = 0
    private var previousMillis: UInt64 = 0

    init(capacity: Int = 0) {
        runs = ProtoWriter(capacity: capacity)
    }

    /// Appends the next operation (operations come sorted by id).
    mutating func append(_ op: TicketOperation) {
        if runReplica != op.id.replica || op.id.seq <= previousSeq {
            closeRun()
            runReplica = op.id.replica
            run = runs.begin(4)
            let index = replicas.intern(op.id.replica.rawValue)
            if index != 0 { runs.tag(1, .varint); runs.varint(index) }
            previousSeq = 0
            previousMillis = 0
        }
        let body = runs.begin(2)
        let seqGap = op.id.seq - previousSeq - 1
        if seqGap != 0 { runs.tag(1, .varint); runs.varint(seqGap) }
        let millisDelta = Int64(bitPattern: op.timestamp.millis &- previousMillis)
        if millisDelta != 0 { runs.tag(2, .varint); runs.zigzag(millisDelta) }
        let counter = UInt64(UInt32(op.timestamp.counter))
        if counter != 0 { runs.tag(3, .varint); runs.varint(counter) }
        let ticket = tickets.intern(op.ticket)
        if ticket != 0 { runs.tag(4, .varint); runs.varint(ticket) }
        let author = authors.intern(op.author)
        if author != 0 { runs.tag(5, .varint); runs.varint(author) }
        switch op.payload {
        case .set(_, _, let overwrites?): _ = replicas.intern(overwrites.replica.rawValue)
        case .remove(_, _, let observed): for dot in observed { _ = replicas.intern(dot.replica.rawValue) }
        case .editComment(let id, _), .deleteComment(let id): _ = replicas.intern(id.replica.rawValue)
        default: break
        }
        runs.payload(op.payload, replicas: replicas)
        runs.end(body)
        previousSeq = op.id.seq
        previousMillis = op.timestamp.millis
    }

    /// The canonical bytes of the batch of `operations` (sorted by id).
    static func bytes(sortedByID operations: [TicketOperation]) -> [UInt8] {
        var batch = BatchBytesWriter(capacity: 32 * operations.count)
        for op in operations { batch.append(op) }
        var out = ProtoWriter(capacity: 0)
        batch.finish(into: &out)
        return out.bytes
    }

    /// The batch's bytes, appended to `writer`.
    mutating func finish(into writer: inout ProtoWriter) {
        closeRun()
        for ticket in tickets.order {
            writer.tag(1, .lengthDelimited)
            writer.varint(16)
            writer.fixed64(ticket.high.bigEndian.littleEndian)
            writer.fixed64(ticket.low.bigEndian.littleEndian)
        }
        if !replicas.order.isEmpty {
            writer.tag(2, .lengthDelimited)
            writer.varint(UInt64(8 * replicas.order.count))
            for replica in replicas.order { writer.fixed64(replica) }
        }
        for author in authors.order {
            let entry = writer.begin(3)
            writer.uint32(1, Author.Kind.all.firstIndex(of: author.kind)!)
            writer.string(2, author.name)
            writer.end(entry)
        }
        writer.bytes.append(contentsOf: runs.bytes)
    }

    private mutating func closeRun() {
        if let run { runs.end(run) }
        run = nil
    }
}

/// One of a batch's tables as it fills: values in order of first use, and the index of each.
private struct Interned<Value: Hashable> {
    private(set) var order: [Value] = []
    private var indexes: [Value: UInt64] = [:]

    mutating func intern(_ value: Value) -> UInt64 {
        if let index = indexes[value] { return index }
        let index = UInt64(order.count)
        order.append(value)
        indexes[value] = index
        return index
    }
}

extension Interned: BatchReplicaTable where Value == UInt64 {
    func index(of replica: UInt64) -> UInt64 { indexes[replica]! }
}

extension ProtoWriter {
    /// A length-delimited field holding the canonical batch of `operations` (sorted by id),
    /// written even when there are none (as a set message field is).
    package mutating func batch(_ field: Int, sortedByID operations: [TicketOperation]) {
        let body = BatchBytesWriter.bytes(sortedByID: operations)
        tag(field, .lengthDelimited)
        varint(UInt64(body.count))
        bytes.append(contentsOf: body)
    }
}
