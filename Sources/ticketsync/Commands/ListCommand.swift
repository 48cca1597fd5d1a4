import ArgumentParser
import TicketModel
import TicketSLA
import TicketSyncClient

/// `ticketsync list`: tickets matching filters, as a table or JSON.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List tickets, filtered and sorted.",
        discussion: """
            Every filter given must match; repeated --status or --priority match any of their values, \
            repeated --tag must all be present. --at-risk and --breached evaluate SLA clocks (confirmed \
            by the server where it has recorded them, else provisional) and add an SLA column. The ID column shows at least 8 hex digits, more when \
            tickets made in the same moment would otherwise look alike; any unique prefix addresses a ticket.
            """
    )

    @OptionGroup var home: HomeOptions

    @Option(
        help: ArgumentHelp("Only this status (repeatable: any of them).", valueName: "status"),
        completion: .list(ArgumentValues.statuses)
    )
    var status: [String] = []

    @Option(
        help: ArgumentHelp("Only this priority (repeatable: any of them).", valueName: "priority"),
        completion: .list(ArgumentValues.priorities)
    )
    var priority: [String] = []

    @Option(help: ArgumentHelp("Only this category.", valueName: "category"))
    var category: String?

    @Option(help: ArgumentHelp("Only this site.", valueName: "site"))
    var site: String?

    @Option(help: ArgumentHelp("Only tickets assigned to this agent.", valueName: "agent"))
    var assignee: String?

    @Flag(help: "Only tickets assigned to nobody.")
    var unassigned = false

    @Option(help: ArgumentHelp("Only this group/team.", valueName: "group"))
    var group: String?

    @Option(help: ArgumentHelp("Only tickets with this tag (repeatable: all of them).", valueName: "tag"))
    var tag: [String] = []

    @Option(help: ArgumentHelp("Only tickets whose title, description, order or requester contains this.", valueName: "text"))
    var text: String?

    @Option(
        help: ArgumentHelp("Order: \(ArgumentValues.orders.joined(separator: ", ")) .", valueName: "order"),
        completion: .list(ArgumentValues.orders)
    )
    var sort = "updated"

    @Option(help: ArgumentHelp("At most this many tickets; 0 for all.", valueName: "n"))
    var limit = 50

    @Flag(help: "Only tickets with an SLA clock past its warning threshold and not yet breached.")
    var atRisk = false

    @Flag(help: "Only tickets with a breached SLA clock.")
    var breached = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if unassigned && assignee != nil { throw ValidationError("give either --assignee or --unassigned, not both") }
    }

    func run() throws {
        var query = TicketQuery()
        query.statuses = try status.map(ArgumentValues.status)
        query.priorities = try priority.map(ArgumentValues.priority)
        query.category = category
        query.site = site
        query.assignee = unassigned ? "" : assignee
        query.group = group
        query.tags = tag
        query.text = text
        query.order = try ArgumentValues.order(sort)
        guard limit >= 0 else { throw CLIError.invalid("--limit \(limit): give 0 (no limit) or more") }
        query.limit = limit == 0 ? nil : limit
        let station = try home.openStation()
        guard atRisk || breached else {
            let tickets = try station.list(query)
            if output.json {
                JSONOutput.print(tickets.map(\.json))
            } else if tickets.isEmpty {
                print("No tickets match.")
            } else {
                print(Self.table(tickets).render(width: Terminal.width))
            }
            return
        }
        // SLA filters: evaluate every matching ticket, keep those at risk or breached, then limit.
        query.limit = nil
        let statuses = try station.slaStatuses()
        var rows: [(TicketSummary, TicketSLAStatus)] = []
        for ticket in try station.list(query) {
            guard let sla = statuses[ticket.id] else { continue }
            if (atRisk && sla.isAtRisk) || (breached && sla.isBreached) { rows.append((ticket, sla)) }
        }
        if limit > 0 { rows = Array(rows.prefix(limit)) }
        if output.json {
            JSONOutput.print(rows.map { ticket, sla -> JSONObject in
                var object = ticket.json
                object["sla_status"] = sla.json
                return object
            })
        } else if rows.isEmpty {
            print("No tickets match.")
        } else {
            var table = Self.table(rows.map(\.0))
            table.headings.insert("SLA", at: 2)
            for (index, (_, sla)) in rows.enumerated() { table.rows[index].insert(Self.slaCell(sla), at: 2) }
            print(table.render(width: Terminal.width))
        }
    }

    /// `breached: first response` / `at risk: resolution 25m left`, with `(provisional)` when
    /// the server has not confirmed the clock.
    static func slaCell(_ sla: TicketSLAStatus) -> String {
        if let clock = sla.clocks.first(where: { $0.clock.state == .breached }) {
            return "breached: \(SLAText.name(clock.clock))" + (clock.isConfirmed ? "" : " (provisional)")
        }
        if let clock = sla.clocks.first(where: \.isAtRisk) {
            return "at risk: \(SLAText.name(clock.clock)) \(SLAText.duration(clock.remainingMillis)) left"
                + (clock.isConfirmed ? "" : " (provisional)")
        }
        return "-"
    }

    static func table(_ tickets: [TicketSummary]) -> Table {
        let ids = ShortID.prefixes(tickets.map(\.id))
        var table = Table(headings: ["ID", "STATUS", "PRIORITY", "SITE", "ASSIGNEE", "TIER", "TAGS", "TITLE"])
        for (ticket, id) in zip(tickets, ids) {
            table.rows.append([
                id, ticket.status.rawValue, ticket.priority.rawValue, ticket.site ?? "-", ticket.assignee ?? "-",
                String(ticket.tier), ticket.tags.isEmpty ? "-" : ticket.tags.joined(separator: ","),
                HistoryText.oneLine(ticket.title, limit: 500),
            ])
        }
        return table
    }
}
