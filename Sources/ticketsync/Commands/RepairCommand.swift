import ArgumentParser
import TicketSyncClient

/// `ticketsync repair`: rebuilds the materialised tickets from the operation log.
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Rebuild every ticket from the operation log (after damage, or to check).",
        discussion: "The operation log is the truth; the ticket rows that lists read are rebuilt from it."
    )

    @OptionGroup var home: HomeOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let rebuilt = try home.openStation().rebuildTickets()
        if output.json {
            JSONOutput.print(["rebuilt": rebuilt] as JSONObject)
        } else {
            print("Rebuilt \(rebuilt) ticket\(rebuilt == 1 ? "" : "s") from the operation log.")
        }
    }
}
