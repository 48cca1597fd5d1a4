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
            let store = try data.openStore()
            let counts = try await store.counts()
            let digest = try await store.digest().description
            let sla = try await (store as? any SLAStore)?.slaStatus()
            if json {
                var object: [String: Any] = [
                    "digest": digest, "operations": counts.operations, "tickets": counts.tickets, "stations": counts.stations,
                    "data_dir": data.dataDirectory,
                ]
                if let sla {
                    object["sla"] = [
                        "cursor": sla.cursor, "timers_pending": sla.pending, "timers_claimed": sla.claimed, "timers_done": sla.done,
                        "timers_cancelled": sla.cancelled, "webhooks_pending": sla.webhooksPending, "webhooks_dead": sla.webhooksDead,
                    ]
                }
                try printJSON(object)
            } else {
                print("data dir:    \(data.dataDirectory)\noperations:  \(counts.operations)\ntickets:     \(counts.tickets)\nstations:    \(counts.stations)\ndigest:      \(digest)")
                if let sla {
                    print("sla cursor:  \(sla.cursor)\ntimers:      \(sla.pending) pending, \(sla.claimed) claimed, \(sla.done) done, \(sla.cancelled) cancelled")
                    print("webhooks:    \(sla.webhooksPending) pending, \(sla.webhooksDead) dead ('ticketsyncd webhooks' lists them)")
                }
            }
        }
    }
}
