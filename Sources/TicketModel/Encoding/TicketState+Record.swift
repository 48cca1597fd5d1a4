internal import Foundation
internal import SwiftProtobuf

/// A ticket's CRDT state as bytes (a `TicketRecord`), for stores that materialise tickets one by
/// one. Only the detail-free form round-trips: comments and the operation list live in the
/// store's operation log, not in the record.
extension TicketState {
    /// The canonical record's bytes.
    package func encodedRecord() -> [UInt8] {
        (try? canonicalRecord().serializedBytes()) ?? []
    }

    /// Rebuilds a detail-free state from ``encodedRecord()`` bytes.
    package init(encodedRecord bytes: [UInt8]) throws(TicketModelError) {
        let record: Ticketsync_V1_TicketRecord
        do {
            record = try Ticketsync_V1_TicketRecord(serializedBytes: bytes)
        } catch {
            throw TicketModelError(.decodingFailed, "not a valid ticket record: \(error)")
        }
        guard let id = TicketID(bytes: record.id) else {
            throw TicketModelError(.decodingFailed, "ticket record has a \(record.id.count)-byte id")
        }
        func stamp(_ record: Ticketsync_V1_StampRecord) -> Stamp {
            Stamp(
                timestamp: Timestamp(rawValue: record.timestamp),
                id: OperationID(replica: ReplicaID(record.replica), seq: record.seq)
            )
        }
        func dot(_ record: Ticketsync_V1_DotRecord) -> OperationID {
            OperationID(replica: ReplicaID(record.replica), seq: record.seq)
        }
        func set(_ live: [Ticketsync_V1_ElementRecord], _ tombstones: [Ticketsync_V1_ElementRecord]) -> ObservedRemoveSet {
            var set = ObservedRemoveSet()
            for element in tombstones {
                set.remove(element.element, observed: element.dots.map(dot))
            }
            for element in live {
                for entry in element.dots { set.add(element.element, dot: dot(entry)) }
            }
            return set
        }
        self.init(id: id, retainsDetail: false)
        if record.hasCreated {
            guard record.createdAuthorKind < Author.Kind.all.count else {
                throw TicketModelError(.decodingFailed, "unknown author kind \(record.createdAuthorKind)")
            }
            created = Created(
                stamp: stamp(record.created),
                author: Author(Author.Kind.all[Int(record.createdAuthorKind)], record.createdAuthorName)
            )
        }
        for entry in record.registers {
            let field = try FieldKey(parsing: entry.field)
            let value: FieldValue
            switch entry.value {
            case .text(let text): value = .text(text)
            case .integer(let integer): value = .integer(integer)
            case .null, nil: value = .null
            }
            let register = Register(value: value, stamp: stamp(entry.stamp))
            if let index = field.builtinIndex { builtins[index] = register } else { named[field] = register }
        }
        tags = set(record.tags, record.tagTombstones)
        watchers = set(record.watchers, record.watcherTombstones)
        tier = max(1, Int(min(record.tier, 1 << 20)))
        operationCount = Int(record.operationCount)
        if record.hasUpdated { updated = stamp(record.updated) }
    }
}
