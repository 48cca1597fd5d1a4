internal import Foundation

/// Turns a decoded `OperationBatch` back into operations, checking every index, count and enum
/// value before use.
struct BatchReader {
    let batch: Ticketsync_V1_OperationBatch
    let maxOperations: Int

    private func fail(_ message: String) -> TicketModelError {
        TicketModelError(.decodingFailed, message)
    }

    func read() throws(TicketModelError) -> [TicketOperation] {
        let total = batch.runs.reduce(0) { $0 + $1.ops.count }
        if total > maxOperations {
            throw TicketModelError(.tooLarge, "batch holds \(total) operations; the limit is \(maxOperations)")
        }
        var tickets: [TicketID] = []
        tickets.reserveCapacity(batch.tickets.count)
        for bytes in batch.tickets {
            guard let id = TicketID(bytes: bytes) else { throw fail("a ticket id is \(bytes.count) bytes, not 16") }
            tickets.append(id)
        }
        var replicas: [ReplicaID] = []
        replicas.reserveCapacity(batch.replicas.count)
        for raw in batch.replicas {
            if raw == 0 { throw fail("replica id 0 is reserved") }
            replicas.append(ReplicaID(raw))
        }
        var authors: [Author] = []
        for entry in batch.authors {
            guard entry.kind < Author.Kind.all.count else { throw fail("unknown author kind \(entry.kind)") }
            authors.append(Author(Author.Kind.all[Int(entry.kind)], entry.name))
        }

        func lookup<T>(_ table: [T], _ index: UInt32, _ what: String) throws(TicketModelError) -> T {
            guard index < table.count else { throw fail("\(what) index \(index) is outside the table of \(table.count)") }
            return table[Int(index)]
        }
        func ref(_ ref: Ticketsync_V1_OpRef) throws(TicketModelError) -> OperationID {
            if ref.seq == 0 { throw fail("an operation reference has sequence number 0") }
            return OperationID(replica: try lookup(replicas, ref.replica, "replica"), seq: ref.seq)
        }
        func value(_ write: Ticketsync_V1_FieldWrite) throws(TicketModelError) -> (FieldKey, FieldValue) {
            let field: FieldKey
            if write.builtin > 0 {
                guard write.builtin <= FieldKey.builtinCount else { throw fail("unknown built-in field \(write.builtin)") }
                field = FieldKey.builtins[Int(write.builtin) - 1]
            } else {
                field = try FieldKey(parsing: write.name)
            }
            switch write.value {
            case .text(let text): return (field, .text(text))
            case .integer(let integer): return (field, .integer(integer))
            case .null: return (field, .null)
            case nil: throw fail("a write to '\(field.name)' has no value")
            }
        }

        var operations: [TicketOperation] = []
        operations.reserveCapacity(total)
        for run in batch.runs {
            let replica = try lookup(replicas, run.replica, "replica")
            var seq: UInt64 = 0
            var millis: UInt64 = 0
            for op in run.ops {
                let (nextSeq, overflow) = seq.addingReportingOverflow(1 &+ op.seqGap)
                if overflow || op.seqGap == .max { throw fail("sequence number overflows") }
                seq = nextSeq
                millis = millis &+ UInt64(bitPattern: op.millisDelta)
                if millis > 0xFFFF_FFFF_FFFF || op.counter > Timestamp.maxCounter {
                    throw fail("clock reading out of range")
                }
                let payload: Payload
                switch op.payload {
                case .create(let create):
                    var fields: [FieldKey: FieldValue] = [:]
                    for write in create.fields {
                        let (field, value) = try value(write)
                        if fields.updateValue(value, forKey: field) != nil {
                            throw fail("create writes field '\(field.name)' twice")
                        }
                    }
                    payload = .create(fields)
                case .set(let write):
                    let (field, value) = try value(write)
                    payload = .set(field, value, overwrites: write.hasOverwrites ? try ref(write.overwrites) : nil)
                case .add(let element):
                    guard let set = TicketSet(rawValue: Int(element.set)) else { throw fail("unknown set \(element.set)") }
                    payload = .add(set, element.element)
                case .remove(let element):
                    guard let set = TicketSet(rawValue: Int(element.set)) else { throw fail("unknown set \(element.set)") }
                    var observed: [OperationID] = []
                    observed.reserveCapacity(element.observed.count)
                    for dot in element.observed { observed.append(try ref(dot)) }
                    payload = .remove(set, element.element, observed: observed)
                case .comment(let comment):
                    guard let visibility = CommentVisibility(rawValue: Int(comment.visibility)) else {
                        throw fail("unknown comment visibility \(comment.visibility)")
                    }
                    payload = .comment(body: comment.body, visibility: visibility)
                case .editComment(let edit):
                    guard edit.hasComment else { throw fail("a comment edit names no comment") }
                    payload = .editComment(try ref(edit.comment), body: edit.body)
                case .deleteComment(let target):
                    payload = .deleteComment(try ref(target))
                case .requestEscalation(let request):
                    payload = .requestEscalation(reason: request.reason, toTeam: request.toTeam.isEmpty ? nil : request.toTeam)
                case .escalate(let escalation):
                    guard let kind = EscalationKind(rawValue: Int(escalation.kind)) else {
                        throw fail("unknown escalation kind \(escalation.kind)")
                    }
                    payload = .escalate(
                        tier: Int(min(escalation.tier, 1 << 20)), kind: kind, reason: escalation.reason,
                        toTeam: escalation.toTeam.isEmpty ? nil : escalation.toTeam
                    )
                case nil:
                    throw fail("operation \(replica):\(seq) has no payload (unknown operation kind?)")
                }
                operations.append(
                    TicketOperation(
                        id: OperationID(replica: replica, seq: seq),
                        timestamp: Timestamp(millis: millis, counter: UInt64(op.counter)),
                        author: try lookup(authors, op.author, "author"),
                        ticket: try lookup(tickets, op.ticket, "ticket"),
                        payload: payload
                    )
                )
            }
        }
        return operations
    }
}
