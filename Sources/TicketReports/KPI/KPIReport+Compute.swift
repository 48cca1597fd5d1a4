internal import TicketSLA

extension KPIReport {
    /// Computes the KPIs of the tickets in `facts` created in the query's range.
    ///
    /// Deterministic: the same facts and query give the same report, whatever their order.
    public static func compute(_ facts: [TicketFacts], query: KPIQuery, provisional: Bool) -> KPIReport {
        let inRange = facts.filter { $0.createdMillis >= query.fromMillis && $0.createdMillis < query.toMillis }
            .sorted { ($0.createdMillis, $0.ticket) < ($1.createdMillis, $1.ticket) }
        var byKey: [String: [TicketFacts]] = [:]
        for ticket in inRange { byKey[query.groupBy.key(of: ticket), default: []].append(ticket) }
        let groups = byKey.map { key, tickets in KPIGroup(key: key, tickets, query: query) }
            .sorted { ($1.tickets, $0.key) < ($0.tickets, $1.key) }
        return KPIReport(
            generatedAtMillis: query.nowMillis, fromMillis: query.fromMillis, toMillis: query.toMillis,
            groupBy: query.groupBy.rawValue, provisional: provisional, groups: groups,
            total: KPIGroup(key: "all", inRange, query: query)
        )
    }
}

extension KPIGroup {
    /// The KPIs of `tickets` (sorted by creation).
    init(key: String, _ tickets: [TicketFacts], query: KPIQuery) {
        let now = query.nowMillis
        self.key = key
        self.tickets = tickets.count
        resolved = tickets.filter(\.isResolved).count

        var metrics: [String: MetricCompliance] = [:]
        for clock in tickets.flatMap(\.clocks) {
            var entry = metrics[clock.metric] ?? MetricCompliance(metric: clock.metric, met: 0, breached: 0, metReportedLate: 0, open: 0)
            switch clock.state(at: now) {
            case .met: entry.met += 1
            case .breached: entry.breached += 1
            case .metReportedLate: entry.metReportedLate += 1
            default: entry.open += 1
            }
            metrics[clock.metric] = entry
        }
        compliance = metrics.values.map { entry in
            var entry = entry
            let decided = entry.met + entry.metReportedLate + entry.breached
            entry.rate = decided == 0 ? nil : Double(entry.met + entry.metReportedLate) / Double(decided)
            return entry
        }.sorted { Self.metricOrder($0.metric) < Self.metricOrder($1.metric) }
        breaches = compliance.reduce(0) { $0 + $1.breached }
        atRisk = tickets.filter { ticket in ticket.clocks.contains { $0.isAtRisk(at: now) } }.count

        escalated = RateCount(count: tickets.filter { $0.tier > 1 }.count, of: tickets.count)
        var tiers: [Int: Int] = [:]
        for escalation in tickets.flatMap(\.escalations) { tiers[escalation.tier, default: 0] += 1 }
        escalationsByTier = tiers.map { TierCount(tier: $0.key, count: $0.value) }.sorted { $0.tier < $1.tier }

        firstResponse = DurationStats(tickets.compactMap { ticket in ticket.firstResponseMillis.map { $0 - ticket.createdMillis } })
        resolution = DurationStats(tickets.compactMap { ticket in ticket.resolvedMillis.map { $0 - ticket.createdMillis } })
        let resolvedNow = tickets.filter(\.isResolved)
        firstContactResolution = RateCount(
            count: resolvedNow.filter { $0.tierAtResolution == 1 && $0.tier == 1 && $0.reopenCount == 0 }.count, of: resolvedNow.count
        )
        let everResolved = tickets.filter { $0.resolvedMillis != nil }
        reopened = RateCount(count: everResolved.filter { $0.reopenCount > 0 }.count, of: everResolved.count)
        recurringEscalations = RecurringEscalations(tickets.filter { !$0.escalations.isEmpty }, windowMillis: query.recurrenceWindowMillis)

        let scores = tickets.compactMap(\.csat)
        csat = CSATStats(
            responses: scores.count,
            average: scores.isEmpty ? nil : Double(scores.reduce(0, +)) / Double(scores.count),
            satisfied: RateCount(count: scores.filter { $0 >= 4 }.count, of: scores.count)
        )
        var causes: [String: Int] = [:]
        for ticket in tickets where !ticket.rootCause.isEmpty { causes[ticket.rootCause, default: 0] += 1 }
        rootCauses = Self.top(causes)
        pausedMillis = tickets.reduce(0) { $0 + $1.pausedMillis }
    }

    /// The ten largest counts, ties by name.
    static func top(_ counts: [String: Int]) -> [NamedCount] {
        counts.map { NamedCount(name: $0.key, count: $0.value) }.sorted { ($1.count, $0.name) < ($0.count, $1.name) }
            .prefix(10).map { $0 }
    }

    static func metricOrder(_ metric: String) -> Int {
        ["first_response", "next_response", "resolution"].firstIndex(of: metric) ?? 99
    }
}

extension RecurringEscalations {
    /// Recurrence among `escalated` tickets (sorted by creation): a ticket recurs by a key when an
    /// earlier escalated ticket with the same non-empty key was created at most `windowMillis` before it.
    init(_ escalated: [TicketFacts], windowMillis: UInt64) {
        let dimensions: [(String, (TicketFacts) -> String)] = [("order", \.orderRef), ("requester", \.requester), ("category", \.category)]
        var recurring = Set<String>()
        var perDimension: [Int] = []
        var keyCounts: [String: Int] = [:]
        for (name, value) in dimensions {
            var lastSeen: [String: UInt64] = [:]
            var count = 0
            for ticket in escalated {
                let key = value(ticket)
                guard !key.isEmpty else { continue }
                keyCounts["\(name):\(key)", default: 0] += 1
                if let previous = lastSeen[key], ticket.createdMillis - previous <= windowMillis {
                    count += 1
                    recurring.insert(ticket.ticket)
                }
                lastSeen[key] = ticket.createdMillis
            }
            perDimension.append(count)
        }
        tickets = recurring.count
        byOrder = perDimension[0]
        byRequester = perDimension[1]
        byCategory = perDimension[2]
        top = KPIGroup.top(keyCounts.filter { $0.value >= 2 })
    }
}
