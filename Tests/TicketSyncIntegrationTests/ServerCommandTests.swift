import Foundation
import Testing

/// `ticketsyncd` commands as an operator runs them: bad input gets one clear line and its exit code.
@Suite struct ServerCommandTests {
    @Test func configurationFileErrorsNameTheLine() throws {
        let folder = try TemporaryDirectory()
        let binary = try builtExecutable("ticketsyncd")
        let cases: [(String, String)] = [
            ("data_dir: ./d\nlisten_on: 1\n", "2: unknown key 'listen_on'"),
            ("max_message_bytes: lots\n", "1: 'max_message_bytes' takes a whole number"),
            ("- just\n- a list\n", "expected key: value lines"),
            ("listen: nowhere\n", "--listen 'nowhere' is not HOST:PORT"),
            ("sla_plan_delay_ms: 90000\n", "sla_plan_delay_ms 90000 is outside 0...60000"),
        ]
        for (index, (text, expected)) in cases.enumerated() {
            let path = folder.path("c\(index).yaml")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let result = try run(binary, ["serve", "--config", path, "--data-dir", folder.path("data")], timeout: 30)
            #expect(result.status == 65, "\(text): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(text): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func stationCommandsRefuseBadInput() throws {
        let folder = try TemporaryDirectory()
        let binary = try builtExecutable("ticketsyncd")
        let data = folder.path("data")
        #expect(try run(binary, ["station", "add", "desk", "--data-dir", data]).status == 65)  // no scope
        #expect(try run(binary, ["station", "add", "desk", "--scope", "planet:earth", "--data-dir", data]).status == 65)
        #expect(try run(binary, ["station", "add", "bad name!", "--scope", "all", "--data-dir", data]).status == 65)
        #expect(try run(binary, ["station", "add", "desk", "--scope", "all", "--data-dir", data]).status == 0)
        #expect(try run(binary, ["station", "add", "desk", "--scope", "all", "--data-dir", data]).status == 73)
        #expect(try run(binary, ["station", "revoke", "nobody", "--data-dir", data]).status == 66)
        let list = try run(binary, ["station", "list", "--json", "--data-dir", data])
        #expect(list.status == 0 && list.stdout.contains("\"name\":\"desk\"") && !list.stdout.contains("token"))
    }
}
