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

    /// Whole, cut, flipped and grown Push and Deliver messages decode to the same frame (or fail
    /// alike) whether the envelope is read directly or through SwiftProtobuf.
    @Test(arguments: propertySeeds(count: 2))
    func directAndGeneralDecodingAgree(seed: UInt64) throws {
        var work = RandomWorkload(replicaCount: 3, seed: seed)
        work.run(operations: 600, syncEvery: 60)
        var generator = SeededGenerator(seed: seed ^ 0xE1F0)
        var limits = SyncLimits()
        limits.maxOperationsPerBatch = 40
        var direct = 0
        for round in 0..<300 {
            let count = [0, 1, 5, 39, 40, 41].randomElement(using: &generator)!
            let operations = (0..<count).map { _ in work.all.randomElement(using: &generator)! }.sorted { $0.id < $1.id }
            let deliver = SyncCodec.encode(ServerFrame.deliver(operations: operations, cursor: ["", "7", "é1"].randomElement(using: &generator)!, caughtUp: Bool.random(using: &generator)))
            let push = SyncCodec.encode(ClientFrame.push(batch: UInt64.random(in: 0...3, using: &generator), operations: operations))
            for clean in [deliver, push] {
                var bytes = clean
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: break
                case 1: bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
                case 2: bytes.removeLast(Int.random(in: 1...bytes.count, using: &generator))
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...bytes.count, using: &generator))
                }
                let server = Result { () throws(SyncError) in try SyncCodec.decodeServer(bytes, limits: limits) }
                let serverGenerally = Result { () throws(SyncError) in try SyncCodec.decodeServerGenerally(bytes, limits: limits) }
                #expect(same(server, serverGenerally), "seed \(seed), round \(round): \(bytes)")
                let client = Result { () throws(SyncError) in try SyncCodec.decodeClient(bytes, limits: limits) }
                let clientGenerally = Result { () throws(SyncError) in try SyncCodec.decodeClientGenerally(bytes, limits: limits) }
                #expect(same(client, clientGenerally), "seed \(seed), round \(round): \(bytes)")
                if (try? SyncCodec.deliverFrame(bytes, limits: limits)) != nil || (try? SyncCodec.pushFrame(bytes, limits: limits)) != nil { direct += 1 }
            }
        }
        #expect(direct > 100, "seed \(seed): only \(direct) messages were read directly")
    }

    /// The same frame, or the same error code and message.
    func same<Frame: Equatable>(_ a: Result<Frame, SyncError>, _ b: Result<Frame, SyncError>) -> Bool {
        switch (a, b) {
        case (.success(let x), .success(let y)): return x == y
        case (.failure(let x), .failure(let y)): return x.code == y.code && x.message == y.message
        default: return false
        }
    }
}
