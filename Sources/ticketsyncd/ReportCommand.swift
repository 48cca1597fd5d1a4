import ArgumentParser
import Foundation
import TicketReports
import TicketSyncServer

/// `ticketsyncd report`: the authoritative KPIs, from the SLA engine's report facts.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Show SLA compliance, escalations, resolution times, CSAT and root causes (authoritative).",
        discussion: """
            Reads the report facts the SLA engine keeps per ticket, as of its last planning step \
            (a running server plans within moments of every change). Tickets are those created in \
            [--from, --to). Definitions of every figure: docs/reports.md.
            """
    )
    @OptionGroup var data: DataDirectoryOptions
    @Option(help: "Tickets created at or after this date (2026-11-01) or RFC 3339 time; default: 30 days before --to.") var from: String?
    @Option(help: "Tickets created before this date or time; default: now.") var to: String?
    @Option(name: .customLong("group-by"), help: "none, policy, tier, site, category, team or assignee.") var groupBy: String?
    @Option(name: .customLong("recurrence-days"), help: "Window for recurring escalations, in days (default 7).") var recurrenceDays: String?
    @Flag(help: "Print the report as JSON.") var json = false
    @Flag(help: "Print the report as CSV.") var csv = false

    func run() async throws {
        try await Failure.guarding {
            guard !(json && csv) else { throw ServerError(.invalidArgument, "give --json or --csv, not both") }
            let query: KPIQuery
            do throws(KPIQueryError) {
                query = try KPIQuery.parse(from: from, to: to, groupBy: groupBy, recurrenceDays: recurrenceDays, now: systemMillis())
            } catch {
                throw ServerError(.invalidArgument, "--\(error.parameter.replacingOccurrences(of: "_", with: "-")): \(error.message)")
            }
            let report = try await data.withStore(logger: quietLogger) { store, _ in
                try await ReportSource(store: store as? any SLAStore).report(query, scopes: [.all])
            }
            if json {
                print(report.json(pretty: true))
            } else if csv {
                print(report.csv(), terminator: "")
            } else {
                print(report.table(), terminator: "")
            }
        }
    }
}
