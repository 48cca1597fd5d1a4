import ArgumentParser
import Foundation
import TicketModel
import TicketSyncClient

/// `ticketsync status`: the station's identity, outbox, sync state and state digest.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the station: id, agent, store, outbox, server, last sync and state digest.",
        discussion: """
            The digest is a SHA-256 of the station's ticket state: two stations that applied the \
            same operations show the same digest.
            """
    )

    @OptionGroup var home: HomeOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let station = try home.openStation()
        let status = try station.status()
        let digest = try station.digest().description
        if output.json {
            JSONOutput.print([
                "replica": status.replica.description,
                "agent": status.agent,
                "store": status.path,
                "outbox": status.outbox,
                "operations": status.operations,
                "tickets": status.tickets,
                "last_sequence": status.lastSequence,
                "cursor": JSONOutput.orNull(status.cursor),
                "server": JSONOutput.orNull(status.server),
                "last_sync": JSONOutput.orNull(status.lastSyncMillis.map(TimeText.iso(millis:))),
                "digest": digest,
            ] as JSONObject)
            return
        }
        let rows = [
            ["station", status.replica.description],
            ["agent", status.agent],
            ["store", status.path],
            ["outbox", "\(status.outbox) operation\(status.outbox == 1 ? "" : "s") waiting for sync"],
            ["operations", String(status.operations)],
            ["tickets", String(status.tickets)],
            ["server", status.server ?? "none — offline"],
            ["last sync", status.lastSyncMillis.map(TimeText.local(millis:)) ?? "never"],
            ["digest", digest],
        ]
        for row in rows { print(row[0].padding(toLength: 12, withPad: " ", startingAt: 0) + row[1]) }
    }
}
