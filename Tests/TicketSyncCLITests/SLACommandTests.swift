import Foundation
import Testing

/// SLA clocks through the real binary and a real store: `init --policy`, `policy`, `show`
/// (text and JSON), `list --at-risk` and `--breached`, and policy file errors.
///
/// Clocks run on the station's real clock, so the policies are in seconds: a 1 s urgent first
/// response breaches after the test waits past it, and a warning at 0.1 % of 1 h (3.6 s) makes
/// the other tickets at risk. No assertion depends on how fast anything runs: the test only
/// waits until enough time has passed, then asserts on states.
@Suite("ticketsync SLA clocks")
struct SLACommandTests {
    static let policies = """
        policies:
          - id: urgent
            match: { priority: [urgent] }
            targets: { first_response: 1s }
          - id: standard
            targets: { first_response: 1h, resolution: 1d }
            warning_at: 0.001
        """

    @Test("init --policy, show, list --at-risk and --breached")
    func clocksShowAndFilter() async throws {
        try await offPool {
            try withTemporaryDirectory { root in
                let policyFile = root.appendingPathComponent("policies.yaml")
                try Self.policies.write(to: policyFile, atomically: true, encoding: .utf8)
                let cli = try CLI(home: root.appendingPathComponent("station"))
                try cli.succeed(["init", "--agent", "ana", "--policy", policyFile.path])
                let shown = try cli.succeed(["policy", "--json"]).jsonObject()
                #expect(shown["file"] as? String == policyFile.path)
                #expect((shown["policies"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["urgent", "standard"])
    
                let urgent = try cli.succeed(["new", "--title", "Crushed parcel", "--priority", "urgent"]).stdout.trimmed
                let answered = try cli.succeed(["new", "--title", "Late parcel"]).stdout.trimmed
                try cli.succeed(["comment", answered, "--body", "Reshipped today"])
                let normal = try cli.succeed(["new", "--title", "Wrong size"]).stdout.trimmed
                let parked = try cli.succeed(["new", "--title", "Waiting on carrier", "--field", "status=on_hold"]).stdout.trimmed
    
                // Wait (bounded) until every clock has run past its threshold: 1 s urgent, 3.6 s warning.
                let ready = Date().addingTimeInterval(4.0)
                while Date() < ready { Thread.sleep(forTimeInterval: 0.1) }
    
                let breached = try ids(cli.succeed(["list", "--breached", "--json"]))
                #expect(breached == [urgent])
                let atRisk = try ids(cli.succeed(["list", "--at-risk", "--json"]))
                #expect(atRisk == [normal])
                let either = try ids(cli.succeed(["list", "--at-risk", "--breached", "--json"]))
                #expect(Set(either) == [urgent, normal])
                #expect(try ids(cli.succeed(["list", "--at-risk", "--breached", "--limit", "1", "--json"])).count == 1)
    
                // show --json: each clock, provisional, with its state and instants.
                let urgentSLA = try slaStatus(cli, urgent)
                #expect(urgentSLA["policy"] as? String == "urgent")
                #expect(urgentSLA["breached"] as? Bool == true)
                #expect(urgentSLA["confirmed"] as? Bool == false)
                let urgentClocks = try #require(urgentSLA["clocks"] as? [[String: Any]])
                #expect(urgentClocks.count == 1)
                #expect(urgentClocks.first?["metric"] as? String == "first_response")
                #expect(urgentClocks.first?["state"] as? String == "breached")
                #expect(urgentClocks.first?["source"] as? String == "provisional")
                #expect(urgentClocks.first?["remaining_ms"] as? Int == 0)
                #expect(urgentClocks.first?["target_ms"] as? Int == 1000)
    
                let answeredClocks = try #require(try slaStatus(cli, answered)["clocks"] as? [[String: Any]])
                #expect(answeredClocks.first?["state"] as? String == "met")
                #expect(answeredClocks.first?["due_at"] is NSNull)
    
                let parkedClocks = try #require(try slaStatus(cli, parked)["clocks"] as? [[String: Any]])
                #expect(parkedClocks.map { $0["state"] as? String } == ["paused", "paused"])
                #expect(parkedClocks.allSatisfy { ($0["elapsed_ms"] as? Int) == 0 && ($0["paused_ms"] as? Int ?? 0) > 0 })
                #expect(parkedClocks.first?["remaining_ms"] as? Int == 3_600_000)
    
                let normalClocks = try #require(try slaStatus(cli, normal)["clocks"] as? [[String: Any]])
                #expect(normalClocks.map { $0["metric"] as? String } == ["first_response", "resolution"])
                #expect(normalClocks.allSatisfy { $0["state"] as? String == "running" })
                // 0.1 % of 1 h has passed, 0.1 % of 1 d (86.4 s) has not.
                #expect(normalClocks.map { $0["at_risk"] as? Bool } == [true, false])
                let left = try #require(normalClocks.first?["remaining_ms"] as? Int)
                #expect(left > 0 && left < 3_600_000)
    
                // The same in text: an SLA section with one row per clock, and the SLA column in lists.
                let text = try cli.succeed(["show", urgent]).stdout
                #expect(text.contains("SLA: policy urgent"))
                #expect(text.contains("provisional (computed at this station)"))
                #expect(text.lines.contains { $0.contains("first response") && $0.contains("breached") && $0.contains("provisional") })
                let parkedText = try cli.succeed(["show", parked]).stdout
                #expect(parkedText.lines.contains { $0.contains("resolution") && $0.contains("paused") && $0.contains("1d") })
                let listed = try cli.succeed(["list", "--breached"]).stdout
                #expect(listed.contains("breached: first response (provisional)"))
                #expect(try cli.succeed(["list", "--at-risk"]).stdout.contains("at risk: first response"))
    
                // Back to the default policy: a 1 h first response, nothing breached after seconds.
                try cli.succeed(["policy", "--default"])
                #expect(try ids(cli.succeed(["list", "--breached", "--json"])).isEmpty)
                #expect(try slaStatus(cli, urgent)["policy"] as? String == "default")
            }
        }
    }

