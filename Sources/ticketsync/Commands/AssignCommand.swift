import ArgumentParser
import TicketModel
import TicketSyncClient

/// `ticketsync assign ID AGENT`: assigns a ticket (or, with `--none`, unassigns it).
struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Assign a ticket to an agent (and optionally a group), or unassign it with --none."
    )

    @OptionGroup var home: HomeOptions
    @OptionGroup var ticket: TicketReference

    @Argument(help: ArgumentHelp("The agent to assign the ticket to.", valueName: "agent"))
    var agent: String?

    @Flag(help: "Unassign the ticket.")
    var none = false

    @Option(help: ArgumentHelp("Also move the ticket to this group/team.", valueName: "group"))
    var group: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if none && agent != nil { throw ValidationError("give either an agent or --none, not both") }
        if !none && agent == nil { throw ValidationError("missing the agent (or --none to unassign)") }
    }

    func run() throws {
        let station = try home.openStation()
        let id = try ticket.resolve(in: station)
        let assignee = none ? nil : agent.flatMap { $0.isEmpty ? nil : $0 }
        try station.assign(id, to: assignee, group: group)
        if output.json {
            JSONOutput.print(try station.ticket(id).json())
        } else {
            print(assignee.map { "Assigned \(id) to \($0)." } ?? "Unassigned \(id).")
        }
    }
}
