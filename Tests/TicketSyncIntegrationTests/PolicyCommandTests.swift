import Foundation
import Testing

/// `ticketsyncd policy check FILE` as an operator runs it: a summary and exit 0 for a good
/// file (the shipped example among them), one `FILE:LINE:COL: message` line per problem and
/// exit 65 for a bad one, 66 for a missing one.
@Suite struct PolicyCommandTests {
    @Test func theExampleFileChecksAndIsSummarised() throws {
        let binary = try builtExecutable("ticketsyncd")
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/policies.example.yaml").path
        let result = try run(binary, ["policy", "check", example])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("\(example): 3 policies, version v1-") == true, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("1. urgent: tickets with priority urgent") })
        #expect(lines.contains { $0.contains("berlin-nights (Europe/Berlin): fri 22:00-06:00") || $0.contains("ber-nights (Europe/Berlin)") })
        #expect(lines.contains { $0.hasPrefix("3. standard: every other ticket") })
        #expect(lines.contains { $0.contains("tier 1 frontline for 2h (notify ops-chat) → tier 2 supervisors for 8h") })

        let json = try run(binary, ["policy", "check", example, "--json"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let version = try #require(object["version"] as? String)
        #expect(lines.first?.hasSuffix(version) == true)
        let policies = try #require(object["policies"] as? [[String: Any]])
        #expect(policies.map { $0["id"] as? String } == ["urgent", "berlin-nights", "standard"])
        #expect((policies[0]["targets"] as? [String: Any])?["first_response"] as? String == "15m")
    }

    @Test func problemsAreListedOnePerLineWithTheirPosition() throws {
        let folder = try TemporaryDirectory()
        let binary = try builtExecutable("ticketsyncd")
        let path = folder.path("bad.yaml")
        try """
            calendars:
              office:
                time_zone: Mars/Olympus
                hours: { mon-fri: 09:00-17:00 }
            policies:
              - id: standard
                calendar: office
                targets: { first_response: 2 hours, resolution: 1d }
                escalation:
                  - { tier: 1, limit: 8h, group: frontline }
                  - { tier: 2, limit: 2h, group: supervisors }
                colour: blue
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try run(binary, ["policy", "check", path])
        #expect(result.status == 65)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.stderr)")
        let expected = [
            "\(path):3:16: time zone 'Mars/Olympus' is not an IANA time zone name",
            "\(path):8:32: duration '2 hours' is not a whole number with a unit",
            "\(path):12:5: unknown key 'colour' in a policy",
        ]
        for (line, prefix) in zip(lines, expected) {
            #expect(line.hasPrefix(prefix), "\(line) should start with \(prefix)")
        }

        let missing = try run(binary, ["policy", "check", folder.path("none.yaml")])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("cannot read the policy file"))
    }
}
