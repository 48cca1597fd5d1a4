import ArgumentParser
import TicketModel
import TicketSyncClient

/// `ticketsync new`: creates a ticket and prints its id.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a ticket; prints its id.",
        discussion: "The ticket starts open, at normal priority unless --priority says otherwise."
    )

    @OptionGroup var home: HomeOptions

    @Option(help: ArgumentHelp("The one-line summary.", valueName: "text"))
    var title: String

    @OptionGroup var details: TicketDetailOptions

    @Option(name: .customLong("tag"), help: ArgumentHelp("A tag, e.g. vip (repeatable).", valueName: "tag"))
    var tags: [String] = []

    @OptionGroup var output: OutputOptions

    func run() throws {
        var fields = try details.changes().filter { $0.value != .null }
        fields[.title] = .text(title)
        let station = try home.openStation()
        let id = try station.createTicket(fields, tags: tags)
        if output.json {
            JSONOutput.print(try station.ticket(id).json())
        } else {
            print(id)
        }
    }
}
