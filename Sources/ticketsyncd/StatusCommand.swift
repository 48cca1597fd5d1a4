import ArgumentParser
import TicketModel
import TicketSyncServer

/// `ticketsyncd status`: the store's size and state digest.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the store's counts and state digest.")
    @OptionGroup var data: DataDirectoryOptions
    @Flag(help: "Print JSON: {\"digest\", \"operations\", \"tickets\", \"stations\", \"sla\": {\"timers_pending\", …}}.") var json = false

    func run() async throws {
        try await Failure.guarding {
            let (counts, digest, sla) = try await data.withStore(logger: quietLogger) { store, _ in
                (try await store.counts(), try await store.digest().description, try await (store as? any SLAStore)?.slaStatus())
            }
            let location = try data.databaseURL().map(\.description)
            if json {
                var object: [String: Any] = [
                    "digest": digest, "operations": counts.operations, "tickets": counts.tickets, "stations": counts.stations,
                ]
                if let location { object["database"] = location } else { object["data_dir"] = data.dataDirectory }
                if let sla {
                    object["sla"] = [
                        "cursor": sla.cursor, "timers_pending": sla.pending, "timers_claimed": sla.claimed, "timers_done": sla.done,
                        "timers_cancelled": sla.cancelled, "webhooks_pending": sla.webhooksPending, "webhooks_dead": sla.webhooksDead,
                    ]
                }
                try printJSON(object)
            } else {
                let place = location.map { "database:    \($0)" } ?? "data dir:    \(data.dataDirectory)"
                print("\(place)\noperations:  \(counts.operations)\ntickets:     \(counts.tickets)\nstations:    \(counts.stations)\ndigest:      \(digest)")
                if let sla {
                    print("sla cursor:  \(sla.cursor)\ntimers:      \(sla.pending) pending, \(sla.claimed) claimed, \(sla.done) done, \(sla.cancelled) cancelled")
                    print("webhooks:    \(sla.webhooksPending) pending, \(sla.webhooksDead) dead ('ticketsyncd webhooks' lists them)")
                }
            }
        }
    }
}
