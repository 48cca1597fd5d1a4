import ArgumentParser
import Foundation
import TicketSLA

/// `ticketsyncd policy`: SLA policy files.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Work with SLA policy files.",
        subcommands: [PolicyCheckCommand.self]
    )
}

/// `ticketsyncd policy check FILE`: parses and checks a policy file without touching the server.
struct PolicyCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check an SLA policy file and summarise it.",
        discussion: """
            Prints one line per policy (match, calendar, targets, pauses, warning, tiers) and the \
            set's version, and exits 0. On a bad file prints every problem as FILE:LINE:COL: message \
            on stderr and exits 65. The format is described in docs/sla.md; \
            deploy/policies.example.yaml is a starting point.
            """
    )

    @Argument(help: ArgumentHelp("The policy file (YAML).", valueName: "file"), completion: .file(extensions: ["yaml", "yml"]))
    var file: String

    @Flag(help: "Print JSON: {\"file\", \"version\", \"policies\": [{\"id\", \"calendar\", …}]}.")
    var json = false

    func run() async throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("ticketsyncd: error: cannot read the policy file \(file): \(error.localizedDescription)\n".utf8))
            throw ExitCode(66)
        }
        let set: PolicySet
        do {
            set = try PolicySet(yaml: text, file: file)
        } catch {
            FileHandle.standardError.write(Data((error.lines.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(65)
        }
        if json {
            try printJSON(["file": file, "version": set.version, "policies": set.policies.map(PolicySummary.json)])
        } else {
            print("\(file): \(set.policies.count) polic\(set.policies.count == 1 ? "y" : "ies"), version \(set.version)")
            for (index, policy) in set.policies.enumerated() {
                print(PolicySummary.text(policy, number: index + 1))
            }
        }
    }
}

/// How `policy check` describes one policy.
enum PolicySummary {
    static func text(_ policy: SLAPolicy, number: Int) -> String {
        var lines = ["\(number). \(policy.id): \(match(policy.match))"]
        lines.append("   calendar   \(policy.calendar)")
        lines.append("   targets    \(targets(policy.targets))")
        lines.append(
            "   pauses     \(policy.pauseStatuses.map(\.rawValue).sorted().joined(separator: ", ").ifEmpty("none")); warning at \(percent(policy.warningThreshold))"
        )
        if !policy.escalation.isEmpty {
            let tiers = policy.escalation.map { tier in
                let notify = tier.notify.isEmpty ? "" : " (notify \(tier.notify.joined(separator: ", ")))"
                return "tier \(tier.tier) \(tier.group) for \(SLADuration.text(tier.limitMillis))\(notify)"
            }
            lines.append("   escalation \(tiers.joined(separator: " → "))")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ policy: SLAPolicy) -> [String: Any] {
        func duration(_ millis: UInt64?) -> Any { millis.map { SLADuration.text($0) } ?? NSNull() }
        return [
            "id": policy.id,
            "match": [
                "priority": policy.match.priorities.map(\.rawValue).sorted(), "category": policy.match.categories.sorted(),
                "site": policy.match.sites.sorted(), "group": policy.match.groups.sorted(), "tags": policy.match.tags.sorted(),
            ],
            "calendar": policy.calendar.name,
            "time_zone": policy.calendar.timeZoneIdentifier,
            "targets": [
                "first_response": duration(policy.targets.firstResponse), "next_response": duration(policy.targets.nextResponse),
                "periodic_update": duration(policy.targets.periodicUpdate), "resolution": duration(policy.targets.resolution),
            ],
            "pause_statuses": policy.pauseStatuses.map(\.rawValue).sorted(),
            "warning_at": policy.warningThreshold,
            "escalation": policy.escalation.map {
                ["tier": $0.tier, "limit": SLADuration.text($0.limitMillis), "group": $0.group, "notify": $0.notify] as [String: Any]
            },
        ]
    }

    static func match(_ match: PolicyMatch) -> String {
        if match.isCatchAll { return "every other ticket" }
        var parts: [String] = []
        if !match.priorities.isEmpty { parts.append("priority \(match.priorities.map(\.rawValue).sorted().joined(separator: "|"))") }
        if !match.categories.isEmpty { parts.append("category \(match.categories.sorted().joined(separator: "|"))") }
        if !match.sites.isEmpty { parts.append("site \(match.sites.sorted().joined(separator: "|"))") }
        if !match.groups.isEmpty { parts.append("group \(match.groups.sorted().joined(separator: "|"))") }
        if !match.tags.isEmpty { parts.append("tags \(match.tags.sorted().joined(separator: "+"))") }
        return "tickets with " + parts.joined(separator: ", ")
    }

    static func targets(_ targets: SLATargets) -> String {
        let parts = [
            ("first response", targets.firstResponse), ("next response", targets.nextResponse),
            ("update every", targets.periodicUpdate), ("resolution", targets.resolution),
        ].compactMap { name, value in value.map { "\(name) \(SLADuration.text($0))" } }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }
}

extension String {
    fileprivate func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
