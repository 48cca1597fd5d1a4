import Testing
import TicketModel
import TicketSLA

/// What starts, pauses and stops each clock; breaches and their deadlines; tiers; declared
/// breaches re-scored as met-reported-late; the `sla.*` encoding.
@Suite struct EvaluationTests {
    let t0: UInt64 = 1_772_445_600_000  // 2026-03-02 10:00 UTC, a Monday
    let hour = At.hour
    let minute = At.minute

    @Test func firstPublicAgentCommentMeetsTheFirstResponse() throws {
        var script = TicketScript()
        try script.create(at: t0)
        try script.reply(at: t0 + 10 * minute, visibility: .internal)  // not a response
        try script.requesterComment(at: t0 + 15 * minute)  // not a response either
        try script.reply(at: t0 + 30 * minute)
        let set = try policySet(first: hour)
        let clock = try #require(set.evaluate(script.operations, now: t0 + 2 * hour)?.clock(.firstResponse))
        #expect(clock.state == .met)
        #expect(clock.elapsedMillis == 30 * minute)
        #expect(clock.stoppedMillis == t0 + 30 * minute)
        #expect(clock.dueMillis == nil)
    }

    @Test func anUnansweredTicketBreachesAtItsDueInstant() throws {
        var script = TicketScript()
        try script.create(at: t0)
        let set = try policySet(first: hour)
        let before = try #require(set.evaluate(script.operations, now: t0 + 10 * minute))
        let running = try #require(before.clock(.firstResponse))
        #expect(running.state == .running)
        #expect(running.dueMillis == t0 + hour)
        #expect(running.warningMillis == t0 + 45 * minute)
        #expect(before.deadlines.map(\.key) == ["warning:first_response", "breach:first_response"])
        #expect(before.deadlines.map(\.dueMillis) == [t0 + 45 * minute, t0 + hour])
        // At the due instant the clock is breached (a reply must come before it).
        let at = try #require(set.evaluate(script.operations, now: t0 + hour)?.clock(.firstResponse))
        #expect(at.state == .breached)
        let after = try #require(set.evaluate(script.operations, now: t0 + 3 * hour))
        #expect(after.clock(.firstResponse)?.state == .breached)
        #expect(after.clock(.firstResponse)?.dueMillis == t0 + hour)
        // Not yet declared by a server: the breach deadline stays (due in the past: act now).
        #expect(after.deadlines.map(\.key) == ["breach:first_response"])
    }

    @Test func pauseStatusesStopTheClockAndPausedTimeIsReported() throws {
        var script = TicketScript()
        try script.create(at: t0)
        try script.status(.pending, at: t0 + 10 * minute)
        try script.status(.open, at: t0 + 40 * minute)
        let set = try policySet(first: hour, resolution: 4 * hour)
        let paused = try #require(set.evaluate(Array(script.operations.prefix(2)), now: t0 + 20 * minute))
        #expect(paused.clock(.firstResponse)?.state == .paused)
        #expect(paused.clock(.firstResponse)?.dueMillis == nil)
        #expect(paused.clock(.firstResponse)?.pausedMillis == 10 * minute)
        #expect(paused.deadlines.isEmpty)
        let resumed = try #require(set.evaluate(script.operations, now: t0 + hour))
        let clock = try #require(resumed.clock(.firstResponse))
        #expect(clock.state == .running)
        #expect(clock.elapsedMillis == 30 * minute)
        #expect(clock.pausedMillis == 30 * minute)
        #expect(clock.dueMillis == t0 + 90 * minute)
        #expect(resumed.clock(.resolution)?.dueMillis == t0 + 4 * hour + 30 * minute)
    }

    @Test func requesterCommentsOpenNextResponseCycles() throws {
        var script = TicketScript()
        try script.create(at: t0)
        try script.reply(at: t0 + 5 * minute)
        try script.requesterComment(at: t0 + hour)
        try script.requesterComment(at: t0 + hour + 5 * minute)  // the cycle is already open
        try script.reply(at: t0 + hour + 20 * minute)
        try script.requesterComment(at: t0 + 3 * hour)
        let set = try policySet(first: hour, next: 4 * hour)
        let evaluation = try #require(set.evaluate(script.operations, now: t0 + 10 * hour))
        let cycles = evaluation.clocks.filter { $0.metric == .nextResponse }
        #expect(cycles.map(\.cycle) == [1, 2])
        #expect(cycles[0].state == .met)
        #expect(cycles[0].elapsedMillis == 20 * minute)
        #expect(cycles[1].state == .breached)
        #expect(cycles[1].dueMillis == t0 + 7 * hour)
        #expect(evaluation.clock(.nextResponse)?.cycle == 2)
        #expect(evaluation.deadlines.map(\.key) == ["breach:next_response:2"])
    }

