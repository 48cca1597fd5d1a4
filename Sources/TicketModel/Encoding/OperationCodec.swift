internal import Foundation
internal import SwiftProtobuf

/// The canonical binary encoding of operations (`ticketsync.v1.OperationBatch`, see
/// `Protocol/ticketsync/v1/model.proto`).
///
/// Encoding sorts the operations by id and fills the tables in order of first use, so the same
/// set of operations always encodes to the same bytes (repeated ids are written once). Decoding
/// checks every index and count before use and reports the first problem as
/// ``TicketModelError/Code/decodingFailed`` (``TicketModelError/Code/unknownField`` for a field name
/// it does not know, ``TicketModelError/Code/tooLarge`` past `maxOperations`); it does not check
/// the model's other rules (the replica does that when it applies the operations).
public enum OperationCodec {
    /// Encodes operations canonically.
    public static func encode(_ operations: some Collection<TicketOperation>) -> [UInt8] {
        var sorted = Array(operations)
        sorted.sort { $0.id < $1.id }
        var unique: [TicketOperation] = []
        unique.reserveCapacity(sorted.count)
        for op in sorted where unique.last?.id != op.id { unique.append(op) }
        return encode(sortedByID: unique)
    }

    /// Encodes operations already sorted by id (or, for one replica, by sequence number).
    public static func encode(sortedByID operations: [TicketOperation]) -> [UInt8] {
        BatchBytesWriter.bytes(sortedByID: operations)
    }

    /// ``encode(sortedByID:)`` through the SwiftProtobuf message (what `BatchBytesWriter` must
    /// match byte for byte).
    static func encodeThroughMessage(sortedByID operations: [TicketOperation]) -> [UInt8] {
        do {
            return try message(sortedByID: operations).serializedBytes()
        } catch {
            preconditionFailure("encoding an in-memory batch cannot fail: \(error)")
        }
    }

    /// The batch message for operations already sorted by id (for protocols that embed it).
    package static func message(sortedByID operations: [TicketOperation]) -> Ticketsync_V1_OperationBatch {
        var writer = BatchWriter()
        for op in operations { writer.append(op) }
        return writer.finished
    }

    /// The operations of a decoded batch message, checked.
    package static func operations(
        in message: Ticketsync_V1_OperationBatch, maxOperations: Int
    ) throws(TicketModelError) -> [TicketOperation] {
        try BatchReader(batch: message, maxOperations: maxOperations).read()
    }

    /// Decodes a batch. `maxOperations` bounds the number of operations accepted.
    public static func decode(_ bytes: some Collection<UInt8>, maxOperations: Int = .max) throws(TicketModelError) -> [TicketOperation] {
        // What this codebase writes (store rows, Push, Deliver) is in the canonical shape: read
        // without SwiftProtobuf. Anything else (or anything refused) goes the general way below.
        if let operations = CanonicalBatchReader.read(bytes, maxOperations: maxOperations) { return operations }
        return try decodeGenerally(bytes, maxOperations: maxOperations)
    }

    /// The operations of a batch in the canonical shape, read directly; nil for any other bytes
    /// (including any that would be refused), which the caller then reads the general way.
    package static func decodeCanonical(_ bytes: some Collection<UInt8>, maxOperations: Int) -> [TicketOperation]? {
        CanonicalBatchReader.read(bytes, maxOperations: maxOperations)
    }

    /// ``decode(_:maxOperations:)`` through SwiftProtobuf and `BatchReader` alone.
    static func decodeGenerally(_ bytes: some Collection<UInt8>, maxOperations: Int) throws(TicketModelError) -> [TicketOperation] {
        let batch: Ticketsync_V1_OperationBatch
        do {
            batch = try Ticketsync_V1_OperationBatch(serializedBytes: Array(bytes))
        } catch {
            throw TicketModelError(.decodingFailed, "not a valid operation batch: \(error)")
        }
        return try BatchReader(batch: batch, maxOperations: maxOperations).read()
    }
}

/// Builds an `OperationBatch`, interning tickets, replicas and authors.
struct BatchWriter {
    var batch = Ticketsync_V1_OperationBatch()
    private var ticketIndex: [TicketID: UInt32] = [:]
    private var replicaIndex: [ReplicaID: UInt32] = [:]
    private var authorIndex: [Author: UInt32] = [:]
    private var run = Ticketsync_V1_ReplicaRun()
    private var runReplica: ReplicaID?
    private var previousSeq: UInt64 = 0
    private var previousMillis: UInt64 = 0

