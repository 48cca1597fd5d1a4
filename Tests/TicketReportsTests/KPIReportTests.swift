import Testing
import TicketReports
import TicketTestSupport

/// KPIs of a small data set computed by hand (the comments show the arithmetic).
@Suite struct KPIReportTests {
    static let hour: UInt64 = 3_600_000
    static let t0: UInt64 = 1_780_000_000_000

    static func facts(
        _ id: String, site: String, created: UInt64, firstResponse: UInt64? = nil, resolved: UInt64? = nil,
        status: String = "open", tier: Int = 1, tierAtResolution: Int? = nil, reopens: Int = 0, escalations: [EscalationFact] = [],
        csat: Int? = nil, rootCause: String = "", category: String = "carrier", requester: String = "", order: String = "",
        clocks: [ClockFact] = [], paused: UInt64 = 0
    ) -> TicketFacts {
        TicketFacts(
            ticket: id, policy: "default", tier: tier, status: status, priority: "normal", category: category, site: site,
            team: "frontline", assignee: "", requester: requester, orderRef: order, createdMillis: created,
            firstResponseMillis: firstResponse, resolvedMillis: resolved, reopenCount: reopens, tierAtResolution: tierAtResolution,
            escalations: escalations, csat: csat, rootCause: rootCause, pausedMillis: paused, clocks: clocks
        )
    }

    static func clock(_ metric: String, _ state: String, due: UInt64? = nil, warning: UInt64? = nil) -> ClockFact {
        ClockFact(metric: metric, cycle: 1, state: state, dueMillis: due, warningMillis: warning)
    }

    /// Six tickets at two sites, one outside the range.
    static let dataSet: [TicketFacts] = [
        // A: answered after 1 h, solved after 2 h at tier 1, never reopened: first contact resolution.
        facts("A", site: "DFW1", created: t0, firstResponse: t0 + 1 * hour, resolved: t0 + 2 * hour, status: "solved",
              tierAtResolution: 1, csat: 5, rootCause: "carrier delay",
              clocks: [clock("first_response", "met"), clock("resolution", "met")]),
        // B: answered after 3 h (breached), escalated to 2 then 3, solved after 10 h, reopened once, solved again.
        facts("B", site: "DFW1", created: t0 + 1 * hour, firstResponse: t0 + 4 * hour, resolved: t0 + 11 * hour, status: "solved",
              tier: 3, tierAtResolution: 3, reopens: 1,
              escalations: [EscalationFact(tier: 2, atMillis: t0 + 3 * hour), EscalationFact(tier: 3, atMillis: t0 + 9 * hour)],
              csat: 2, rootCause: "carrier delay", requester: "shop-9", order: "ORD-1",
              clocks: [clock("first_response", "breached"), clock("resolution", "breached")], paused: 2 * hour),
        // C: escalated to 2 for the same order as B, two days later: recurring by order and category. Open, at risk now.
        facts("C", site: "LHR2", created: t0 + 49 * hour, firstResponse: t0 + 49 * hour + hour / 2, tier: 2,
              escalations: [EscalationFact(tier: 2, atMillis: t0 + 50 * hour)], order: "ORD-1",
              clocks: [clock("first_response", "met_reported_late"),
                       clock("resolution", "running", due: t0 + 100 * hour, warning: t0 + 60 * hour)]),
        // D: no response yet; its first-response clock ran past due: counts as breached now.
        facts("D", site: "LHR2", created: t0 + 50 * hour, clocks: [clock("first_response", "running", due: t0 + 52 * hour, warning: t0 + 51 * hour)]),
        // E: solved after 8 h at tier 1 with CSAT 4, no root cause; paused 1 h.
        facts("E", site: "LHR2", created: t0 + 51 * hour, firstResponse: t0 + 53 * hour, resolved: t0 + 59 * hour, status: "closed",
              tierAtResolution: 1, csat: 4, category: "damage", clocks: [clock("first_response", "met"), clock("resolution", "met")], paused: hour),
        // F: created before the range: ignored.
        facts("F", site: "DFW1", created: t0 - hour, resolved: t0, status: "solved", tierAtResolution: 1),
    ]

    static let query = KPIQuery(fromMillis: t0, toMillis: t0 + 1000 * hour, groupBy: .site, nowMillis: t0 + 70 * hour)

