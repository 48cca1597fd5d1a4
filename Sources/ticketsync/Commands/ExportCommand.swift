import ArgumentParser
import Foundation
import TicketModel
import TicketSyncClient

/// `ticketsync export`: every ticket, as JSON lines or CSV.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every ticket as JSON lines or CSV.",
        discussion: """
            jsonl: one JSON object per ticket per line (as 'show --json', without history). \
            csv: a header row, then one row per ticket (RFC 4180: CRLF line ends, quoted fields); \
            custom fields get a column each.
            """
    )

    /// The output format.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl, csv
    }

    @OptionGroup var home: HomeOptions

    @Option(help: ArgumentHelp("jsonl or csv.", valueName: "format"))
    var format: Format = .jsonl

    @Option(help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"), completion: .file())
    var output: String?

    func run() throws {
        let tickets = try home.openStation().allTickets()
        let text: String
        switch format {
        case .jsonl: text = tickets.map { JSONOutput.line($0.json()) + "\n" }.joined()
        case .csv: text = TicketCSV(tickets: tickets).render()
        }
        guard let output else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: (output as NSString).expandingTildeInPath), options: .atomic)
        } catch {
            throw CLIError(.store, "cannot write \(output): \(error.localizedDescription)")
        }
        FileHandle.standardError.write(Data("Exported \(tickets.count) tickets to \(output).\n".utf8))
    }
}
