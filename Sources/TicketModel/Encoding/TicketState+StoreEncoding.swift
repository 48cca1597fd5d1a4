/// A compact, hand-written binary encoding of a detail-free ``TicketState``: the private format of
/// the station store's per-ticket state column.
///
/// It is not canonical and nothing hashes it: the digest and the wire keep using the protobuf
/// ``TicketState/canonicalRecord()``. It exists because a store rewrites a ticket's state on every
/// change, and the protobuf form costs several times more to build and parse. It round-trips every
/// detail-free state exactly (see `StoreEncodingTests`).
///
/// Layout (varints are LEB128, stamps are written against the `updated` stamp):
///
///     format        byte 1
///     id            fixed64 high half, fixed64 low half
///     replicas      varint n, n × fixed64 (little-endian); stamps and dots refer to them by index
///     flags         byte: 1 created, 2 updated
///     updated       fixed64 timestamp, varint replica index, varint seq         (if flag 2)
///     created       stamp, byte author kind, string author name                 (if flag 1)
///     registers     varint n, n × (varint key, value, stamp)
///                   key: 1 + built-in index, or 0 followed by the field name as a string
///                   value: byte 0 null | 1 text + string | 2 integer + zigzag varint
///     tags          varint n, n × (string element, varint m, m × dot)
///     tag removals  varint n, n × (string element, dot)
///     watchers, watcher removals   as tags
///     tier          varint
///     operations    varint (the count applied)
///
///     stamp: zigzag varint (updated timestamp − timestamp), varint replica index, varint seq
///     dot:   varint replica index, varint seq
///     string: varint byte count, UTF-8 bytes
extension TicketState {
    static let storeFormat: UInt8 = 1

    /// The compact store encoding of this state's detail-free part (comments and the operation
    /// list are not written).
    package func storeEncoded() -> [UInt8] {
        var replicas = ReplicaTable()
        var writer = StoreBytesWriter(capacity: 256)
        let base = updated?.timestamp.rawValue ?? 0

        // Body first (it interns replicas), then the header with the replica table.
        var body = StoreBytesWriter(capacity: 256)
        func stamp(_ stamp: Stamp) {
            body.zigzag(Int64(bitPattern: base &- stamp.timestamp.rawValue))
            body.varint(UInt64(replicas.index(stamp.id.replica.rawValue)))
            body.varint(stamp.id.seq)
        }
        func dot(_ id: OperationID) {
            body.varint(UInt64(replicas.index(id.replica.rawValue)))
            body.varint(id.seq)
        }
        func set(_ set: ObservedRemoveSet) {
            body.varint(UInt64(set.live.count))
            for (element, dots) in set.live {
                body.string(element)
                body.varint(UInt64(dots.count))
                for entry in dots { dot(entry) }
            }
            body.varint(UInt64(set.tombstones.count))
            for tombstone in set.tombstones {
                body.string(tombstone.element)
                dot(tombstone.dot)
            }
        }

        var flags: UInt8 = 0
        if created != nil { flags |= 1 }
        if updated != nil { flags |= 2 }
        body.byte(flags)
        if let updated {
            body.fixed64(updated.timestamp.rawValue)
            body.varint(UInt64(replicas.index(updated.id.replica.rawValue)))
            body.varint(updated.id.seq)
        }
        if let created {
            stamp(created.stamp)
            body.byte(UInt8(Author.Kind.all.firstIndex(of: created.author.kind)!))
            body.string(created.author.name)
        }
        var registerCount = named.count
        for register in builtins where register != nil { registerCount += 1 }
        body.varint(UInt64(registerCount))
        func register(_ register: Register) {
            switch register.value {
            case .null:
                body.byte(0)
            case .text(let text):
                body.byte(1)
                body.string(text)
            case .integer(let integer):
                body.byte(2)
                body.zigzag(integer)
            }
            stamp(register.stamp)
        }
        for index in builtins.indices {
            guard let entry = builtins[index] else { continue }
            body.varint(UInt64(index + 1))
            register(entry)
        }
        for (field, entry) in named {
            body.varint(0)
            body.string(field.name)
            register(entry)
        }
        set(tags)
        set(watchers)
        body.varint(UInt64(max(0, tier)))
        body.varint(UInt64(max(0, operationCount)))

        writer.byte(Self.storeFormat)
        writer.fixed64(id.high)
        writer.fixed64(id.low)
        writer.varint(UInt64(replicas.values.count))
        for replica in replicas.values { writer.fixed64(replica) }
        writer.bytes.append(contentsOf: body.bytes)
        return writer.bytes
    }

