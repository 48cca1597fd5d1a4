import ArgumentParser
import TicketSyncClient

/// `ticketsync server URL`: sets (or replaces) the server a station syncs with, after `init`.
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Set the server this station syncs with, and its credential."
    )

    @OptionGroup var home: HomeOptions

    @Argument(
        help: ArgumentHelp(
            "The server, e.g. wss://tickets.example.com, or the nodes of a cluster separated by commas (tried in turn when one is down).",
            valueName: "url"
        )
    )
    var url: String

    @OptionGroup var credentials: ServerOptions

    func run() throws {
        let settings = try credentials.settings(url: url)
        try settings.apply(to: home.openStation())
        print("This station now syncs with \(url).")
    }
}
