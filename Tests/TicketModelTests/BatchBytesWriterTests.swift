import Testing
@testable import TicketModel
import TicketTestSupport

/// The direct batch writer must write exactly the bytes SwiftProtobuf writes for the batch
/// message, for any set of operations in id order: many replicas and tickets, repeated authors,
/// references to replicas that have no run, gaps in sequence numbers, clocks going back, the same
/// id twice. Replay a failure with `TICKETSYNC_SEED=<seed> swift test --filter BatchBytesWriterTests`.
@Suite struct BatchBytesWriterTests {
    @Test(arguments: propertySeeds(count: 3))
    func writesTheBytesOfTheMessage(seed: UInt64) throws {
        var work = RandomWorkload(replicaCount: 5, seed: seed)
        work.run(operations: 3_000, syncEvery: 150)
        let all = work.all + StoreEncodingTests.edgeOperations()
        var generator = SeededGenerator(seed: seed ^ 0xBA7C)
        var sizes = Set<Int>()
        for round in 0..<300 {
            let count = [0, 1, 2, 7, 50, 400, 1_000].randomElement(using: &generator)!
            var batch = (0..<count).map { _ in all.randomElement(using: &generator)! }
            // Now and then a run of one replica's consecutive operations, as a push sends them.
            if round % 5 == 0, let replica = all.randomElement(using: &generator)?.id.replica {
                batch = all.filter { $0.id.replica == replica }
            }
            batch.sort { $0.id < $1.id }
            let direct = OperationCodec.encode(sortedByID: batch)
            #expect(direct == OperationCodec.encodeThroughMessage(sortedByID: batch), "seed \(seed), round \(round): \(batch.count) operations")
            #expect(try OperationCodec.decode(direct) == batch, "seed \(seed), round \(round)")
            sizes.insert(batch.count)
        }
        #expect(sizes.contains(0) && sizes.contains(1) && sizes.count >= 5, "seed \(seed): batch sizes \(sizes.sorted())")
    }

    @Test func writesEdgeOperationsAloneAndTogether() throws {
        let edges = StoreEncodingTests.edgeOperations().sorted { $0.id < $1.id }
        for op in edges {
            #expect(OperationCodec.encode(sortedByID: [op]) == OperationCodec.encodeThroughMessage(sortedByID: [op]), "\(op.id)")
            #expect(OperationCodec.encode(sortedByID: [op]) == OperationCodec.encodeOne(op), "\(op.id)")
        }
        #expect(OperationCodec.encode(sortedByID: edges) == OperationCodec.encodeThroughMessage(sortedByID: edges))
        #expect(OperationCodec.encode(sortedByID: (edges + edges).sorted { $0.id < $1.id }) == OperationCodec.encodeThroughMessage(sortedByID: (edges + edges).sorted { $0.id < $1.id }))
    }
}
