import ArgumentParser

/// `ticketsyncd`: the TicketSync server.
@main
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticketsyncd",
        abstract: "The TicketSync server: syncs stations over TLS and is the authority on SLA clocks.",
        discussion: """
            Quick start:
              ticketsyncd serve                                  # ./ticketsync-data, 127.0.0.1:7443, dev certificate
              ticketsyncd station add dfw-desk-1 --scope site:DFW1   # prints the station's secret once
              ticketsync init --server wss://127.0.0.1:7443 --token SECRET --ca ticketsync-data/dev-ca.pem

            Exit codes: 0 ok, 64 usage, 65 invalid argument, 66 not found, 73 already exists, 74 storage or TLS problem.
            """,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, StationCommand.self, StatusCommand.self, PolicyCommand.self, WebhooksCommand.self,
            ReportCommand.self,
        ]
    )
}
