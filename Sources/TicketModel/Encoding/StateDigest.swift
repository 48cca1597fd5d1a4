internal import Crypto
internal import Foundation
internal import SwiftProtobuf

/// A SHA-256 digest of a replica's canonical ticket state. Two replicas that applied the same set
/// of operations have equal digests; comparing digests is how replicas, stations and servers
/// check that they agree.
public struct StateDigest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// The digest as 64 lower-case hexadecimal digits.
    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

extension TicketReplica {
    /// The digest of the canonical state: SHA-256 of the `ReplicaState` message (see
    /// `Protocol/ticketsync/v1/model.proto`) holding every ticket's record, sorted by ticket id.
    public func digest() -> StateDigest {
        var hasher = SHA256()
        for id in tickets.keys.sorted() {
            let record = tickets[id]!.canonicalRecord()
            // Field 1 of ReplicaState, length-delimited: tag 0x0A, varint length, bytes.
            let bytes: [UInt8] = (try? record.serializedBytes()) ?? []
            var header: [UInt8] = [0x0A]
            var length = UInt64(bytes.count)
            while length >= 0x80 {
                header.append(UInt8(truncatingIfNeeded: length) | 0x80)
                length >>= 7
            }
            header.append(UInt8(length))
            hasher.update(data: header)
            hasher.update(data: bytes)
        }
        return StateDigest(bytes: Array(hasher.finalize()))
    }

    /// The canonical state of every ticket, sorted by id, as encoded bytes of a `ReplicaState`.
    public func canonicalStateBytes() -> [UInt8] {
        var state = Ticketsync_V1_ReplicaState()
        state.tickets = tickets.keys.sorted().map { tickets[$0]!.canonicalRecord() }
        return (try? state.serializedBytes()) ?? []
    }
}

extension TicketState {
    package func canonicalRecord() -> Ticketsync_V1_TicketRecord {
        func stamp(_ stamp: Stamp) -> Ticketsync_V1_StampRecord {
            var record = Ticketsync_V1_StampRecord()
            record.timestamp = stamp.timestamp.rawValue
            record.replica = stamp.id.replica.rawValue
            record.seq = stamp.id.seq
            return record
        }
        func dot(_ id: OperationID) -> Ticketsync_V1_DotRecord {
            var record = Ticketsync_V1_DotRecord()
            record.replica = id.replica.rawValue
            record.seq = id.seq
            return record
        }
        func elements(_ set: ObservedRemoveSet) -> [Ticketsync_V1_ElementRecord] {
            set.elements.map { element in
                var record = Ticketsync_V1_ElementRecord()
                record.element = element
                record.dots = set.dots(of: element).map(dot)
                return record
            }
        }
        func tombstones(_ set: ObservedRemoveSet) -> [Ticketsync_V1_ElementRecord] {
            let grouped = Dictionary(grouping: set.tombstones, by: \.element)
            return grouped.keys.sorted().map { element in
                var record = Ticketsync_V1_ElementRecord()
                record.element = element
                record.dots = grouped[element]!.map(\.dot).sorted().map(dot)
                return record
            }
        }
        var record = Ticketsync_V1_TicketRecord()
        record.id = Data(id.bytes)
        if let created {
            record.created = stamp(created.stamp)
            record.createdAuthorKind = UInt32(Author.Kind.all.firstIndex(of: created.author.kind)!)
            record.createdAuthorName = created.author.name
        }
        if let updated { record.updated = stamp(updated) }
        var fields: [(FieldKey, Register)] = []
        for (index, register) in builtins.enumerated() {
            if let register { fields.append((FieldKey.builtins[index], register)) }
        }
        fields += named.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        record.registers = fields.map { field, register in
            var entry = Ticketsync_V1_RegisterRecord()
            entry.field = field.name
            switch register.value {
            case .text(let text): entry.text = text
            case .integer(let integer): entry.integer = integer
            case .null: entry.null = true
            }
            entry.stamp = stamp(register.stamp)
            return entry
        }
        record.tags = elements(tags)
        record.watchers = elements(watchers)
        record.tagTombstones = tombstones(tags)
        record.watcherTombstones = tombstones(watchers)
        record.comments = comments.keys.sorted().map { id in
            let comment = comments[id]!
            var entry = Ticketsync_V1_CommentRecord()
            entry.id = dot(id)
            if let created = comment.created {
                entry.seenCreated = true
                entry.authorKind = UInt32(Author.Kind.all.firstIndex(of: created.author.kind)!)
                entry.authorName = created.author.name
                entry.visibility = UInt32(created.visibility.rawValue)
            }
            if let body = comment.body {
                entry.body = body.value.text ?? ""
                entry.bodyStamp = stamp(body.stamp)
            }
            if let deleted = comment.deleted { entry.deleted = stamp(deleted) }
            return entry
        }
        record.tier = UInt32(tier)
        record.operationCount = UInt64(operationCount)
        return record
    }
}
