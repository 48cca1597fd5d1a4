import Foundation
import Testing

/// Each kind of failure: one line on stderr starting `ticketsync: error:`, and its own exit status.
@Suite("ticketsync errors")
struct ErrorKindTests {
    /// Runs a command that must fail with `status` and a one-line error (plus candidate lines
    /// when `candidates` is set); returns the result.
    @discardableResult
    func expectFailure(
        _ cli: CLI, _ arguments: [String], status: Int32, candidates: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> CLIResult {
        let result = try cli.run(arguments)
        #expect(result.status == status, "\(result)", sourceLocation: sourceLocation)
        #expect(result.errorLines.first?.hasPrefix("ticketsync: error: ") ?? false, "\(result)", sourceLocation: sourceLocation)
        if candidates {
            #expect(result.errorLines.count >= 3, "\(result)", sourceLocation: sourceLocation)
        } else {
            #expect(result.errorLines.count == 1, "\(result)", sourceLocation: sourceLocation)
        }
        #expect(result.stdout.isEmpty, "\(result)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack"), sourceLocation: sourceLocation)
        return result
    }

    /// A station with a few tickets made in quick succession.
    func station(_ root: URL, tickets: Int = 6) throws -> (CLI, [String]) {
        let cli = try CLI(home: root.appendingPathComponent("station"))
        try cli.succeed(["init"])
        let ids = try (0..<tickets).map { index in
            try cli.succeed(["new", "--title", "ticket \(index)"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return (cli, ids)
    }

    @Test("unknown ticket: 66")
    func unknownTicket() throws {
        try withTemporaryDirectory { root in
            let (cli, _) = try station(root, tickets: 1)
            // UUIDv7 ids start with the time in milliseconds: none starts with ffff for millennia.
            try expectFailure(cli, ["show", "ffffffff"], status: 66)
            try expectFailure(cli, ["edit", "ffff", "--title", "x"], status: 66)
        }
    }

    @Test("ambiguous prefix: 67, with the candidates listed")
    func ambiguousPrefix() throws {
        try withTemporaryDirectory { root in
            let (cli, ids) = try station(root)
            // Ids made close in time share their leading (time) digits; take the 4-digit prefix
            // most of them share.
            let prefixes = Dictionary(grouping: ids) { String($0.prefix(4)) }
            let (prefix, sharing) = try #require(prefixes.max { $0.value.count < $1.value.count })
            try #require(sharing.count >= 2, "expected ids made in the same minute to share a prefix: \(ids)")
            let result = try expectFailure(cli, ["show", prefix], status: 67, candidates: true)
            for id in sharing { #expect(result.stderr.contains(id)) }
        }
    }

    @Test("bad values: 65")
    func invalidValues() throws {
        try withTemporaryDirectory { root in
            let (cli, ids) = try station(root, tickets: 1)
            try expectFailure(cli, ["edit", ids[0], "--status", "bogus"], status: 65)
            try expectFailure(cli, ["list", "--status", "bogus"], status: 65)
            try expectFailure(cli, ["new", "--title", "x", "--priority", "whenever"], status: 65)
            try expectFailure(cli, ["resolve", ids[0], "--root-cause", "x", "--csat", "9"], status: 65)
            try expectFailure(cli, ["edit", ids[0], "--field", "colour=red"], status: 65)
            try expectFailure(cli, ["list", "--sort", "sideways"], status: 65)
            // Several server addresses: each is checked, and the bad one is named.
            let addresses = try expectFailure(cli, ["server", "wss://a.example.com,ftp://b.example.com", "--token", "t"], status: 65)
            #expect(addresses.stderr.contains("'ftp://b.example.com'"), "\(addresses)")
            try cli.succeed(["server", "wss://a.example.com, wss://b.example.com:7443", "--token", "t"])
            #expect(try cli.succeed(["status", "--json"]).jsonObject()["server"] as? String == "wss://a.example.com,wss://b.example.com:7443")
            // Nothing was written by the refused commands.
            let status = try cli.succeed(["status", "--json"]).jsonObject()
            #expect(status["operations"] as? Int == 1)
        }
    }

    @Test("server-owned field: 69")
    func serverOwnedField() throws {
        try withTemporaryDirectory { root in
            let (cli, ids) = try station(root, tickets: 1)
            let result = try expectFailure(cli, ["edit", ids[0], "--field", "sla.first_response=1"], status: 69)
            #expect(result.stderr.contains("server"))
        }
    }

    @Test("usage: 64")
    func usage() throws {
        try withTemporaryDirectory { root in
            let (cli, ids) = try station(root, tickets: 1)
            try expectFailure(cli, ["new"], status: 64)
            try expectFailure(cli, ["frobnicate"], status: 64)
            try expectFailure(cli, ["list", "--limit", "many"], status: 64)
            try expectFailure(cli, ["edit", ids[0]], status: 64)
            try expectFailure(cli, ["assign", ids[0]], status: 64)
        }
    }

    @Test("init twice: 73")
    func initTwice() throws {
        try withTemporaryDirectory { root in
            let (cli, _) = try station(root, tickets: 1)
            try expectFailure(cli, ["init"], status: 73)
            #expect(try cli.succeed(["status", "--json"]).jsonObject()["tickets"] as? Int == 1)
        }
    }

    @Test("missing or garbage store: 74")
    func brokenStore() throws {
        try withTemporaryDirectory { root in
            let home = root.appendingPathComponent("station")
            let cli = try CLI(home: home)
            try expectFailure(cli, ["status"], status: 74)
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) })
            try garbage.write(to: home.appendingPathComponent("station.sqlite"))
            try expectFailure(cli, ["status"], status: 74)
            try expectFailure(cli, ["list"], status: 74)
            try expectFailure(cli, ["new", "--title", "x"], status: 74)
        }
    }

    @Test("help, version and completion scripts succeed")
    func help() throws {
        try withTemporaryDirectory { root in
            let cli = try CLI(home: root)
            let help = try cli.runRaw(["--help"])
            #expect(help.status == 0)
            for text in ["QUICK START", "EXIT STATUS", "67", "74", "new", "export"] { #expect(help.stdout.contains(text)) }
            let bash = try cli.runRaw(["--generate-completion-script", "bash"])
            #expect(bash.status == 0)
            #expect(bash.stdout.contains("on_hold") && bash.stdout.contains("urgent"))
            #expect(try cli.runRaw(["list", "--help"]).stdout.contains("--unassigned"))
        }
    }
}
