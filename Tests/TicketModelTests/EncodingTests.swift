import Crypto
import Foundation
import Testing
import TicketModel
import TicketTestSupport

/// The canonical encoding: round trips, canonical bytes, and refusal of malformed input.
@Suite struct EncodingTests {
    @Test(arguments: propertySeeds(count: 2))
    func encodingRoundTripsAndIsCanonical(seed: UInt64) throws {
        var work = RandomWorkload(replicaCount: 4, seed: seed)
        work.run(operations: 3_000)
        let bytes = OperationCodec.encode(work.all)
        let decoded = try OperationCodec.decode(bytes)
        #expect(decoded == work.all.sorted { $0.id < $1.id }, "seed \(seed)")
        var generator = SeededGenerator(seed: seed)
        #expect(OperationCodec.encode(work.all.shuffled(using: &generator)) == bytes, "seed \(seed): encoding not canonical")
    }

    @Test func digestIsSHA256OfCanonicalState() throws {
        var work = RandomWorkload(replicaCount: 3, seed: 11)
        work.run(operations: 500)
        let replica = work.replicas[0]
        let expected = SHA256.hash(data: replica.canonicalStateBytes())
        #expect(replica.digest().bytes == Array(expected))
    }

    @Test func garbageIsRefusedWithADecodingError() {
        for bytes: [UInt8] in [[0xFF, 0xFF, 0xFF], [0x0A, 0x05, 0x01], Array(repeating: 0x22, count: 40)] {
            do {
                _ = try OperationCodec.decode(bytes)
                Issue.record("decoded garbage \(bytes)")
            } catch {
                #expect(error.code == .decodingFailed)
            }
        }
    }

    @Test func truncatedBatchIsRefused() throws {
        var work = RandomWorkload(replicaCount: 2, seed: 5)
        work.run(operations: 50)
        let bytes = OperationCodec.encode(work.all)
        #expect(throws: TicketModelError.self) { try OperationCodec.decode(bytes.dropLast(3)) }
    }

    @Test func outOfRangeIndexAndTooManyOperationsAreRefused() throws {
        var work = RandomWorkload(replicaCount: 2, seed: 6)
        work.run(operations: 20)
        let bytes = OperationCodec.encode(work.all)
        do {
            _ = try OperationCodec.decode(bytes, maxOperations: 10)
            Issue.record("over-long batch accepted")
        } catch {
            #expect(error.code == .tooLarge)
        }
        // One op whose ticket index points past an empty table: field 4 (runs) → run{ops{ticket=3}}.
        let op: [UInt8] = [0x20, 0x03, 0x72, 0x00]  // ticket = 3, comment {} (field 14)
        let run: [UInt8] = [0x12, UInt8(op.count)] + op
        let batch: [UInt8] = [0x11] + Array(repeating: 1, count: 8) + [0x22, UInt8(run.count)] + run
        do {
            _ = try OperationCodec.decode(batch)
            Issue.record("dangling ticket index accepted")
        } catch {
            #expect(error.code == .decodingFailed)
            #expect(error.message.contains("outside the table"))
        }
    }
}
