import Testing
import TicketModel
@testable import TicketSyncClient
import TicketTestSupport

/// The pending set's slots are worked on in place and removed by moving the last slot into
/// each hole: the index must keep naming every slot's position. Replay a failure with
/// `TICKETSYNC_SEED=<seed> swift test --filter PendingRowsSlotTests`.
@Suite struct PendingRowsSlotTests {
    @Test(arguments: propertySeeds(count: 4))
    func removingSlotsKeepsTheIndexExact(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var set = PendingRows()
        var expected = Set<TicketID>()
        for round in 0..<20 {
            for _ in 0..<Int.random(in: 0...40, using: &generator) {
                let id = TicketID(high: generator.next(), low: generator.next())
                let position = set.append(TicketWorkspace.Slot(state: TicketState(id: id, retainsDetail: false), row: nil, head: Int64(round)))
                #expect(set.slots[position].state.id == id, "seed \(seed)")
                expected.insert(id)
            }
            let leaving = Array(0..<set.slots.count).filter { _ in Bool.random(using: &generator) }
            let removed = Set(leaving.map { set.slots[$0].state.id })
            set.remove(leaving)
            expected.subtract(removed)
            #expect(Set(set.slots.map(\.state.id)) == expected, "seed \(seed), round \(round)")
            #expect(set.index.count == set.slots.count, "seed \(seed), round \(round)")
            for (position, slot) in set.slots.enumerated() {
                #expect(set.index[slot.state.id] == position, "seed \(seed), round \(round)")
            }
        }
    }
}
