import Testing
import TicketModel
import TicketSyncServer
import TicketTestSupport

/// A random workload pushed by several stations, each in its replica's sequence order, in random
/// interleavings and batch sizes with re-sends: the store refuses exactly what an in-memory
/// replica validating station pushes refuses, and ends with the same digest. Replay a failure with
/// `TICKETSYNC_SEED=<seed> swift test --filter TicketSyncServerSQLiteTests.ConvergencePropertyTests`.
@Suite struct ConvergencePropertyTests {
    @Test(arguments: StoreBackEnd.all, propertySeeds(count: 2))
    func stationsPushingARandomWorkloadConverge(_ backEnd: StoreBackEnd, seed: UInt64) async throws {
        print("ConvergencePropertyTests: seed \(seed) (replay with TICKETSYNC_SEED=\(seed))")
        var work = RandomWorkload(replicaCount: 4, seed: seed)
        work.run(operations: 800, syncEvery: 100)
        let received = work.baseMillis + work.now + 60_000
        var generator = SeededGenerator(seed: seed ^ 0x5E_4E)
        let location = try await backEnd.makeLocation()
        let store = try await location.open()

        // One station per replica, scope `all`. The workload's last replica plays a server: its
        // operations are server-authored, so pushed by a station they must all be refused.
        var stations: [ReplicaID: StationRecord] = [:]
        for (index, replica) in work.replicas.enumerated() {
            stations[replica.id] = try await addBoundStation(store, "station-\(index)", replica: replica.id)
        }
        let serverPlayer = work.replicas[work.serverIndex].id

        // What each operation needs in the log first: its ticket's create, and an edited comment.
        var createOf: [TicketID: OperationID] = [:]
        for op in work.all { if case .create = op.payload, createOf[op.ticket] == nil { createOf[op.ticket] = op.id } }
        func dependencies(_ op: TicketOperation) -> [OperationID] {
            var ids: [OperationID] = []
            if case .create = op.payload {} else if let create = createOf[op.ticket] { ids.append(create) }
            switch op.payload {
            case .editComment(let comment, _), .deleteComment(let comment): ids.append(comment)
            default: break
            }
            return ids
        }

        var queues = Dictionary(grouping: work.all, by: \.id.replica).mapValues { $0.sorted { $0.id.seq < $1.id.seq } }
        var delivered: Set<OperationID> = []
        var reference = TicketReplica(id: ReplicaID(0xF00D))
        var refusedByReference: [OperationID: String] = [:]
        var appends = 0
        while queues.values.contains(where: { !$0.isEmpty }) {
            // A station whose next operation can go (some always can: the one made earliest).
            let ready = queues.filter { _, queue in queue.first.map { dependencies($0).allSatisfy(delivered.contains) } ?? false }
            let replica = ready.keys.sorted()[Int.random(in: 0..<ready.count, using: &generator)]
            var batch: [TicketOperation] = []
            var inBatch = delivered
            for op in queues[replica]!.prefix(Int.random(in: 1...60, using: &generator)) {
                guard dependencies(op).allSatisfy(inBatch.contains) else { break }
                batch.append(op)
                inBatch.insert(op.id)
            }
            queues[replica]!.removeFirst(batch.count)
            delivered = inBatch

            var expected: [(UInt64, String)] = []
            for op in batch {
                do {
                    try reference.apply(op, physicalMillis: received, rules: .stationPush)
                } catch {
                    refusedByReference[op.id] = error.code.rawValue
                    expected.append((op.id.seq, error.code.rawValue))
                }
            }
            let result = try await store.append(batch, from: stations[replica]!, at: received)
            appends += 1
            #expect(result.rejected.map(\.seq) == expected.map(\.0), "seed \(seed)")
            #expect(result.rejected.map(\.code) == expected.map(\.1), "seed \(seed)")
            #expect(result.accepted == batch.count - expected.count, "seed \(seed)")
            #expect(result.decidedSequence == batch.last!.id.seq, "seed \(seed)")
            if Int.random(in: 0..<4, using: &generator) == 0 {
                let again = try await store.append(batch, from: stations[replica]!, at: received)
                #expect(again.accepted == 0 && again.duplicates == result.accepted, "seed \(seed): a re-send was not a no-op")
                #expect(again.rejected.map(\.code) == result.rejected.map(\.code), "seed \(seed)")
            }
        }

        // Every server-authored operation was refused as such.
        for op in work.all where op.id.replica == serverPlayer {
            #expect(refusedByReference[op.id] == "server_owned_field", "seed \(seed): \(op.id)")
        }
        let accepted = work.all.filter { refusedByReference[$0.id] == nil }
        #expect(!accepted.isEmpty)
        #expect(try await store.digest() == reference.digest(), "seed \(seed): digest differs from the model's")
        #expect(try await store.digest() == referenceDigest(accepted.shuffled(using: &generator)), "seed \(seed)")
        #expect(try await store.counts().operations == accepted.count, "seed \(seed)")
        let log = try await readAll(store, page: 97)
        #expect(Set(log.map(\.id)) == Set(accepted.map(\.id)) && log.count == accepted.count, "seed \(seed)")
        for replica in work.replicas {
            let seqs = log.filter { $0.id.replica == replica.id }.map(\.id.seq)
            #expect(seqs == seqs.sorted(), "seed \(seed): replica \(replica.id) out of order in the log")
            #expect(try await store.decidedSequence(of: replica.id) == replica.lastSequence, "seed \(seed)")
        }
        #expect(appends > 10)
    }
}
