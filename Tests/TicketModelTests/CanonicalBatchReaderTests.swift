import Testing
@testable import TicketModel
import TicketTestSupport

/// The canonical reader must read back every batch the writers produce (one operation as a store
/// row holds it, or many as Push and Deliver carry them), and on any other bytes either step
/// aside (nil) or agree with the general decoder. Replay a failure with
/// `TICKETSYNC_SEED=<seed> swift test --filter CanonicalBatchReaderTests`.
@Suite struct CanonicalBatchReaderTests {
    func operations(seed: UInt64) -> [TicketOperation] {
        var work = RandomWorkload(replicaCount: 4, seed: seed)
        work.run(operations: 2_000, syncEvery: 100)
        return work.all + StoreEncodingTests.edgeOperations()
    }

    @Test(arguments: propertySeeds(count: 2))
    func readsBackEveryCanonicalOperation(seed: UInt64) throws {
        for op in operations(seed: seed) {
            let bytes = OperationCodec.encodeOne(op)
            #expect(CanonicalBatchReader.read(bytes) == [op], "seed \(seed): \(op.id) \(op.payload.kindName)")
            #expect(try OperationCodec.decodeGenerally(bytes, maxOperations: 1) == [op], "seed \(seed)")
        }
    }

    /// Flipped, dropped, inserted and repeated bytes: wherever the reader returns an operation,
    /// the general decoder returns that same operation alone.
    @Test(arguments: propertySeeds(count: 3))
    func damagedBytesAreReadAsTheGeneralDecoderReadsThem(seed: UInt64) {
        var generator = SeededGenerator(seed: seed ^ 0x51_6E)
        var accepted = 0, steppedAside = 0
        for op in operations(seed: seed).shuffled(using: &generator).prefix(600) {
            let clean = OperationCodec.encodeOne(op)
            for _ in 0..<12 {
                let bytes = damaged(clean, using: &generator)
                let general = try? OperationCodec.decodeGenerally(bytes, maxOperations: .max)
                if let read = CanonicalBatchReader.read(bytes) {
                    accepted += 1
                    #expect(general == read, "seed \(seed): \(bytes) read as \(read), generally as \(String(describing: general))")
                } else {
                    steppedAside += 1
                }
                #expect((try? OperationCodec.decode(bytes)) == general, "seed \(seed): \(bytes)")
            }
        }
        #expect(accepted > 0 && steppedAside > 0, "seed \(seed): accepted \(accepted), stepped aside \(steppedAside)")
    }

    /// Batches of many operations, as Push and Deliver carry them: read back whole, refused
    /// past `maxOperations` (by the general path, with its message), and, once damaged, read as
    /// the general decoder reads them.
    @Test(arguments: propertySeeds(count: 2))
    func readsWholeBatchesAndAgreesOnDamagedOnes(seed: UInt64) throws {
        let all = operations(seed: seed)
        var generator = SeededGenerator(seed: seed ^ 0xCA70)
        var accepted = 0, steppedAside = 0
        for round in 0..<150 {
            let count = [0, 2, 5, 40, 300].randomElement(using: &generator)!
            let batch = (0..<count).map { _ in all.randomElement(using: &generator)! }.sorted { $0.id < $1.id }
            let clean = OperationCodec.encode(sortedByID: batch)
            #expect(CanonicalBatchReader.read(clean) == batch, "seed \(seed), round \(round)")
            if count > 1 {
                #expect(CanonicalBatchReader.read(clean, maxOperations: count - 1) == nil, "seed \(seed), round \(round)")
                #expect(throws: TicketModelError.self) { try OperationCodec.decode(clean, maxOperations: count - 1) }
            }
            guard !clean.isEmpty else { continue }
            for _ in 0..<8 {
                let bytes = damaged(clean, using: &generator)
                let general = try? OperationCodec.decodeGenerally(bytes, maxOperations: .max)
                if let read = CanonicalBatchReader.read(bytes) {
                    accepted += 1
                    #expect(general == read, "seed \(seed): damaged batch read as \(read.count) operations, generally as \(String(describing: general?.count))")
                } else {
                    steppedAside += 1
                }
            }
        }
        #expect(accepted > 0 && steppedAside > 0, "seed \(seed): accepted \(accepted), stepped aside \(steppedAside)")
    }

    /// `clean` with one byte flipped, dropped or inserted, or a short run repeated.
    func damaged(_ clean: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = clean
        let at = Int.random(in: 0..<bytes.count, using: &generator)
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
        case 1: bytes.remove(at: at)
        case 2: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: at)
        default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + Int.random(in: 1...6, using: &generator))], at: at)
        }
        return bytes
    }
}
