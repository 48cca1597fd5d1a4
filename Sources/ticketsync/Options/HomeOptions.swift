import ArgumentParser
import Foundation
import TicketSyncClient

/// `--home DIR`: where the station lives. Every command takes it.
struct HomeOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The station's directory (default: $TICKETSYNC_HOME, else ~/.ticketsync).", valueName: "dir"
        ),
        completion: .directory
    )
    var home: String?

    /// The station's directory: `--home`, else `$TICKETSYNC_HOME`, else `~/.ticketsync`.
    var directory: String {
        Self.resolve(explicit: home, environment: ProcessInfo.processInfo.environment)
    }

    /// The store file inside the directory.
    var storePath: String { (directory as NSString).appendingPathComponent("station.sqlite") }

    /// Opens the station's existing store.
    func openStation() throws(StationError) -> Station {
        try Station.open(at: storePath)
    }

    /// The directory for an explicit option and an environment; `~` is expanded.
    static func resolve(explicit: String?, environment: [String: String]) -> String {
        let chosen: String
        if let explicit, !explicit.isEmpty {
            chosen = explicit
        } else if let fromEnvironment = environment["TICKETSYNC_HOME"], !fromEnvironment.isEmpty {
            chosen = fromEnvironment
        } else {
            chosen = "~/.ticketsync"
        }
        return (chosen as NSString).expandingTildeInPath
    }
}
