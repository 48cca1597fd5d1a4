import Foundation
import Testing
import TicketModel
import TicketSLA

/// Policy files: the shipped example parses; every kind of mistake is reported with its line,
/// column and a fix; the version is a digest of content, not of spelling.
@Suite struct PolicyFileTests {
    static let valid = """
        calendars:
          office:
            time_zone: Europe/Berlin
            hours:
              mon-fri: 09:00-17:00
            holidays: [2026-04-06]
        policies:
          - id: urgent
            match:
              priority: [urgent, high]
              tags: vip
            targets:
              first_response: 30s
              resolution: 90m
          - id: standard
            calendar: office
            targets: { first_response: 2h, next_response: 1h30m, resolution: 1d }
            warning_at: 80%
            pause_statuses: [pending]
            escalation:
              - { tier: 1, limit: 2h, group: frontline, notify: [ops-chat] }
              - { tier: 2, limit: 8h, group: supervisors }
        """

    /// The problems of `text` as `LINE:COL: message` lines.
    func problems(_ text: String) -> [String] {
        do {
            _ = try PolicySet(yaml: text, file: "p.yaml")
            return []
        } catch {
            return error.lines
        }
    }

    @Test func aValidFileParses() throws {
        let set = try PolicySet(yaml: Self.valid)
        #expect(set.policies.map(\.id) == ["urgent", "standard"])
        let urgent = set.policies[0]
        #expect(urgent.match.priorities == [.urgent, .high])
        #expect(urgent.match.tags == ["vip"])
        #expect(urgent.targets.firstResponse == 30_000)
        #expect(urgent.targets.resolution == 90 * 60_000)
        #expect(urgent.calendar.isAlwaysOpen)
        #expect(urgent.pauseStatuses == [.pending, .onHold])
        #expect(urgent.warningThreshold == 0.75)
        let standard = set.policies[1]
        #expect(standard.calendar.timeZoneIdentifier == "Europe/Berlin")
        #expect(standard.calendar.holidays == [LocalDate(year: 2026, month: 4, day: 6)!])
        #expect(standard.targets.nextResponse == 90 * 60_000)
        #expect(standard.targets.resolution == 86_400_000)
        #expect(standard.warningThreshold == 0.8)
        #expect(standard.pauseStatuses == [.pending])
        #expect(standard.escalation.map(\.group) == ["frontline", "supervisors"])
        #expect(standard.escalation[0].notify == ["ops-chat"])
    }