    @Test func totalsMatchTheHandComputation() {
        let report = KPIReport.compute(Self.dataSet, query: Self.query, provisional: false)
        let total = report.total
        #expect(total.tickets == 5)
        #expect(total.resolved == 3)  // A, B, E
        let first = total.compliance.first { $0.metric == "first_response" }!
        // met: A, E; breached: B and D (due passed at now); met late: C.
        #expect((first.met, first.breached, first.metReportedLate, first.open) == (2, 2, 1, 0))
        #expect(first.rate == 3.0 / 5.0)
        let resolution = total.compliance.first { $0.metric == "resolution" }!
        #expect((resolution.met, resolution.breached, resolution.open) == (2, 1, 1))
        #expect(total.breaches == 3)
        #expect(total.atRisk == 1)  // C: warning at +60 h <= now (+70 h) < due (+100 h)
        #expect(total.escalated == RateCount(count: 2, of: 5))
        #expect(total.escalationsByTier == [TierCount(tier: 2, count: 2), TierCount(tier: 3, count: 1)])
        // first responses: 1 h (A), 3 h (B), 0.5 h (C), 2 h (E) -> sorted 0.5, 1, 2, 3: median rank 2 = 1 h, p90 rank 4 = 3 h.
        #expect(total.firstResponse.count == 4)
        #expect(total.firstResponse.medianMillis == Self.hour)
        #expect(total.firstResponse.p90Millis == 3 * Self.hour)
        // resolutions: 2 h (A), 10 h (B), 8 h (E) -> median 8 h, p90 10 h; buckets <1,<2,<4,<8,<24: A in <4, E and B in <24.
        #expect(total.resolution.medianMillis == 8 * Self.hour)
        #expect(total.resolution.p90Millis == 10 * Self.hour)
        #expect(total.resolution.histogram == [0, 0, 1, 0, 2, 0, 0, 0])
        // resolved now: A, B, E; at tier 1 never reopened: A, E.
        #expect(total.firstContactResolution == RateCount(count: 2, of: 3))
        #expect(total.reopened == RateCount(count: 1, of: 3))
        // escalated: B, C. C repeats B's order ORD-1 (48 h later, within 7 days) and its category "carrier".
        #expect(total.recurringEscalations.tickets == 1)
        #expect(total.recurringEscalations.byOrder == 1)
        #expect(total.recurringEscalations.byCategory == 1)
        #expect(total.recurringEscalations.byRequester == 0)
        #expect(total.recurringEscalations.top == [NamedCount(name: "category:carrier", count: 2), NamedCount(name: "order:ORD-1", count: 2)])
        // CSAT 5, 2, 4: mean 11/3; satisfied (>= 4): 2 of 3.
        #expect(total.csat.responses == 3)
        #expect(total.csat.average == 11.0 / 3.0)
        #expect(total.csat.satisfied == RateCount(count: 2, of: 3))
        #expect(total.rootCauses == [NamedCount(name: "carrier delay", count: 2)])
        #expect(total.pausedMillis == 3 * Self.hour)
    }

    @Test func groupsSplitBySiteLargestFirst() {
        let report = KPIReport.compute(Self.dataSet, query: Self.query, provisional: true)
        #expect(report.groups.map(\.key) == ["LHR2", "DFW1"])
        #expect(report.groups.map(\.tickets) == [3, 2])
        #expect(report.provisional)
        // Recurrence is judged within a group: at LHR2 only C is escalated, so nothing recurs.
        #expect(report.groups[0].recurringEscalations.tickets == 0)
        #expect(report.groups[1].firstContactResolution == RateCount(count: 1, of: 2))
    }

    @Test func theReportIsTheSameWhateverTheInputOrder() {
        var shuffled = Self.dataSet
        var generator = SeededGenerator(seed: 42)
        shuffled.shuffle(using: &generator)
        #expect(KPIReport.compute(shuffled, query: Self.query, provisional: false) == KPIReport.compute(Self.dataSet, query: Self.query, provisional: false))
    }

    @Test func anEmptyRangeHasNoRates() {
        let query = KPIQuery(fromMillis: 0, toMillis: 1, nowMillis: Self.t0)
        let report = KPIReport.compute(Self.dataSet, query: query, provisional: false)
        #expect(report.total.tickets == 0)
        #expect(report.total.escalated.rate == nil)
        #expect(report.total.firstResponse.medianMillis == nil)
        #expect(report.groups.isEmpty)
    }

    @Test func csvHasOneLinePerGroupAndTheTotal() {
        let report = KPIReport.compute(Self.dataSet, query: Self.query, provisional: false)
        let lines = report.csv().split(separator: "\r\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("group,tickets,resolved,first_response_met"))
        #expect(lines[3].hasPrefix("all,5,3,0.6,"))
        #expect(report.table().contains("carrier delay (2)"))
        let ungrouped = KPIReport.compute(Self.dataSet, query: KPIQuery(fromMillis: Self.t0, toMillis: Self.t0 + 1000 * Self.hour, nowMillis: Self.query.nowMillis), provisional: false)
        #expect(ungrouped.csv().split(separator: "\r\n").count == 2, "header and the total only")
    }
}

/// The formatter-free UTC times against known instants.
@Suite struct UTCTimeTests {
    @Test(arguments: [
        (UInt64(0), "1970-01-01T00:00:00.000Z"),
        (UInt64(951_782_400_000), "2000-02-29T00:00:00.000Z"),
        (UInt64(1_764_629_966_123), "2025-12-01T22:59:26.123Z"),
        (UInt64(4_102_444_799_999), "2099-12-31T23:59:59.999Z"),
    ])
    func knownInstants(millis: UInt64, text: String) {
        #expect(UTCTime.rfc3339(millis: millis) == text)
    }
}
