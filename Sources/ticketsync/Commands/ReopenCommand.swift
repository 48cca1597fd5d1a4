import ArgumentParser
import TicketModel
import TicketSyncClient

/// `ticketsync reopen ID`: sets a solved or closed ticket back to open.
struct ReopenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reopen",
        abstract: "Reopen a solved or closed ticket; the reason, if given, becomes an internal comment."
    )

    @OptionGroup var home: HomeOptions
    @OptionGroup var ticket: TicketReference

    @Option(help: ArgumentHelp("Why it is reopened.", valueName: "text"))
    var reason: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let station = try home.openStation()
        let id = try ticket.resolve(in: station)
        try station.reopen(id, reason: reason)
        if output.json {
            JSONOutput.print(try station.ticket(id).json())
        } else {
            print("Reopened \(id).")
        }
    }
}