    @Test func theShippedExampleParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("deploy/policies.example.yaml")
        let set = try PolicySet(yaml: try String(contentsOf: path, encoding: .utf8), file: path.path)
        #expect(set.policies.map(\.id) == ["urgent", "berlin-nights", "standard"])
        let windows = set.policies[1].calendar.windows
        #expect(windows.allSatisfy { $0.isOvernight })
        #expect(set.policies.last?.match.isCatchAll == true)
    }

    @Test func theVersionIsADigestOfContent() throws {
        let a = try PolicySet(yaml: Self.valid)
        let respaced = try PolicySet(yaml: "# a comment\n" + Self.valid.replacingOccurrences(of: "[urgent, high]", with: "[high, urgent]"))
        #expect(a.version == respaced.version)
        #expect(a.version.hasPrefix("v1-") && a.version.count == 19)
        let changed = try PolicySet(yaml: Self.valid.replacingOccurrences(of: "first_response: 30s", with: "first_response: 31s"))
        #expect(changed.version != a.version)
        #expect(PolicySet.default.version != a.version)
    }

    @Test func theDefaultSetFollowsTheSeeds() throws {
        let policy = try #require(PolicySet.default.policies.first)
        #expect(PolicySet.default.policies.count == 1)
        #expect(policy.match.isCatchAll)
        #expect(policy.escalation.map(\.limitMillis) == [2, 8, 24].map { $0 * At.hour })
        #expect(policy.escalation.map(\.tier) == [1, 2, 3])
        #expect(policy.pauseStatuses == [.pending, .onHold])
        #expect(policy.warningThreshold == 0.75)
    }

    @Test func unknownKeysNameTheLineColumnAndTheKnownKeys() {
        let lines = problems(Self.valid.replacingOccurrences(of: "    warning_at: 80%", with: "    warn_at: 80%"))
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("p.yaml:19:5: unknown key 'warn_at'") == true, "\(lines)")
        #expect(lines.first?.contains("did you mean 'warning_at'") == true)
    }

    @Test func badValuesAreEachReported() {
        let text = """
            calendars:
              office:
                time_zone: Europe/Berlim
                hours: { mon-fri: 09:00-17:00 }
              nights:
                time_zone: UTC
                hours:
                  mon: 22:00-06:00
                  tue: 05:00-09:00
              empty:
                time_zone: UTC
                hours: { mon: 09:00-09:00 }
              offdays:
                time_zone: UTC
                hours: { mon: 09:00-10:00 }
                holidays: [2026-02-30]
            policies:
              - id: a
                match: { priority: [critical] }
                targets: { first_response: 2 hours }
                pause_statuses: [waiting]
                warning_at: 120%
              - id: b
                calendar: nowhere
                targets: { resolution: 1h }
                escalation:
                  - { tier: 1, limit: 8h, group: frontline }
                  - { tier: 2, limit: 2h, group: supervisors }
            """
        let lines = problems(text)
        let expected = [
            "p.yaml:3:16: time zone 'Europe/Berlim' is not an IANA time zone name",
            "p.yaml:7:5: windows 'mon 22:00-06:00' and 'tue 05:00-09:00' overlap",
            "p.yaml:12:19: working hours '09:00-09:00' are empty",
            "p.yaml:16:16: holiday '2026-02-30' is not a date",
            "p.yaml:19:26: unknown priority 'critical'",
            "p.yaml:20:33: duration '2 hours' is not a whole number with a unit",
            "p.yaml:21:22: unknown status 'waiting'",
            "p.yaml:22:17: warning threshold '120%' must be between 0 and 100%",
            "p.yaml:24:15: unknown calendar 'nowhere'",
        ]
        #expect(lines.count == expected.count, "\(lines.joined(separator: "\n"))")
        for (line, prefix) in zip(lines, expected) {
            #expect(line.hasPrefix(prefix), "\(line) should start with \(prefix)")
        }
    }

    @Test func setLevelProblemsPointAtThePolicy() {
        let tiers = """
            policies:
              - id: a
                targets: { resolution: 1h }
                escalation:
                  - { tier: 1, limit: 8h, group: frontline }
                  - { tier: 2, limit: 2h, group: supervisors }
            """
        let tierLines = problems(tiers)
        #expect(tierLines.count == 1)
        #expect(tierLines.first?.hasPrefix("p.yaml:6:9: tier 2's limit (2h) is not more than tier 1's (8h)") == true, "\(tierLines)")
        let order = """
            policies:
              - id: all
                targets: { resolution: 1h }
              - id: late
                match: { site: DFW1 }
                targets: { resolution: 1h }
            """
        let orderLines = problems(order)
        #expect(orderLines.count == 2, "\(orderLines)")
        #expect(orderLines.first?.hasPrefix("p.yaml:5:12: policy 'late' can never apply") == true, "\(orderLines)")
        #expect(orderLines.last?.contains("no policy applies to every ticket") == true)
        let duplicate = problems("policies:\n  - id: a\n    targets: { resolution: 1h }\n  - id: a\n    targets: { resolution: 2h }\n")
        #expect(duplicate.first?.contains("used twice") == true, "\(duplicate)")
        let numbering = problems("policies:\n  - id: a\n    targets: { resolution: 1h }\n    escalation:\n      - { tier: 2, limit: 1h, group: x }\n")
        #expect(numbering.first?.hasPrefix("p.yaml:5:9: tier 2 is entry 1") == true, "\(numbering)")
    }

    @Test func syntaxErrorsAndEmptyFilesSayWhere() {
        let syntax = problems("policies:\n  - id: a\n   targets: [\n")
        #expect(syntax.count == 1)
        #expect(syntax.first?.contains("not valid YAML") == true, "\(syntax)")
        #expect(syntax.first?.hasPrefix("p.yaml:3:") == true || syntax.first?.hasPrefix("p.yaml:4:") == true, "\(syntax)")
        #expect(problems("").first?.contains("empty") == true)
        #expect(problems("policies: []\n").first?.contains("empty") == true)
        #expect(problems("policy:\n  - id: a\n").first?.hasPrefix("p.yaml:1:1: unknown key 'policy'") == true)
    }

    @Test func durations() throws {
        #expect(try SLADuration.parse("30s") == 30_000)
        #expect(try SLADuration.parse("90m") == 5_400_000)
        #expect(try SLADuration.parse("1h30m") == 5_400_000)
        #expect(try SLADuration.parse("2d") == 172_800_000)
        for bad in ["", "2", "h", "1.5h", "-1h", "0s", "2 h", "1w", "400d"] {
            #expect(throws: SLAConfigurationError.self, "\(bad)") { try SLADuration.parse(bad) }
        }
        #expect(SLADuration.text(5_400_000) == "1h30m")
        #expect(SLADuration.text(1_500) == "1s500ms")
    }
}
