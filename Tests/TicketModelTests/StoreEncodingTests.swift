import Testing
@testable import TicketModel
import TicketTestSupport

/// The hand-written encodings the station store uses: the compact per-ticket state (which must
/// round-trip every detail-free state exactly) and the one-operation batch (which must be the
/// canonical bytes, byte for byte). Replay a failure with `TICKETSYNC_SEED=<seed>`.
@Suite struct StoreEncodingTests {
    /// Detail-free states after random subsets of a random workload, applied in random order (so
    /// removes often arrive before their adds and leave tombstones), plus the full states.
    func states(seed: UInt64) -> [TicketState] {
        var work = RandomWorkload(replicaCount: 4, seed: seed)
        work.run(operations: 2_000, syncEvery: 100)
        var generator = SeededGenerator(seed: seed ^ 0x5707E)
        var result: [TicketState] = []
        for round in 0..<4 {
            var ops = work.all
            ops.shuffle(using: &generator)
            if round > 0 { ops = Array(ops.prefix(Int.random(in: 0...ops.count, using: &generator))) }
            var byTicket: [TicketID: TicketState] = [:]
            for op in ops { byTicket[op.ticket, default: TicketState(id: op.ticket, retainsDetail: false)].apply(op) }
            result += byTicket.values
        }
        return result
    }

    @Test(arguments: propertySeeds(count: 2))
    func stateRoundTripsExactly(seed: UInt64) throws {
        let states = states(seed: seed)
        #expect(states.count > 100)
        for state in states {
            let bytes = state.storeEncoded()
            let decoded = try TicketState(storeEncoded: bytes)
            #expect(decoded.id == state.id, "seed \(seed)")
            #expect(decoded.canonicalRecord() == state.canonicalRecord(), "seed \(seed): \(state.id) differs after a round trip")
            #expect(decoded.fieldValues == state.fieldValues, "seed \(seed)")
            #expect(decoded.elements(of: .tags) == state.elements(of: .tags), "seed \(seed)")
            #expect(decoded.elements(of: .watchers) == state.elements(of: .watchers), "seed \(seed)")
            #expect(decoded.encodedRecord() == state.encodedRecord(), "seed \(seed)")
            // The compact form is smaller than the canonical record it stands in for.
            #expect(bytes.count <= state.encodedRecord().count, "seed \(seed)")
        }
    }

    @Test func edgeStatesRoundTrip() throws {
        let ticket = TicketID(high: 0x0194_0000_0000_7000, low: 0x8000_0000_0000_0001)
        // Nothing applied yet.
        let empty = TicketState(id: ticket, retainsDetail: false)
        #expect(try TicketState(storeEncoded: empty.storeEncoded()).canonicalRecord() == empty.canonicalRecord())
        // Extreme values: the largest replica id and sequence number, integers at both ends,
        // empty and non-ASCII text, custom fields, a late create, a remove before its add.
        var state = TicketState(id: ticket, retainsDetail: false)
        let big = ReplicaID(.max)
        func op(_ seq: UInt64, _ millis: UInt64, by replica: ReplicaID = big, _ payload: Payload) -> TicketOperation {
            TicketOperation(
                id: OperationID(replica: replica, seq: seq), timestamp: Timestamp(millis: millis, counter: seq & 0xFFFF),
                author: Author(.integration, "bridge ✓"), ticket: ticket, payload: payload
            )
        }
        state.apply(op(.max, 0xFFFF_FFFF_FFFF, .set(.csat, .integer(.min), overwrites: nil)))
        state.apply(op(2, 1, by: ReplicaID(1), .set(.custom("bay"), .integer(.max), overwrites: nil)))
        state.apply(op(3, 5, .set(.title, .text(""), overwrites: nil)))
        state.apply(op(4, 7, .set(.description, .text("Zerbrochene Tasse – 壊れた"), overwrites: nil)))
        state.apply(op(5, 9, .set(.assignee, .null, overwrites: nil)))
        state.apply(op(6, 11, by: ReplicaID(9), .remove(.tags, "vip", observed: [OperationID(replica: ReplicaID(3), seq: 1)])))
        state.apply(op(1, 3, by: ReplicaID(3), .add(.tags, "vip")))
        state.apply(op(8, 12, .add(.watchers, "")))
        state.apply(op(9, 2, .create([.title: .text("Mug"), .status: .text("open")])))
        state.apply(op(10, 13, .escalate(tier: 1 << 20, kind: .functional, reason: "r", toTeam: nil)))
        let decoded = try TicketState(storeEncoded: state.storeEncoded())
        #expect(decoded.canonicalRecord() == state.canonicalRecord())
        #expect(decoded.elements(of: .tags).isEmpty)
    }

