import ArgumentParser
import TicketModel
import TicketSyncClient

/// `ticketsync resolve ID`: marks a ticket solved with its root cause and, if known, CSAT.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve a ticket: status solved, with the root cause and optional CSAT score."
    )

    @OptionGroup var home: HomeOptions
    @OptionGroup var ticket: TicketReference

    @Option(name: .customLong("root-cause"), help: ArgumentHelp("Why the problem happened.", valueName: "text"))
    var rootCause: String

    @Option(help: ArgumentHelp("Customer satisfaction, 1 (worst) to 5 (best).", valueName: "1-5"))
    var csat: Int?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let station = try home.openStation()
        let id = try ticket.resolve(in: station)
        try station.resolve(id, rootCause: rootCause, csat: csat)
        if output.json {
            JSONOutput.print(try station.ticket(id).json())
        } else {
            print("Resolved \(id).")
        }
    }
}
