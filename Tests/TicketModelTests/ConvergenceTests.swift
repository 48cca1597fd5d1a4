import Testing
import TicketModel
import TicketTestSupport

/// Property tests: whatever the delivery order, duplicates or partial delivery, every replica that
/// has seen the same operations holds the same state. A failure names its seed; replay it with
/// `TICKETSYNC_SEED=<seed> swift test --filter ConvergenceTests`.
@Suite struct ConvergenceTests {
    @Test(arguments: propertySeeds(count: 2))
    func replicasConvergeUnderAnyDelivery(seed: UInt64) throws {
        var work = RandomWorkload(replicaCount: 6, seed: seed)
        work.run(operations: 10_000)
        let later = work.baseMillis + work.now + 60_000
        var generator = SeededGenerator(seed: seed ^ 0xD1CE)

        // A reference: one fresh replica applies everything in id order.
        var reference = TicketReplica(id: ReplicaID(0xABCD))
        let refused = reference.apply(batch: work.all.sorted { $0.id < $1.id }, physicalMillis: later)
        #expect(refused.isEmpty, "seed \(seed): reference refused \(refused.count) operations")
        let expected = reference.digest()

        for index in work.replicas.indices {
            // Partial delivery in random order with duplicates, then full delivery in another order.
            var partial = work.all.filter { _ in Bool.random(using: &generator) }
            partial += partial.prefix(partial.count / 5)
            partial.shuffle(using: &generator)
            #expect(work.replicas[index].apply(batch: partial, physicalMillis: later).isEmpty, "seed \(seed)")
            var full = work.all + work.all.prefix(1000)
            full.shuffle(using: &generator)
            #expect(work.replicas[index].apply(batch: full, physicalMillis: later).isEmpty, "seed \(seed)")
            #expect(work.replicas[index].operationCount == work.all.count, "seed \(seed): replica \(index) op count")
            #expect(work.replicas[index].digest() == expected, "seed \(seed): replica \(index) diverged")
        }

        // Pairwise state merge is commutative: a fresh replica merging the replicas in reverse
        // order ends equal too.
        var merged = TicketReplica(id: ReplicaID(0xBEEF))
        for replica in work.replicas.reversed() { merged.merge(replica, physicalMillis: later) }
        #expect(merged.digest() == expected, "seed \(seed): merge diverged")
    }

    @Test(arguments: propertySeeds(count: 3))
    func mergeIsCommutativeAssociativeAndIdempotent(seed: UInt64) {
        var work = RandomWorkload(replicaCount: 5, seed: seed)
        work.run(operations: 2_000, syncEvery: 150)
        let later = work.baseMillis + work.now + 60_000
        let (a, b, c) = (work.replicas[0], work.replicas[1], work.replicas[2])

        func merged(_ parts: [TicketReplica]) -> TicketReplica {
            var result = TicketReplica(id: ReplicaID(0x5EED))
            for part in parts { result.merge(part, physicalMillis: later) }
            return result
        }
        var ab = a
        ab.merge(b, physicalMillis: later)
        var ba = b
        ba.merge(a, physicalMillis: later)
        #expect(ab.digest() == ba.digest(), "seed \(seed): a∪b ≠ b∪a")

        var abThenC = ab
        abThenC.merge(c, physicalMillis: later)
        var bc = b
        bc.merge(c, physicalMillis: later)
        var aThenBC = a
        aThenBC.merge(bc, physicalMillis: later)
        #expect(abThenC.digest() == aThenBC.digest(), "seed \(seed): (a∪b)∪c ≠ a∪(b∪c)")

        var twice = abThenC
        let (applied, _) = twice.merge(abThenC, physicalMillis: later)
        #expect(applied == 0 && twice.digest() == abThenC.digest(), "seed \(seed): merge not idempotent")
        #expect(merged([c, b, a]).digest() == abThenC.digest(), "seed \(seed)")
    }
}