    @Test(arguments: propertySeeds(count: 1))
    func damagedStateBytesAreRefused(seed: UInt64) throws {
        let states = states(seed: seed)
        var generator = SeededGenerator(seed: seed)
        for state in states.prefix(200) {
            let bytes = state.storeEncoded()
            // Every truncation is refused.
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 16)) {
                #expect(throws: TicketModelError.self) { try TicketState(storeEncoded: Array(bytes.prefix(length))) }
            }
            // Flipped bytes are refused or decode to something; they never crash.
            var flipped = bytes
            let index = Int.random(in: 0..<flipped.count, using: &generator)
            flipped[index] ^= UInt8.random(in: 1...255, using: &generator)
            _ = try? TicketState(storeEncoded: flipped)
            #expect(throws: TicketModelError.self) { try TicketState(storeEncoded: bytes + [0]) }
        }
        #expect(throws: TicketModelError.self) { try TicketState(storeEncoded: [UInt8]()) }
        #expect(throws: TicketModelError.self) { try TicketState(storeEncoded: [2] + Array(repeating: 0, count: 20)) }
    }

    @Test(arguments: propertySeeds(count: 2))
    func oneOperationEncodingIsTheCanonicalBytes(seed: UInt64) throws {
        var work = RandomWorkload(replicaCount: 4, seed: seed)
        work.run(operations: 3_000, syncEvery: 100)
        var kinds = Set<String>()
        for op in work.all {
            let bytes = OperationCodec.encodeOne(op)
            #expect(bytes == OperationCodec.encodeThroughMessage(sortedByID: [op]), "seed \(seed): \(op.id) \(op.payload.kindName)")
            #expect(try OperationCodec.decode(bytes) == [op], "seed \(seed)")
            kinds.insert(op.payload.kindName)
        }
        #expect(kinds.count == 9, "seed \(seed): the workload made only \(kinds.sorted())")
    }

    @Test func oneOperationEncodingOfEdgeValues() throws {
        for op in Self.edgeOperations() {
            #expect(OperationCodec.encodeOne(op) == OperationCodec.encode(sortedByID: [op]), "\(op.payload.kindName) \(op.id)")
        }
    }

    /// Every payload kind with empty, long (past one varint byte) and extreme values, each with
    /// extreme sequence numbers and clock readings.
    static func edgeOperations() -> [TicketOperation] {
        let ticket = TicketID(high: .max, low: 0)
        let long = String(repeating: "é", count: 300)  // lengths past one varint byte
        let payloads: [Payload] = [
            .create([:]),
            .create([.title: .text(""), .custom("x"): .integer(0), .csat: .null, .sla("due"): .integer(-1)]),
            .set(.description, .text(long), overwrites: OperationID(replica: ReplicaID(7), seq: .max)),
            .set(.custom("bay-2"), .integer(.min), overwrites: OperationID(replica: ReplicaID(.max), seq: 1)),
            .set(.assignee, .null, overwrites: nil),
            .add(.watchers, ""),
            .remove(.tags, long, observed: []),
            .remove(.tags, "a", observed: [
                OperationID(replica: ReplicaID(5), seq: 1), OperationID(replica: ReplicaID(6), seq: 2),
                OperationID(replica: ReplicaID(5), seq: 3), OperationID(replica: ReplicaID(1), seq: 4),
            ]),
            .comment(body: "", visibility: .public),
            .comment(body: long, visibility: .internal),
            .editComment(OperationID(replica: ReplicaID(1), seq: 1), body: ""),
            .deleteComment(OperationID(replica: ReplicaID(2), seq: 200)),
            .requestEscalation(reason: "", toTeam: nil),
            .requestEscalation(reason: "late", toTeam: "carriers"),
            .escalate(tier: 0, kind: .automatic, reason: "", toTeam: nil),
            .escalate(tier: 3, kind: .functional, reason: long, toTeam: "tier2"),
        ]
        let authors = [Author(.agent, ""), Author(.server, "node-1"), Author(.requester, long)]
        var operations: [TicketOperation] = []
        for (index, payload) in payloads.enumerated() {
            for (seq, millis, counter) in [(UInt64(1), UInt64(0), UInt64(0)), (.max / 2, 0xFFFF_FFFF_FFFF, 0xFFFF), (300, 1, 1)] {
                operations.append(TicketOperation(
                    id: OperationID(replica: ReplicaID(index % 2 == 0 ? 1 : .max), seq: seq),
                    timestamp: Timestamp(millis: millis, counter: counter),
                    author: authors[index % authors.count], ticket: ticket, payload: payload
                ))
            }
        }
        return operations
    }
}
