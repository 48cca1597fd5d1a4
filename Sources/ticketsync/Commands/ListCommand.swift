import ArgumentParser
import TicketModel
import TicketSyncClient

/// `ticketsync list`: tickets matching filters, as a table or JSON.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List tickets, filtered and sorted.",
        discussion: """
            Every filter given must match; repeated --status or --priority match any of their values, \
            repeated --tag must all be present. The ID column shows at least 8 hex digits, more when \
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
        let tickets = try home.openStation().list(query)
        if output.json {
            JSONOutput.print(tickets.map(\.json))
        } else if tickets.isEmpty {
            print("No tickets match.")
        } else {
            print(Self.table(tickets).render(width: Terminal.width))
        }
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
