import ArgumentParser
import TicketModel
import TicketSyncClient

/// `ticketsync edit ID`: writes any client-writable field and changes tags and watchers.
struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change a ticket's fields, tags and watchers.",
        discussion: """
            Values equal to the current ones are not written again. An empty value clears a field \
            (--assignee ''). sla.* fields belong to the server: writing one fails with exit status 69.
            """
    )

    @OptionGroup var home: HomeOptions
    @OptionGroup var ticket: TicketReference

    @Option(help: ArgumentHelp("A new one-line summary.", valueName: "text"))
    var title: String?

    @Option(
        help: ArgumentHelp("Where it stands: \(ArgumentValues.statuses.joined(separator: ", ")).", valueName: "status"),
        completion: .list(ArgumentValues.statuses)
    )
    var status: String?

    @OptionGroup var details: TicketDetailOptions

    @Option(name: .customLong("add-tag"), help: ArgumentHelp("Add a tag (repeatable).", valueName: "tag"))
    var addTags: [String] = []
    @Option(name: .customLong("remove-tag"), help: ArgumentHelp("Remove a tag (repeatable).", valueName: "tag"))
    var removeTags: [String] = []
    @Option(name: .customLong("add-watcher"), help: ArgumentHelp("Add a watcher (repeatable).", valueName: "name"))
    var addWatchers: [String] = []
    @Option(name: .customLong("remove-watcher"), help: ArgumentHelp("Remove a watcher (repeatable).", valueName: "name"))
    var removeWatchers: [String] = []

    @OptionGroup var output: OutputOptions

    func run() throws {
        var changes = try details.changes()
        if let title { changes[.title] = .text(title) }
        if let status { changes[.status] = .text(try ArgumentValues.status(status).rawValue) }
        let setChanges: [(TicketSet, adding: [String], removing: [String])] = [
            (.tags, addTags, removeTags), (.watchers, addWatchers, removeWatchers),
        ]
        guard !changes.isEmpty || setChanges.contains(where: { !$0.adding.isEmpty || !$0.removing.isEmpty }) else {
            throw CLIError.usage("nothing to change; give at least one option (see 'ticketsync edit --help')")
        }
        let station = try home.openStation()
        let id = try ticket.resolve(in: station)
        // The station writes fields, tags and watchers in separate transactions: check the set
        // changes first so that a refused one does not leave the fields half-done.
        let before = try station.ticket(id)
        try Self.check(before, setChanges)
        var written = try station.update(id, changes).count
        for (set, adding, removing) in setChanges where !adding.isEmpty || !removing.isEmpty {
            written += try station.changeSet(set, of: id, adding: adding, removing: removing).count
        }
        if output.json {
            JSONOutput.print(try station.ticket(id).json())
        } else {
            print(written == 0 ? "Nothing changed on \(id)." : "Updated \(id) (\(written) change\(written == 1 ? "" : "s")).")
        }
    }

    /// Refuses adding an element already there or removing one that is not, before any write.
    static func check(_ ticket: Ticket, _ changes: [(TicketSet, adding: [String], removing: [String])]) throws {
        for (set, adding, removing) in changes {
            let current = Set(set == .tags ? ticket.tags : ticket.watchers)
            if let present = adding.first(where: current.contains) {
                throw CLIError.invalid("\(set) of ticket \(ticket.id) already contain '\(present.prefix(64))'")
            }
            if let absent = removing.first(where: { !current.contains($0) }) {
                throw CLIError.invalid("\(set) of ticket \(ticket.id) do not contain '\(absent.prefix(64))'")
            }
        }
    }
}