    @Test func resolutionStopsWhenSolvedAndResumesOnReopen() throws {
        var script = TicketScript()
        try script.create(at: t0)
        try script.status(.solved, at: t0 + 3 * hour)
        let set = try policySet(resolution: 8 * hour)
        let solved = try #require(set.evaluate(script.operations, now: t0 + 5 * hour)?.clock(.resolution))
        #expect(solved.state == .met)
        #expect(solved.elapsedMillis == 3 * hour)
        try script.status(.open, at: t0 + 6 * hour)
        let reopened = try #require(set.evaluate(script.operations, now: t0 + 7 * hour)?.clock(.resolution))
        #expect(reopened.state == .running)
        #expect(reopened.elapsedMillis == 4 * hour)
        #expect(reopened.dueMillis == t0 + 11 * hour)
    }

    @Test func businessHoursPushTheDueInstantOverTheWeekend() throws {
        let office = try BusinessCalendar(name: "office", timeZone: "Europe/Berlin", windows: windows(weekdays, "09:00-17:00"))
        let friday = At.local("Europe/Berlin", 2026, 3, 6, 16, 30)
        var script = TicketScript()
        try script.create(at: friday)
        let set = try policySet(first: hour, calendar: office)
        let clock = try #require(set.evaluate(script.operations, now: friday + 10 * minute)?.clock(.firstResponse))
        #expect(clock.dueMillis == At.local("Europe/Berlin", 2026, 3, 9, 9, 30))
        #expect(clock.elapsedMillis == 10 * minute)
    }

    @Test func tiersFollowTheMatrixAndNeverPlanBelowTheCurrentTier() throws {
        var script = TicketScript()
        try script.create(at: t0)
        let set = PolicySet.default
        let early = try #require(set.evaluate(script.operations, now: t0 + hour))
        #expect(early.tier == 1)
        #expect(early.deadlines.filter { $0.kind == .tierEscalation }.map(\.key) == ["tier_escalation:2", "tier_escalation:3"])
        #expect(early.deadlines.filter { $0.kind == .tierEscalation }.map(\.dueMillis) == [t0 + 2 * hour, t0 + 8 * hour])
        let late = try #require(set.evaluate(script.operations, now: t0 + 3 * hour))
        #expect(late.tier == 2)
        #expect(late.currentTier == 1)
        // The server escalates; from then on only tier 3 is planned.
        try script.escalate(to: 2, at: t0 + 2 * hour)
        let escalated = try #require(set.evaluate(script.operations, now: t0 + 3 * hour))
        #expect(escalated.currentTier == 2)
        #expect(escalated.deadlines.filter { $0.kind == .tierEscalation }.map(\.key) == ["tier_escalation:3"])
        // Paused time does not count toward tiers.
        var paused = TicketScript()
        try paused.create(at: t0)
        try paused.status(.onHold, at: t0 + hour)
        #expect(set.evaluate(paused.operations, now: t0 + 20 * hour)?.tier == 1)
    }

