import ArgumentParser
import Foundation
import TicketReports
import TicketSyncClient

/// `ticketsync report`: the KPIs of the station's own replica, marked provisional.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Show SLA compliance, escalations, resolution times, CSAT and root causes (provisional).",
        discussion: """
            Computed from this station's replica with every operation counted at its own clock, \
            so the figures are provisional: the server's report ('ticketsyncd report', or \
            GET /api/v1/reports/kpis) is authoritative. Tickets are those created in [--from, --to). \
            Definitions of every figure: docs/reports.md.
            """
    )

    @OptionGroup var home: HomeOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Tickets created at or after this date (2026-11-01) or RFC 3339 time; default: 30 days before --to.") var from: String?
    @Option(help: "Tickets created before this date or time; default: now.") var to: String?
    @Option(name: .customLong("group-by"), help: "none, policy, tier, site, category, team or assignee.") var groupBy: String?
    @Option(name: .customLong("recurrence-days"), help: "Window for recurring escalations, in days (default 7).") var recurrenceDays: String?
    @Flag(help: "Print the report as CSV.") var csv = false

    func run() throws {
        if output.json && csv { throw CLIError.usage("give --json or --csv, not both") }
        let station = try home.openStation()
        let query: KPIQuery
        do throws(KPIQueryError) {
            query = try KPIQuery.parse(
                from: from, to: to, groupBy: groupBy, recurrenceDays: recurrenceDays, now: UInt64(max(0, Date().timeIntervalSince1970 * 1000))
            )
        } catch {
            throw CLIError.invalid("--\(error.parameter.replacingOccurrences(of: "_", with: "-")): \(error.message)")
        }
        let report: KPIReport
        do {
            report = try station.report(query)
        } catch {
            throw CLIError(error)
        }
        if output.json {
            print(report.json())
        } else if csv {
            print(report.csv(), terminator: "")
        } else {
            print(report.table(), terminator: "")
        }
    }
}
