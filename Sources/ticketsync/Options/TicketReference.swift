import ArgumentParser
import Foundation
import TicketModel
import TicketSyncClient

/// The `ID` argument: a ticket's full id or a unique prefix of at least 4 hex digits, like git.
struct TicketReference: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "The ticket: its id or a unique prefix of it (at least 4 hex digits; dashes optional).",
            valueName: "id"
        ),
        completion: .custom(TicketReference.completions)
    )
    var id: String

    /// The ticket's full id; an unknown or ambiguous prefix fails with the candidates listed.
    func resolve(in station: Station) throws(StationError) -> TicketID {
        try station.ticketID(matching: id.trimmingCharacters(in: .whitespaces))
    }

    /// Shell completion: the ids of the most recently changed tickets of the station named on
    /// the command line (or the default one) that start with what was typed.
    @Sendable
    static func completions(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        var explicitHome: String?
        if let flag = words.firstIndex(of: "--home"), flag + 1 < words.count {
            explicitHome = words[flag + 1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        let directory = HomeOptions.resolve(explicit: explicitHome, environment: ProcessInfo.processInfo.environment)
        let path = (directory as NSString).appendingPathComponent("station.sqlite")
        guard FileManager.default.fileExists(atPath: path), let station = try? Station.open(at: path) else { return [] }
        var query = TicketQuery()
        query.limit = 200
        let typed = prefix.lowercased().filter { $0 != "-" }
        let ids = (try? station.list(query)) ?? []
        return ids.map(\.id.description).filter { $0.filter { $0 != "-" }.hasPrefix(typed) }
    }
}
