import Testing
import TicketModel
import TicketSyncServer

/// Pushes that the store accepts: durable, idempotent, and the same state as the model's.
@Suite struct AppendTests {
    /// Two tickets worked by one station: creates, field writes, tags, comments, edits.
    static func workday(_ script: inout OperationScript) -> [TicketOperation] {
        let a = ticket(1), b = ticket(2)
        var ops = [script.create(a, site: "DFW1"), script.create(b, site: "DFW1", team: "returns")]
        ops.append(script.set(.priority, .text("high"), on: a))
        ops.append(script.next(.add(.tags, "vip"), on: a))
        ops.append(script.next(.comment(body: "Called the carrier", visibility: .public), on: a))
        let comment = ops.last!.id
        ops.append(script.next(.editComment(comment, body: "Called UPS"), on: a))
        ops.append(script.next(.remove(.tags, "vip", observed: [ops[3].id]), on: a))
        ops.append(script.set(.assignee, .text("bo"), on: b))
        ops.append(script.next(.requestEscalation(reason: "carrier silent for 2 days", toTeam: nil), on: b))
        ops.append(script.next(.deleteComment(comment), on: a))
        return ops
    }

    @Test(arguments: StoreBackEnd.all)
    func acceptedOperationsSurviveReopening(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        var script = OperationScript(replica: ReplicaID(0x51))
        let ops = Self.workday(&script)
        let digest: StateDigest
        let serverReplica: ReplicaID
        do {
            let store = try await location.open()
            let station = try await addBoundStation(store, "dfw-pack-1", replica: script.replica)
            let result = try await store.append(ops, from: station, at: script.receivedMillis)
            #expect(result == AppendResult(accepted: ops.count, duplicates: 0, rejected: [], decidedSequence: script.seq))
            digest = try await store.digest()
            serverReplica = try await store.serverReplica()
        }
        // A new handle on the same data, as after a restart.
        let store = try await location.open()
        #expect(try await store.serverReplica() == serverReplica)
        #expect(try await store.counts() == StoreCounts(operations: ops.count, tickets: 2, stations: 1))
        #expect(try await store.decidedSequence(of: script.replica) == script.seq)
        #expect(try await readAll(store).map { try $0.operation } == ops)
        #expect(try await store.digest() == digest)
        #expect(digest == referenceDigest(ops))
        #expect(try await store.stations().first?.replica == script.replica)

        // It keeps working after the restart: more operations, and the old ones are duplicates.
        let station = try #require(try await store.stations().first)
        let more = [script.set(.status, .text("solved"), on: ticket(1))]
        let result = try await store.append(ops + more, from: station, at: script.receivedMillis)
        #expect(result == AppendResult(accepted: 1, duplicates: ops.count, rejected: [], decidedSequence: script.seq))
        #expect(try await store.digest() == referenceDigest(ops + more))
    }

    @Test(arguments: StoreBackEnd.all)
    func aResentBatchChangesNothing(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await location.open()
        var script = OperationScript(replica: ReplicaID(0x52))
        let ops = Self.workday(&script)
        let station = try await addBoundStation(store, "dfw-pack-1", replica: script.replica)
        _ = try await store.append(ops, from: station, at: script.receivedMillis)
        let digest = try await store.digest()
        let entries = try await readAll(store)

        let again = try await store.append(ops, from: station, at: script.receivedMillis + 60_000)
        #expect(again == AppendResult(accepted: 0, duplicates: ops.count, rejected: [], decidedSequence: script.seq))
        // A batch that repeats an operation within itself, too.
        let twice = try await store.append([ops[2], ops[2]], from: station, at: script.receivedMillis)
        #expect(twice.duplicates == 2)
        #expect(try await store.digest() == digest)
        #expect(try await readAll(store).map(\.cursor) == entries.map(\.cursor))
        #expect(try await store.counts().operations == ops.count)
    }

