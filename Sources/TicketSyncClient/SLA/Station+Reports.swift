public import TicketReports
internal import TicketModel
internal import TicketSLA

extension Station {
    /// The report facts of every ticket this station holds, derived as the server derives them
    /// but with every operation counted at its own station clock (provisional: the server counts
    /// offline work by its receipt rule and declares breaches; its report is authoritative).
    public func reportFacts(now: UInt64? = nil) throws(StationError) -> [TicketFacts] {
        let policies = try slaPolicies()
        let replica = try fullReplica()
        let now = now ?? wallClock.nowMillis()
        return replica.ticketIDs.compactMap { id in
            guard let ticket = replica.ticket(id) else { return nil }
            let operations = replica.operations(on: id).map(CountedOperation.init(stationClock:))
            return TicketFacts.derive(from: operations, ticket: ticket, evaluation: policies.evaluate(operations, now: now))
        }
    }

    /// The provisional KPI report of this station's replica.
    public func report(_ query: KPIQuery) throws(StationError) -> KPIReport {
        KPIReport.compute(try reportFacts(now: query.nowMillis), query: query, provisional: true)
    }
}