    mutating func append(_ op: TicketOperation) {
        if runReplica != op.id.replica || op.id.seq <= previousSeq {
            flushRun()
            runReplica = op.id.replica
            run.replica = replica(op.id.replica)
            previousSeq = 0
            previousMillis = 0
        }
        var encoded = Ticketsync_V1_Op()
        encoded.seqGap = op.id.seq - previousSeq - 1
        encoded.millisDelta = Int64(bitPattern: op.timestamp.millis &- previousMillis)
        encoded.counter = UInt32(op.timestamp.counter)
        encoded.ticket = ticket(op.ticket)
        encoded.author = author(op.author)
        previousSeq = op.id.seq
        previousMillis = op.timestamp.millis
        switch op.payload {
        case .create(let fields):
            var create = Ticketsync_V1_Create()
            create.fields = fields.sorted { $0.key < $1.key }.map { fieldWrite($0.key, $0.value, nil) }
            encoded.create = create
        case .set(let field, let value, let overwrites):
            encoded.set = fieldWrite(field, value, overwrites)
        case .add(let set, let element):
            var add = Ticketsync_V1_Element()
            add.set = UInt32(set.rawValue)
            add.element = element
            encoded.add = add
        case .remove(let set, let element, let observed):
            var remove = Ticketsync_V1_Element()
            remove.set = UInt32(set.rawValue)
            remove.element = element
            remove.observed = observed.map { ref($0) }
            encoded.remove = remove
        case .comment(let body, let visibility):
            var comment = Ticketsync_V1_Comment()
            comment.body = body
            comment.visibility = UInt32(visibility.rawValue)
            encoded.comment = comment
        case .editComment(let id, let body):
            var edit = Ticketsync_V1_CommentEdit()
            edit.comment = ref(id)
            edit.body = body
            encoded.editComment = edit
        case .deleteComment(let id):
            encoded.deleteComment = ref(id)
        case .requestEscalation(let reason, let team):
            var request = Ticketsync_V1_EscalationRequest()
            request.reason = reason
            request.toTeam = team ?? ""
            encoded.requestEscalation = request
        case .escalate(let tier, let kind, let reason, let team):
            var escalation = Ticketsync_V1_Escalation()
            escalation.tier = UInt32(tier)
            escalation.kind = UInt32(kind.rawValue)
            escalation.reason = reason
            escalation.toTeam = team ?? ""
            encoded.escalate = escalation
        }
        run.ops.append(encoded)
    }

    private mutating func flushRun() {
        if runReplica != nil { batch.runs.append(run) }
        run = Ticketsync_V1_ReplicaRun()
    }

    private mutating func fieldWrite(_ field: FieldKey, _ value: FieldValue, _ overwrites: OperationID?) -> Ticketsync_V1_FieldWrite {
        var write = Ticketsync_V1_FieldWrite()
        if let index = field.builtinIndex { write.builtin = UInt32(index + 1) } else { write.name = field.name }
        switch value {
        case .text(let text): write.text = text
        case .integer(let integer): write.integer = integer
        case .null: write.null = true
        }
        if let overwrites { write.overwrites = ref(overwrites) }
        return write
    }

    private mutating func ref(_ id: OperationID) -> Ticketsync_V1_OpRef {
        var ref = Ticketsync_V1_OpRef()
        ref.replica = replica(id.replica)
        ref.seq = id.seq
        return ref
    }

    private mutating func ticket(_ id: TicketID) -> UInt32 {
        if let index = ticketIndex[id] { return index }
        let index = UInt32(batch.tickets.count)
        batch.tickets.append(Data(id.bytes))
        ticketIndex[id] = index
        return index
    }

    private mutating func replica(_ id: ReplicaID) -> UInt32 {
        if let index = replicaIndex[id] { return index }
        let index = UInt32(batch.replicas.count)
        batch.replicas.append(id.rawValue)
        replicaIndex[id] = index
        return index
    }

    private mutating func author(_ author: Author) -> UInt32 {
        if let index = authorIndex[author] { return index }
        let index = UInt32(batch.authors.count)
        var entry = Ticketsync_V1_AuthorEntry()
        entry.kind = UInt32(Author.Kind.all.firstIndex(of: author.kind)!)
        entry.name = author.name
        batch.authors.append(entry)
        authorIndex[author] = index
        return index
    }

    /// The finished batch.
    var finished: Ticketsync_V1_OperationBatch {
        mutating get {
            flushRun()
            runReplica = nil
            return batch
        }
    }
}
