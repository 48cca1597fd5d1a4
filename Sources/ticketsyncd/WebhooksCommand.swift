import ArgumentParser
import Foundation
import TicketSyncServer

/// `ticketsyncd webhooks`: the webhook outbox — events still to deliver and events given up on.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "List webhook events that are pending (being retried) or dead (given up after the last attempt)."
    )
    @OptionGroup var data: DataDirectoryOptions
    @Flag(help: "Print JSON: {\"webhooks\": [{\"id\", \"event_id\", \"endpoint\", \"type\", \"state\", \"attempts\", \"next_attempt_ms\", \"last_error\", \"created_ms\"}]}.")
    var json = false
    @Flag(help: "Include delivered events.") var all = false
    @Option(help: "At most this many rows, newest first (default 1000).") var limit = 1000

    func run() async throws {
        try await Failure.guarding {
            guard limit > 0 else { throw ServerError(.invalidArgument, "--limit must be at least 1") }
            guard let store = try data.openStore() as? any SLAStore else {
                throw ServerError(.invalidArgument, "this store keeps no webhook outbox")
            }
            let rows = try await store.webhooks(includeDelivered: all, limit: limit)
            if json {
                try printJSON([
                    "webhooks": rows.map { row -> [String: Any] in
                        var object: [String: Any] = [
                            "id": row.id, "event_id": row.eventID, "endpoint": row.endpoint, "type": row.type, "state": row.state.description,
                            "attempts": row.attempts, "next_attempt_ms": row.nextAttemptMillis, "created_ms": row.createdMillis,
                        ]
                        object["last_error"] = row.lastError.map { $0 as Any } ?? NSNull()
                        object["delivered_ms"] = row.deliveredMillis.map { $0 as Any } ?? NSNull()
                        return object
                    }
                ])
                return
            }
            if rows.isEmpty {
                print(all ? "no webhook events" : "no pending or dead webhook events")
                return
            }
            print("STATE      ATTEMPTS  ENDPOINT          TYPE                 EVENT                                     LAST ERROR")
            for row in rows {
                let columns = [
                    row.state.description.padding(toLength: 10, withPad: " ", startingAt: 0),
                    String(row.attempts).padding(toLength: 9, withPad: " ", startingAt: 0),
                    row.endpoint.padding(toLength: 17, withPad: " ", startingAt: 0),
                    row.type.padding(toLength: 20, withPad: " ", startingAt: 0),
                    row.eventID.padding(toLength: 41, withPad: " ", startingAt: 0),
                    row.lastError ?? "",
                ]
                print(columns.joined(separator: " "))
            }
        }
    }
}
