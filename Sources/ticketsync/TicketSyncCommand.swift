import ArgumentParser

/// `ticketsync`: the offline CLI for agents. Every command works with no network; changes wait
/// in the station's outbox until a sync sends them to the server.
struct TicketSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticketsync",
        abstract: "Work fulfillment tickets offline; changes sync to the TicketSync server later.",
        discussion: """
            QUICK START
              ticketsync init --agent alice                  create this station (offline)
              ticketsync new --title "Parcel crushed" --site DFW1 --priority high
              ticketsync list --status open --site DFW1      the open tickets of a site
              ticketsync comment 0190ab --body "Reshipped"   any unique id prefix works
              ticketsync resolve 0190ab --root-cause "carrier damage" --csat 4

            The station lives in --home DIR (default $TICKETSYNC_HOME, else ~/.ticketsync); its store \
            is DIR/station.sqlite. Every command works offline. Add --json to any command that prints \
            data for scripts. Shell completions: ticketsync --generate-completion-script bash|zsh|fish.

            EXIT STATUS
              0   success
            \(ExitStatus.all.map { "  \($0.code)  \($0.meaning)" }.joined(separator: "\n"))

            Errors are one line on stderr, 'ticketsync: error: <message>'; an ambiguous id prefix \
            adds one line per candidate.
            """,
        version: "0.1.0",
        groupedSubcommands: [
            CommandGroup(
                name: "Tickets",
                subcommands: [
                    NewCommand.self, ListCommand.self, ShowCommand.self, EditCommand.self, CommentCommand.self,
                    AssignCommand.self, EscalateCommand.self, ResolveCommand.self, ReopenCommand.self,
                ]
            ),
            CommandGroup(
                name: "Station",
                subcommands: [
                    InitCommand.self, StatusCommand.self, SyncCommand.self, WatchCommand.self, ServerCommand.self,
                    PolicyCommand.self, ReportCommand.self, ExportCommand.self, RepairCommand.self,
                ]
            ),
        ]
    )

    @OptionGroup var home: HomeOptions
}
