import ArgumentParser
import Foundation
import TicketModel
import TicketSyncServer

/// `ticketsyncd station add|list|revoke`: station credentials.
struct StationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "station",
        abstract: "Manage station credentials.",
        subcommands: [Add.self, List.self, Revoke.self, Link.self]
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
        @Option(
            help: ArgumentHelp(
                "What the credential is for: station (syncs), integration (an HTTP API key) or dashboard (a person's dashboard login).",
                valueName: "KIND"
            )
        )
        var kind = "station"
        @Flag(help: "Print JSON: {\"name\", \"token\", \"scopes\", \"kind\"}.") var json = false

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
                guard let kind = CredentialKind(named: kind) else {
                    throw ServerError(.invalidArgument, "--kind '\(kind.prefix(40))' is not one of station, integration, dashboard")
                }
                let parsed = try scopes.map { text throws(ServerError) in try Scope(parsing: text) }
                let token = StationToken.generate()
                let name = self.name
                try await data.withStore(logger: quietLogger) { store, _ in
                    try await store.addCredential(
                        name: name, kind: kind, tokenHash: StationToken.hash(token), scopes: parsed, createdMillis: systemMillis()
                    )
                }
                if json {
                    try printJSON(["name": name, "token": token, "scopes": parsed.map(\.description), "kind": kind.rawValue])
                } else {
                    print("\(kind.rawValue):\(String(repeating: " ", count: max(1, 10 - kind.rawValue.count - 1)))\(name)\nscopes:   \(parsed.map(\.description).joined(separator: ", "))\ntoken:    \(token)")
                    switch kind {
                    case .integration: print("The key is shown only now; send it as 'Authorization: Bearer KEY' to /api/v1 (Protocol/openapi.yaml).")
                    case .dashboard: print("The secret is shown only now; sign in with it at https://HOST:PORT/.")
                    default: print("The token is shown only now; give it to the station: ticketsync init --server URL --token TOKEN")
                    }
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
                            "revoked": station.revoked, "kind": station.kind.rawValue,
                        ])
                    } else {
                        let state = station.revoked ? "revoked" : "active"
                        print("\(station.name)\t\(station.kind)\t\(state)\t\(replica.isEmpty ? "-" : replica)\t\(station.scopes.map(\.description).joined(separator: ","))")
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

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a sign-in link for a dashboard credential (valid for a few minutes)."
        )
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "The dashboard credential's name.") var name: String
        @Option(help: "The server's address as people reach it.") var url = "https://localhost:\(ServerConfiguration.defaultPort)"
        @Option(help: "How long the link works, in minutes (1-60).") var minutes: UInt64 = 10

        func run() async throws {
            try await Failure.guarding {
                guard (1...60).contains(minutes) else { throw ServerError(.invalidArgument, "--minutes must be from 1 to 60") }
                let name = self.name
                let records = try await data.withStore(logger: quietLogger) { store, _ in try await store.stations() }
                guard let record = records.first(where: { $0.name == name }) else {
                    throw ServerError(.notFound, "no credential named '\(name.prefix(80))'; 'ticketsyncd station list' shows them")
                }
                guard record.kind == .dashboard, !record.revoked else {
                    throw ServerError(.invalidArgument, "'\(name.prefix(80))' is not an active dashboard credential (add one with --kind dashboard)")
                }
                let session = try DashboardSession(dataDirectory: data.dataDirectory)
                let base = url.hasSuffix("/") ? String(url.dropLast()) : url
                print(session.link(for: name, minutes: minutes, base: base, nowSeconds: systemMillis() / 1000))
            }
        }
    }
}
