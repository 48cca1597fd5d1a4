import Testing
import TicketModel
import TicketSLA
import TicketTestSupport

/// The `sla.*` field text a server writes for each clock reads back as the same clock, whatever
/// its optional parts, and a text in another key order or with unknown keys reads the same.
@Suite struct ClockRecordTests {
    @Test(arguments: propertySeeds(count: 3)) func recordsReadBackAsTheClockTheyWereWrittenFrom(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let states: [SLAClockState] = [.running, .paused, .met, .breached]
        func maybe() -> UInt64? { Bool.random(using: &generator) ? UInt64.random(in: 0...UInt64(Int64.max), using: &generator) : nil }
        for _ in 0..<200 {
            let clock = SLAClock(
                metric: .resolution, state: states.randomElement(using: &generator)!, cycle: Int.random(in: 1...50, using: &generator),
                targetMillis: UInt64.random(in: 1...10_000_000, using: &generator), elapsedMillis: UInt64.random(in: 0...1 << 40, using: &generator),
                pausedMillis: UInt64.random(in: 0...1 << 40, using: &generator), startedMillis: UInt64.random(in: 0...1 << 42, using: &generator),
                stoppedMillis: maybe(), dueMillis: maybe(), warningMillis: maybe(), declaredBreachMillis: maybe()
            )
            let record = SLAFields.record(of: clock)
            #expect(SLAFields.clock(.resolution, from: record) == clock, "seed \(seed): \(record)")
            // Reordered, with a key this build does not know: the same clock.
            let text = try #require(record.text)
            let shuffled = (text.split(separator: ";").map(String.init) + ["later=7"]).shuffled(using: &generator).joined(separator: ";")
            #expect(SLAFields.clock(.resolution, from: .text(shuffled)) == clock, "seed \(seed): \(shuffled)")
        }
        // No state, no target, or a state this build does not know: no clock.
        #expect(SLAFields.clock(.resolution, from: .text("cycle=1;target=5")) == nil)
        #expect(SLAFields.clock(.resolution, from: .text("state=met;cycle=1")) == nil)
        #expect(SLAFields.clock(.resolution, from: .text("state=melted;target=5")) == nil)
    }
}
