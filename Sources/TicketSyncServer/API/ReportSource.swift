internal import HTTPTypes
internal import TicketModel
public import TicketReports

/// Where reports come from: the SLA engine's report facts (see ``SLAStore/reportFacts(createdFrom:to:)``),
/// filtered to what the caller's scopes contain.
public struct ReportSource: Sendable {
    let store: (any SLAStore)?

    /// A source over `store` (nil: a back end without the SLA engine; reports are refused).
    public init(store: (any SLAStore)?) {
        self.store = store
    }

    /// The facts of the tickets in `scopes` created in the query's range.
    public func facts(_ query: KPIQuery, scopes: [Scope]) async throws(ServerError) -> [TicketFacts] {
        guard let store else {
            throw ServerError(.invalidArgument, "reports need the SLA engine, which runs on the SQLite store in this version")
        }
        let all = try await store.reportFacts(createdFrom: query.fromMillis, to: query.toMillis)
        if scopes.contains(where: { $0 == .all }) { return all }
        return all.filter { facts in
            guard let id = TicketID(facts.ticket) else { return false }
            return scopes.contains(id, at: TicketPlacement(site: facts.site.isEmpty ? nil : facts.site, team: facts.team.isEmpty ? nil : facts.team))
        }
    }

    /// The authoritative KPI report for `scopes`.
    public func report(_ query: KPIQuery, scopes: [Scope]) async throws(ServerError) -> KPIReport {
        KPIReport.compute(try await facts(query, scopes: scopes), query: query, provisional: false)
    }
}

extension ReportSource {
    /// The report as the API's problem type.
    func apiReport(_ query: KPIQuery, scopes: [Scope]) async throws(Problem) -> KPIReport {
        do {
            return try await report(query, scopes: scopes)
        } catch {
            if error.code == .invalidArgument { throw Problem(.notImplemented, "reports-unavailable", error.message) }
            throw Problem(.serviceUnavailable, "store-unavailable", error.message)
        }
    }
}
