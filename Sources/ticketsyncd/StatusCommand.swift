import ArgumentParser
import TicketModel
import TicketSyncServer

/// `ticketsyncd status`: the store's size and state digest.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the store's counts and state digest.")
    @OptionGroup var data: DataDirectoryOptions
    @Flag(help: "Print JSON: {\"digest\", \"operations\", \"tickets\", \"stations\"}.") var json = false

    func run() async throws {
        try await Failure.guarding {
            let store = try data.openStore()
            let counts = try await store.counts()
            let digest = try await store.digest().description
            if json {
                try printJSON([
                    "digest": digest, "operations": counts.operations, "tickets": counts.tickets, "stations": counts.stations,
                    "data_dir": data.dataDirectory,
                ])
            } else {
                print("data dir:    \(data.dataDirectory)\noperations:  \(counts.operations)\ntickets:     \(counts.tickets)\nstations:    \(counts.stations)\ndigest:      \(digest)")
            }
        }
    }
}