    @Test func aDeclaredBreachIsNeverErasedByALateEarlierReply() throws {
        var script = TicketScript()
        try script.create(at: t0)
        let set = try policySet(first: hour)
        // The server declares the breach at the due instant.
        let breached = try #require(set.evaluate(script.operations, now: t0 + hour))
        #expect(breached.clock(.firstResponse)?.state == .breached)
        try script.serverRecords(breached, at: t0 + hour)
        let declared = try #require(set.evaluate(script.operations, now: t0 + hour + 1))
        #expect(declared.clock(.firstResponse)?.declaredBreachMillis == t0 + hour)
        #expect(declared.deadlines.isEmpty)  // declared: no breach timer left
        // A reply made offline at 0:40 arrives at 2:00, counted at 0:40.
        try script.reply(at: t0 + 2 * hour, counted: t0 + 40 * minute)
        let late = try #require(set.evaluate(script.operations, now: t0 + 2 * hour)?.clock(.firstResponse))
        #expect(late.state == .metReportedLate)
        #expect(late.stoppedMillis == t0 + 40 * minute)
        #expect(late.declaredBreachMillis == t0 + hour)
        // The server records the re-score; the declaration time survives it.
        let rescored = try #require(set.evaluate(script.operations, now: t0 + 2 * hour))
        try script.serverRecords(rescored, at: t0 + 2 * hour + 1)
        let again = try #require(set.evaluate(script.operations, now: t0 + 3 * hour)?.clock(.firstResponse))
        #expect(again.state == .metReportedLate)
        #expect(again.declaredBreachMillis == t0 + hour)
    }

    @Test func aServerDeclarationOverridesAStationThatStillSeesTheClockRunning() throws {
        // A station whose clock lags computes "running"; the server has declared the breach.
        var script = TicketScript()
        try script.create(at: t0)
        let set = try policySet(first: hour)
        try script.serverRecords(try #require(set.evaluate(script.operations, now: t0 + hour)), at: t0 + hour)
        let station = try #require(set.evaluate(script.operations, now: t0 + 30 * minute)?.clock(.firstResponse))
        #expect(station.state == .breached)
    }

    @Test func periodicUpdateRemindersFollowTheLatestAgentUpdate() throws {
        var script = TicketScript()
        try script.create(at: t0)
        try script.reply(at: t0 + hour)
        let set = try policySet(update: 4 * hour)
        let evaluation = try #require(set.evaluate(script.operations, now: t0 + 2 * hour))
        #expect(evaluation.deadlines.map(\.key) == ["update_reminder:2"])
        #expect(evaluation.deadlines.first?.dueMillis == t0 + 5 * hour)
        try script.status(.solved, at: t0 + 3 * hour)
        #expect(set.evaluate(script.operations, now: t0 + 4 * hour)?.deadlines.isEmpty == true)
    }

    @Test func fieldsRoundTripToConfirmedClocks() throws {
        var script = TicketScript()
        try script.create(at: t0)
        try script.status(.pending, at: t0 + 10 * minute)
        let set = PolicySet.default
        let evaluation = try #require(set.evaluate(script.operations, now: t0 + hour))
        try script.serverRecords(evaluation, at: t0 + hour)
        let ticket = try #require(script.replica.ticket(script.ticket))
        let confirmed = try #require(SLAFields.confirmed(ticket))
        #expect(confirmed.policyID == "default")
        #expect(confirmed.policyVersion == set.version)
        #expect(confirmed.evaluatedAtMillis == t0 + hour)
        #expect(confirmed.clocks == evaluation.clocks)
        #expect(confirmed.tier == evaluation.tier)
        #expect(SLAFields.field(for: .firstResponse).name == "sla.first_response")
        #expect(SLAFields.clock(.resolution, from: .text("garbage")) == nil)
        let plain = try #require(try TicketScript().replicaWithTicket())
        #expect(SLAFields.confirmed(plain) == nil)
    }

    @Test func countedTimeRules() {
        let bounded = CountedTimeRule.bounded
        // Inside the bounds: the station's time.
        #expect(bounded.countedMillis(stationMillis: 500, previousContactMillis: 100, receiptMillis: 900) == 500)
        // Before the previous contact: clamped up; after receipt (a fast clock): clamped down.
        #expect(bounded.countedMillis(stationMillis: 50, previousContactMillis: 100, receiptMillis: 900) == 100)
        #expect(bounded.countedMillis(stationMillis: 950, previousContactMillis: 100, receiptMillis: 900) == 900)
        #expect(CountedTimeRule.receipt.countedMillis(stationMillis: 500, previousContactMillis: 100, receiptMillis: 900) == 900)
        #expect(CountedTimeRule(named: "bounded") == .bounded)
        #expect(CountedTimeRule(named: "guess") == nil)
    }
}

extension TicketScript {
    /// A replica holding just a created ticket with no `sla.*` fields.
    func replicaWithTicket() throws -> Ticket? {
        var copy = self
        try copy.create(at: 1_000)
        return copy.replica.ticket(copy.ticket)
    }
}