    /// Rebuilds a detail-free state from ``storeEncoded()`` bytes. Damaged bytes are refused with
    /// ``TicketModelError/Code/decodingFailed``; they never crash the decoder.
    package init(storeEncoded bytes: UnsafeRawBufferPointer) throws(TicketModelError) {
        var reader = StoreBytesReader(bytes)
        let format = try reader.byte()
        guard format == Self.storeFormat else { throw StoreBytesReader.failure("unknown format \(format)") }
        let high = try reader.fixed64()
        let low = try reader.fixed64()
        self.init(id: TicketID(high: high, low: low), retainsDetail: false)

        let replicaCount = try reader.count(atMost: (bytes.count - reader.offset) / 8)
        var replicas: [ReplicaID] = []
        replicas.reserveCapacity(replicaCount)
        for _ in 0..<replicaCount { replicas.append(ReplicaID(try reader.fixed64())) }
        func replica() throws(TicketModelError) -> ReplicaID {
            let index = try reader.varint()
            guard index < UInt64(replicas.count) else { throw StoreBytesReader.failure("replica index \(index) out of range") }
            return replicas[Int(index)]
        }
        func dot() throws(TicketModelError) -> OperationID {
            let replica = try replica()
            return OperationID(replica: replica, seq: try reader.varint())
        }

        let flags = try reader.byte()
        guard flags & ~3 == 0 else { throw StoreBytesReader.failure("unknown flags \(flags)") }
        var base: UInt64 = 0
        func stamp() throws(TicketModelError) -> Stamp {
            let timestamp = base &- UInt64(bitPattern: try reader.zigzag())
            return Stamp(timestamp: Timestamp(rawValue: timestamp), id: try dot())
        }
        if flags & 2 != 0 {
            base = try reader.fixed64()
            updated = Stamp(timestamp: Timestamp(rawValue: base), id: try dot())
        }
        if flags & 1 != 0 {
            let stamp = try stamp()
            let kind = Int(try reader.byte())
            guard kind < Author.Kind.all.count else { throw StoreBytesReader.failure("unknown author kind \(kind)") }
            created = Created(stamp: stamp, author: Author(Author.Kind.all[kind], try reader.string()))
        }
        let registerCount = try reader.count(atMost: bytes.count)
        for _ in 0..<registerCount {
            let key = try reader.count(atMost: FieldKey.builtinCount)
            let field: FieldKey
            if key == 0 {
                field = try FieldKey(parsing: try reader.string())
                guard field.builtinIndex == nil else { throw StoreBytesReader.failure("a built-in field written by name") }
            } else {
                field = FieldKey.builtins[key - 1]
            }
            let value: FieldValue
            switch try reader.byte() {
            case 0: value = .null
            case 1: value = .text(try reader.string())
            case 2: value = .integer(try reader.zigzag())
            case let tag: throw StoreBytesReader.failure("unknown value kind \(tag)")
            }
            let register = Register(value: value, stamp: try stamp())
            if let index = field.builtinIndex { builtins[index] = register } else { named[field] = register }
        }
        func set() throws(TicketModelError) -> ObservedRemoveSet {
            var live: [(String, [OperationID])] = []
            let elementCount = try reader.count(atMost: bytes.count)
            live.reserveCapacity(elementCount)
            for _ in 0..<elementCount {
                let element = try reader.string()
                let dotCount = try reader.count(atMost: bytes.count)
                var dots: [OperationID] = []
                dots.reserveCapacity(dotCount)
                for _ in 0..<dotCount { dots.append(try dot()) }
                live.append((element, dots))
            }
            var set = ObservedRemoveSet()
            let tombstoneCount = try reader.count(atMost: bytes.count)
            for _ in 0..<tombstoneCount {
                let element = try reader.string()
                set.remove(element, observed: [try dot()])
            }
            for (element, dots) in live {
                for entry in dots { set.add(element, dot: entry) }
            }
            return set
        }
        tags = try set()
        watchers = try set()
        tier = max(1, Int(min(try reader.varint(), 1 << 20)))
        operationCount = Int(min(try reader.varint(), UInt64(Int.max)))
        guard reader.isAtEnd else { throw StoreBytesReader.failure("\(bytes.count - reader.offset) bytes after the end") }
    }

    /// Rebuilds a detail-free state from ``storeEncoded()`` bytes.
    package init(storeEncoded bytes: [UInt8]) throws(TicketModelError) {
        let decoded = bytes.withUnsafeBytes { buffer in
            Result { () throws(TicketModelError) in try TicketState(storeEncoded: buffer) }
        }
        self = try decoded.get()
    }
}

/// Replica ids in order of first use, with their indexes.
private struct ReplicaTable {
    var values: [UInt64] = []
    var lookup: [UInt64: Int] = [:]

    @inline(__always)
    mutating func index(_ replica: UInt64) -> Int {
        // Most tickets are touched by a handful of replicas: a linear scan beats hashing.
        if values.count <= 8 {
            if let index = values.firstIndex(of: replica) { return index }
            values.append(replica)
            if values.count > 8 {
                for (index, value) in values.enumerated() { lookup[value] = index }
            }
            return values.count - 1
        }
        if let index = lookup[replica] { return index }
        values.append(replica)
        lookup[replica] = values.count - 1
        return values.count - 1
    }
}
