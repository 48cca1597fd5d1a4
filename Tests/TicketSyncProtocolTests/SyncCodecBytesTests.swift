import SwiftProtobuf
import Testing
@testable import TicketModel
@testable import TicketSyncProtocol
import TicketTestSupport

/// Push and Deliver are written by hand (`SyncCodec+Operations.swift`); their bytes must be the
/// ones SwiftProtobuf writes for the same message, whatever the batch, cursor and flags. Replay a
/// failure with `TICKETSYNC_SEED=<seed> swift test --filter SyncCodecBytesTests`.
@Suite struct SyncCodecBytesTests {
    @Test(arguments: propertySeeds(count: 2))
    func pushAndDeliverAreTheMessagesBytes(seed: UInt64) throws {
        var work = RandomWorkload(replicaCount: 4, seed: seed)
        work.run(operations: 2_000, syncEvery: 100)
        var generator = SeededGenerator(seed: seed ^ 0xDE11)
        let cursors = ["", "0", "42", String(repeating: "9", count: 200)]
        for round in 0..<200 {
            let count = [0, 1, 3, 100, 1_000].randomElement(using: &generator)!
            let operations = (0..<count).map { _ in work.all.randomElement(using: &generator)! }.sorted { $0.id < $1.id }
            let cursor = cursors.randomElement(using: &generator)!
            let caughtUp = Bool.random(using: &generator)
            let batchNumber = [0, 1, UInt64.max].randomElement(using: &generator)!

            var deliver = Ticketsync_V1_Deliver()
            deliver.operations = OperationCodec.message(sortedByID: operations)
            deliver.cursor = cursor
            deliver.caughtUp = caughtUp
            var server = Ticketsync_V1_ServerMessage()
            server.deliver = deliver
            let deliverFrame = ServerFrame.deliver(operations: operations, cursor: cursor, caughtUp: caughtUp)
            #expect(SyncCodec.encode(deliverFrame) == (try server.serializedBytes() as [UInt8]), "seed \(seed), round \(round)")
            #expect(try SyncCodec.decodeServer(SyncCodec.encode(deliverFrame), limits: SyncLimits()) == deliverFrame, "seed \(seed), round \(round)")

            var push = Ticketsync_V1_Push()
            push.batch = batchNumber
            push.operations = OperationCodec.message(sortedByID: operations)
            var client = Ticketsync_V1_ClientMessage()
            client.push = push
            let pushFrame = ClientFrame.push(batch: batchNumber, operations: operations)
            #expect(SyncCodec.encode(pushFrame) == (try client.serializedBytes() as [UInt8]), "seed \(seed), round \(round)")
        }
    }
}
