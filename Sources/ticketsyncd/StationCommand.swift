import ArgumentParser
import Foundation
import TicketModel
import TicketSyncServer

/// `ticketsyncd station add|list|revoke`: station credentials.
struct StationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "station",
        abstract: "Manage station credentials.",
        subcommands: [Add.self, List.self, Revoke.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a credential; its secret is printed once and stored only as a hash."
        )
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "A name for the station (1-64 characters of a-z, 0-9, '.', '_' or '-').") var name: String
        @Option(
            name: .customLong("scope"),
            help: ArgumentHelp("What the station sees and writes: all, site:CODE, team:NAME or ticket:UUID (repeatable).", valueName: "SCOPE")
        )
        var scopes: [String] = []
        @Flag(help: "Print JSON: {\"name\", \"token\", \"scopes\"}.") var json = false

        func run() async throws {
            try await Failure.guarding {
                guard name.utf8.count <= 64, !name.isEmpty,
                    name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
                else {
                    throw ServerError(.invalidArgument, "station name '\(name.prefix(80))' must be 1-64 characters of a-z, 0-9, '.', '_' or '-'")
                }
                guard !scopes.isEmpty else {
                    throw ServerError(.invalidArgument, "give at least one --scope (all, site:CODE, team:NAME or ticket:UUID)")
                }
                let parsed = try scopes.map { text throws(ServerError) in try Scope(parsing: text) }
                let token = StationToken.generate()
                let name = self.name
                try await data.withStore(logger: quietLogger) { store, _ in
                    try await store.addStation(
                        name: name, tokenHash: StationToken.hash(token), scopes: parsed, createdMillis: systemMillis()
                    )
                }
                if json {
                    try printJSON(["name": name, "token": token, "scopes": parsed.map(\.description)])
                } else {
                    print("station:  \(name)\nscopes:   \(parsed.map(\.description).joined(separator: ", "))\ntoken:    \(token)")
                    print("The token is shown only now; give it to the station: ticketsync init --server URL --token TOKEN")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List credentials (never their secrets).")
        @OptionGroup var data: DataDirectoryOptions
        @Flag(help: "Print JSON lines.") var json = false

        func run() async throws {
            try await Failure.guarding {
                let stations = try await data.withStore(logger: quietLogger) { store, _ in try await store.stations() }
                for station in stations {
                    let replica = station.replica.map { "\($0)" } ?? ""
                    if json {
                        try printJSON([
                            "name": station.name, "scopes": station.scopes.map(\.description), "replica": replica,
                            "revoked": station.revoked,
                        ])
                    } else {
                        let state = station.revoked ? "revoked" : "active"
                        print("\(station.name)\t\(state)\t\(replica.isEmpty ? "-" : replica)\t\(station.scopes.map(\.description).joined(separator: ","))")
                    }
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a credential; a running server closes its live session within seconds."
        )
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "The station's name.") var name: String

        func run() async throws {
            try await Failure.guarding {
                let name = self.name
                try await data.withStore(logger: quietLogger) { store, _ in try await store.revokeStation(name: name) }
                print("revoked \(name)")
            }
        }
    }
}
