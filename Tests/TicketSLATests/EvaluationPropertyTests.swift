import Testing
import TicketModel
import TicketSLA
import TicketTestSupport

/// Evaluation is a function of the operation set: any arrival order gives the same result,
/// and a new policy version keeps the time already spent and paused. A failure names its seed;
/// replay with `TICKETSYNC_SEED=<seed> swift test --filter EvaluationPropertyTests`.
@Suite struct EvaluationPropertyTests {
    static let t0: UInt64 = 1_772_445_600_000

    /// A random ticket life: statuses, replies, requester comments, some counted earlier than made.
    static func randomScript(_ generator: inout SeededGenerator) throws -> TicketScript {
        var script = TicketScript()
        var time = t0
        try script.create(at: time, priority: TicketPriority.allCases.randomElement(using: &generator)!)
        for _ in 0..<Int.random(in: 0...25, using: &generator) {
            time += UInt64.random(in: 1...(90 * At.minute), using: &generator)
            let counted = Bool.random(using: &generator) ? time : time - UInt64.random(in: 0...(time - t0), using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: try script.status(TicketStatus.allCases.randomElement(using: &generator)!, at: time, counted: counted)
            case 1, 2: try script.reply(at: time, counted: counted, visibility: Bool.random(using: &generator) ? .public : .internal)
            case 3: try script.requesterComment(at: time)
            case 4: try script.record(script.replica.add("vip", to: .tags, on: script.ticket, by: script.agent, physicalMillis: time), at: counted)
            default: try script.escalate(to: Int.random(in: 1...3, using: &generator), at: time)
            }
        }
        return script
    }

    static let office: BusinessCalendar = {
        try! BusinessCalendar(name: "office", timeZone: "America/New_York", windows: windows(weekdays, "08:00-18:00"))
    }()

    @Test(arguments: propertySeeds(count: 3))
    func anyArrivalOrderGivesTheSameEvaluation(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let sets = [
            PolicySet.default,
            try policySet(first: At.hour, next: 2 * At.hour, update: 3 * At.hour, resolution: 9 * At.hour, calendar: Self.office),
        ]
        for round in 0..<30 {
            let script = try Self.randomScript(&generator)
            let now = Self.t0 + UInt64.random(in: 0...(48 * At.hour), using: &generator)
            for set in sets {
                let expected = set.evaluate(script.operations, now: now)
                #expect(expected != nil, "seed \(seed) round \(round)")
                var shuffled = script.operations
                shuffled.shuffle(using: &generator)
                // Repeats of an operation change nothing either.
                shuffled += shuffled.prefix(3)
                #expect(set.evaluate(shuffled, now: now) == expected, "seed \(seed) round \(round) policy \(set.policies[0].id)")
                // Recomputing is exact: the same input twice, the same output.
                #expect(set.evaluate(script.operations, now: now) == expected, "seed \(seed) round \(round)")
            }
        }
    }

    @Test(arguments: propertySeeds(count: 2))
    func aNewPolicyVersionKeepsTimeSpentAndPaused(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        for round in 0..<30 {
            let script = try Self.randomScript(&generator)
            let now = Self.t0 + UInt64.random(in: 0...(48 * At.hour), using: &generator)
            let old = try policySet(first: At.hour, resolution: 8 * At.hour, calendar: Self.office)
            let new = try policySet(first: 3 * At.hour, resolution: 30 * At.hour, calendar: Self.office)
            let before = try #require(old.evaluate(script.operations, now: now))
            let after = try #require(new.evaluate(script.operations, now: now))
            #expect(before.policyVersion != after.policyVersion)
            for metric in [SLAMetric.firstResponse, .resolution] {
                let a = try #require(before.clock(metric))
                let b = try #require(after.clock(metric))
                // Elapsed is capped by the stop; with a longer target nothing that was counted is lost.
                #expect(a.elapsedMillis == b.elapsedMillis, "seed \(seed) round \(round) \(metric)")
                #expect(a.pausedMillis == b.pausedMillis, "seed \(seed) round \(round) \(metric)")
                #expect(a.startedMillis == b.startedMillis, "seed \(seed) round \(round) \(metric)")
            }
        }
    }

    @Test(arguments: propertySeeds(count: 2))
    func clocksNeverRunBackwards(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        for round in 0..<20 {
            let script = try Self.randomScript(&generator)
            var previous: [SLAMetric: (UInt64, UInt64)] = [:]
            for step in 0..<10 {
                let now = Self.t0 + UInt64(step) * 5 * At.hour
                let evaluation = try #require(PolicySet.default.evaluate(script.operations, now: now))
                for clock in evaluation.clocks where clock.metric != .nextResponse {
                    if let (elapsed, paused) = previous[clock.metric] {
                        #expect(clock.elapsedMillis >= elapsed, "seed \(seed) round \(round) step \(step) \(clock.metric)")
                        #expect(clock.pausedMillis >= paused, "seed \(seed) round \(round) step \(step) \(clock.metric)")
                    }
                    previous[clock.metric] = (clock.elapsedMillis, clock.pausedMillis)
                    #expect(clock.elapsedMillis + clock.pausedMillis <= now - clock.startedMillis + 1, "seed \(seed)")
                }
            }
        }
    }
}
