import ArgumentParser
import TicketModel
import TicketSyncClient

/// `ticketsync show ID`: the whole ticket with its history.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a ticket: fields, tags, watchers, comments, escalations and history.",
        discussion: """
            History lists every operation: when, from which station (replica id), by whom, what \
            changed, and for field writes whether the value is current, was overwritten, or lost \
            to a concurrent write from another station.
            """
    )

    @OptionGroup var home: HomeOptions
    @OptionGroup var ticket: TicketReference
    @OptionGroup var output: OutputOptions

    func run() throws {
        let station = try home.openStation()
        let id = try ticket.resolve(in: station)
        let shown = try station.ticket(id)
        let history = try station.history(of: id)
        if output.json {
            JSONOutput.print(shown.json(history: history))
        } else {
            print(TicketText(ticket: shown, history: history).render())
        }
    }
}
