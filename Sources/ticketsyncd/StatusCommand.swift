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
            let (counts, digest) = try await data.withStore(logger: quietLogger) { store, _ in
                (try await store.counts(), try await store.digest().description)
            }
            let location = try data.databaseURL().map(\.description)
            if json {
                var object: [String: Any] = [
                    "digest": digest, "operations": counts.operations, "tickets": counts.tickets, "stations": counts.stations,
                ]
                if let location { object["database"] = location } else { object["data_dir"] = data.dataDirectory }
                try printJSON(object)
            } else {
                let place = location.map { "database:    \($0)" } ?? "data dir:    \(data.dataDirectory)"
                print("\(place)\noperations:  \(counts.operations)\ntickets:     \(counts.tickets)\nstations:    \(counts.stations)\ndigest:      \(digest)")
            }
        }
    }
}