    @Test(arguments: StoreBackEnd.all)
    func digestEqualsTheModelsForSeveralStations(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await location.open()
        var north = OperationScript(replica: ReplicaID(0x61))
        var south = OperationScript(replica: ReplicaID(0x62), millis: t0 + 500)
        let northStation = try await addBoundStation(store, "north", replica: north.replica)
        let southStation = try await addBoundStation(store, "south", replica: south.replica)
        let northOps = Self.workday(&north)
        // South works the same tickets concurrently: conflicting writes, a concurrent tag add.
        let southOps = [
            south.set(.priority, .text("urgent"), on: ticket(1)),
            south.next(.add(.tags, "vip"), on: ticket(1)),
            south.set(.site, .text("ONT3"), on: ticket(2)),
            south.next(.comment(body: "Restocked", visibility: .internal), on: ticket(2)),
        ]
        _ = try await store.append(Array(northOps.prefix(2)), from: northStation, at: north.receivedMillis)
        _ = try await store.append(southOps, from: southStation, at: south.receivedMillis)
        _ = try await store.append(Array(northOps.dropFirst(2)), from: northStation, at: north.receivedMillis)

        #expect(try await store.digest() == referenceDigest(northOps + southOps))
        #expect(try await store.digest() == referenceDigest(southOps.reversed() + northOps.reversed()))
        #expect(try await store.decidedSequence(of: north.replica) == north.seq)
        #expect(try await store.decidedSequence(of: south.replica) == south.seq)
        #expect(try await store.decidedSequence(of: ReplicaID(0x99)) == 0)
    }

    @Test(arguments: StoreBackEnd.all)
    func decidedSequenceWaitsForAGap(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await location.open()
        var script = OperationScript(replica: ReplicaID(0x63))
        let station = try await addBoundStation(store, "s", replica: script.replica)
        let ops = [script.create(ticket(1)), script.set(.priority, .text("low"), on: ticket(1)), script.set(.priority, .text("high"), on: ticket(1))]
        let first = try await store.append([ops[0], ops[2]], from: station, at: script.receivedMillis)
        #expect(first.accepted == 2 && first.decidedSequence == 1)
        let second = try await store.append([ops[1]], from: station, at: script.receivedMillis)
        #expect(second.decidedSequence == 3)
        #expect(try await store.append([], from: station, at: script.receivedMillis).decidedSequence == 3)
    }

    @Test(arguments: StoreBackEnd.all)
    func onlyABoundLiveStationAppendsItsOwnOperations(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await location.open()
        var own = OperationScript(replica: ReplicaID(0x71))
        var other = OperationScript(replica: ReplicaID(0x72))
        let station = try await addBoundStation(store, "s", replica: own.replica)

        // Another replica's operation fails the whole batch: nothing of it is written, and no
        // refusal is recorded under the other replica's id.
        let mixed = [own.create(ticket(1)), other.create(ticket(2))]
        let foreign = await #expect(throws: ServerError.self) { try await store.append(mixed, from: station, at: own.receivedMillis) }
        #expect(foreign?.code == .invalidArgument)
        #expect(try await store.counts().operations == 0)
        #expect(try await store.decidedSequence(of: other.replica) == 0)

        // An unbound credential, and a revoked one, append nothing.
        let hash = StationToken.hash(StationToken.generate())
        try await store.addStation(name: "unbound", tokenHash: hash, scopes: [.all], createdMillis: t0)
        let unbound = try #require(try await store.station(tokenHash: hash))
        await #expect(throws: ServerError.self) { try await store.append([mixed[0]], from: unbound, at: own.receivedMillis) }
        try await store.revokeStation(name: "s")
        let revoked = await #expect(throws: ServerError.self) { try await store.append([mixed[0]], from: station, at: own.receivedMillis) }
        #expect(revoked?.message.contains("revoked") == true)
        #expect(try await store.counts().operations == 0)
    }
}
