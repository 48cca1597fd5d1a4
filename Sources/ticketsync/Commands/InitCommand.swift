import ArgumentParser
import Foundation
import TicketModel
import TicketSyncClient

/// `ticketsync init`: creates the station's directory and store, with a new replica id.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create this station: its directory (mode 0700), store and replica id.",
        discussion: """
            Works offline. The server and credential can be given now or later with \
            'ticketsync server'. Refuses to touch an existing store.
            """
    )

    @OptionGroup var home: HomeOptions

    @Option(help: ArgumentHelp("The agent acting at this station (default: $USER, else 'agent').", valueName: "name"))
    var agent: String?

    @Option(
        help: ArgumentHelp(
            "The server to sync with, e.g. wss://tickets.example.com, or a cluster's nodes separated by commas.", valueName: "url"
        )
    )
    var server: String?

    @OptionGroup var credentials: ServerOptions

    @Option(
        help: ArgumentHelp(
            "An SLA policy file (YAML) for provisional clocks; default: the built-in policy. Change it later with 'ticketsync policy FILE'.",
            valueName: "file"
        ),
        completion: .file(extensions: ["yaml", "yml"])
    )
    var policy: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if server == nil && (credentials.token != nil || credentials.caFile != nil || credentials.pin != nil) {
            throw ValidationError("--token, --ca and --pin need --server")
        }
    }

    func run() throws {
        // Check everything before creating anything, so that a typo does not leave a store behind.
        let settings = try server.map { try credentials.settings(url: $0) }
        let policyText = try policy.map(PolicyCommand.read)
        if let policyText, let policy { try PolicyCommand.check(policyText, file: policy) }
        let directory = home.directory
        try createDirectory(directory)
        let path = home.storePath
        let agent = self.agent ?? ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "agent"
        let station = try Station.create(at: path, agent: agent)
        // The store holds the server credential: only its owner may read it.
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        try settings?.apply(to: station)
        if let policyText, let policy { try station.setSLAPolicies(yaml: policyText, file: policy) }
        if output.json {
            JSONOutput.print([
                "replica": station.replica.description, "agent": agent, "store": path,
                "server": JSONOutput.orNull(server),
            ] as JSONObject)
        } else {
            print("Created station \(station.replica) for agent \(agent) in \(directory)")
            print(server.map { "It syncs with \($0)." } ?? "No server yet: it works offline; add one with 'ticketsync server URL'.")
        }
    }

    private func createDirectory(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CLIError(.store, "\(directory) exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw CLIError(.store, "cannot create \(directory): \(error.localizedDescription)")
        }
    }
}
