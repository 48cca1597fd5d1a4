import ArgumentParser
import Foundation
import TicketSLA
import TicketSyncClient

/// `ticketsync policy [FILE]`: the SLA policy set this station computes provisional clocks with.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show or set the SLA policies used for provisional clocks.",
        discussion: """
            With FILE, checks the policy file (the same format as the server's; see docs/sla.md) and \
            keeps a copy in the station's store; problems are listed as FILE:LINE:COL: message. With \
            --default, goes back to the built-in policy. With neither, shows the policies in use. \
            The server's own clocks, once synced, are shown as confirmed whatever is set here.
            """
    )

    @OptionGroup var home: HomeOptions

    @Argument(help: ArgumentHelp("A policy file (YAML) to use from now on.", valueName: "file"), completion: .file(extensions: ["yaml", "yml"]))
    var file: String?

    @Flag(name: .customLong("default"), help: "Use the built-in default policy again.")
    var useDefault = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if file != nil && useDefault { throw ValidationError("give either a FILE or --default, not both") }
    }

    func run() throws {
        let station = try home.openStation()
        let set: PolicySet
        if let file {
            let text = try Self.read(file)
            try Self.check(text, file: file)
            set = try station.setSLAPolicies(yaml: text, file: file)
        } else if useDefault {
            set = try station.setSLAPolicies(yaml: nil, file: "")
        } else {
            set = try station.slaPolicies()
        }
        let source = try station.slaPolicyFile()
        if output.json {
            JSONOutput.print([
                "file": JSONOutput.orNull(source), "version": set.version,
                "policies": set.policies.map { policy -> JSONObject in
                    [
                        "id": policy.id, "calendar": policy.calendar.name, "time_zone": policy.calendar.timeZoneIdentifier,
                        "first_response_ms": JSONOutput.orNull(policy.targets.firstResponse),
                        "next_response_ms": JSONOutput.orNull(policy.targets.nextResponse),
                        "periodic_update_ms": JSONOutput.orNull(policy.targets.periodicUpdate),
                        "resolution_ms": JSONOutput.orNull(policy.targets.resolution),
                        "warning_at": policy.warningThreshold,
                        "pause_statuses": policy.pauseStatuses.map(\.rawValue).sorted(),
                        "tiers": policy.escalation.map { ["tier": $0.tier, "limit_ms": $0.limitMillis, "group": $0.group] as JSONObject },
                    ]
                },
            ] as JSONObject)
        } else {
            print("SLA policies: \(source ?? "built-in default"), version \(set.version)")
            for policy in set.policies {
                let targets = [
                    ("first response", policy.targets.firstResponse), ("next response", policy.targets.nextResponse),
                    ("update every", policy.targets.periodicUpdate), ("resolution", policy.targets.resolution),
                ].compactMap { name, value in value.map { "\(name) \(SLADuration.text($0))" } }
                print("  \(policy.id): \(targets.joined(separator: ", ")); calendar \(policy.calendar.name) (\(policy.calendar.timeZoneIdentifier))")
            }
        }
    }

    /// The file's text, or a not-found error naming it.
    static func read(_ file: String) throws -> String {
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw CLIError(.notFound, "cannot read the policy file \(file): \(error.localizedDescription)")
        }
    }

    /// Checks the text, throwing one `FILE:LINE:COL: message` line per problem.
    static func check(_ text: String, file: String) throws {
        do {
            _ = try PolicySet(yaml: text, file: file)
        } catch {
            throw CLIError(.invalid, error.lines.joined(separator: "\n"), linePerProblem: true)
        }
    }
}
