import ArgumentParser
import TicketModel
import TicketSyncClient

/// `ticketsync show ID`: the whole ticket with its history.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a ticket: fields, SLA clocks, tags, watchers, comments, escalations and history.",
        discussion: """
            SLA clocks show the time left in business time, running or paused, the due instant in \
            this station's time zone, and whether the server confirmed the clock (its sla.* fields) \
            or it is provisional (computed here from this station's operations with the policy set \
            by 'ticketsync policy', else the default policy).

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
        let sla = try station.slaStatus(of: id)
        if output.json {
            var object = shown.json(history: history)
            object["sla_status"] = JSONOutput.orNull(sla?.json)
            JSONOutput.print(object)
        } else {
            print(TicketText(ticket: shown, history: history, sla: sla).render())
        }
    }
}
