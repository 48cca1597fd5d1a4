import ArgumentParser
import TicketModel
import TicketSyncClient

/// `ticketsync escalate ID`: asks the server to escalate; the server decides.
struct EscalateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escalate",
        abstract: "Ask for a ticket to be escalated; the server decides whether and how.",
        discussion: """
            The request is recorded now and sent at the next sync. The server owns escalation \
            tiers: it escalates (hierarchically, or functionally to --to-team) or not, and its \
            decision arrives with a later sync ('show' lists both).
            """
    )

    @OptionGroup var home: HomeOptions
    @OptionGroup var ticket: TicketReference

    @Option(help: ArgumentHelp("Why the ticket needs escalating.", valueName: "text"))
    var reason: String

    @Option(name: .customLong("to-team"), help: ArgumentHelp("The team with the expertise needed.", valueName: "team"))
    var toTeam: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let station = try home.openStation()
        let id = try ticket.resolve(in: station)
        try station.requestEscalation(id, reason: reason, toTeam: toTeam)
        if output.json {
            JSONOutput.print(try station.ticket(id).json())
        } else {
            print("Escalation of \(id) requested; the server decides (it is sent at the next sync).")
        }
    }
}