    @Test("bad policy files: one line per problem with its position, nothing created")
    func badPolicyFiles() throws {
        try withTemporaryDirectory { root in
            let bad = root.appendingPathComponent("bad.yaml")
            try "policies:\n  - id: a\n    targets: { first_response: soon }\n    pause_statuses: [waiting]\n"
                .write(to: bad, atomically: true, encoding: .utf8)
            let home = root.appendingPathComponent("station")
            let cli = try CLI(home: home)
            let refused = try cli.run(["init", "--policy", bad.path])
            #expect(refused.status == 65, "\(refused)")
            #expect(refused.errorLines.count == 2, "\(refused)")
            #expect(refused.errorLines.first?.hasPrefix("ticketsync: error: \(bad.path):3:32: duration 'soon'") == true, "\(refused)")
            #expect(refused.errorLines.last?.hasPrefix("ticketsync: error: \(bad.path):4:22: unknown status 'waiting'") == true, "\(refused)")
            #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("station.sqlite").path))

            try cli.succeed(["init"])
            let later = try cli.run(["policy", bad.path])
            #expect(later.status == 65 && later.errorLines.count == 2, "\(later)")
            #expect(try cli.succeed(["policy", "--json"]).jsonObject()["file"] is NSNull)
            #expect(try cli.run(["policy", root.appendingPathComponent("missing.yaml").path]).status == 66)
        }
    }

    private func ids(_ result: CLIResult) throws -> [String] {
        guard let rows = try result.json() as? [[String: Any]] else { throw CLI.Failure("not a JSON list: \(result)") }
        return rows.compactMap { $0["id"] as? String }
    }

    private func slaStatus(_ cli: CLI, _ id: String) throws -> [String: Any] {
        let object = try cli.succeed(["show", id, "--json"]).jsonObject()
        guard let sla = object["sla_status"] as? [String: Any] else { throw CLI.Failure("no sla_status in show --json for \(id)") }
        return sla
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
    fileprivate var lines: [Substring] { split(separator: "\n") }
}
