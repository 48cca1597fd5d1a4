import Foundation
import Testing
import TicketTestSupport

/// `ticketsyncd migrate|station|status --database URL`: the commands on PostgreSQL, their
/// errors, and a password that never shows.
@Suite(.enabled(if: PostgresTestCluster.isAvailable)) struct PostgresCommandTests {
    @Test func migrateStationAndStatusWorkAndNeverShowThePassword() async throws {
        let binary = try builtExecutable("ticketsyncd")
        let cluster = try await PostgresTestCluster.shared()
        let plain = try await cluster.makeDatabase()
        // The cluster trusts loopback, so any password is accepted: it must still never be shown.
        let url = plain.replacingOccurrences(of: "postgres@", with: "postgres:hunter2@")
        let folder = try TemporaryDirectory()

        let first = try run(binary, ["migrate", "--database", url, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let migrated = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any]
        #expect(migrated?["from"] as? Int == 0 && migrated?["to"] as? Int == 3)
        let again = try run(binary, ["migrate", "--database", url])
        #expect(again.status == 0 && again.stdout.contains("already at version 3"), "\(again.stdout)")

        let add = try run(binary, ["station", "add", "dfw-1", "--scope", "site:DFW1", "--json", "--database", url, "--data-dir", folder.path("d")])
        #expect(add.status == 0, "\(add.stderr)")
        let list = try run(binary, ["station", "list", "--database", url])
        #expect(list.status == 0 && list.stdout.contains("dfw-1\tstation\tactive"), "\(list.stdout)")
        let status = try run(binary, ["status", "--json", "--database", url])
        #expect(status.status == 0, "\(status.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(object?["stations"] as? Int == 1 && object?["operations"] as? Int == 0)
        #expect((object?["digest"] as? String)?.count == 64)
        #expect((object?["database"] as? String)?.hasPrefix("postgres://postgres@127.0.0.1:") == true)
        let revoke = try run(binary, ["station", "revoke", "dfw-1", "--database", url])
        #expect(revoke.status == 0)
        for output in [first, again, add, list, status, revoke] {
            #expect(!output.stdout.contains("hunter2") && !output.stderr.contains("hunter2"))
        }
    }

    @Test func aBadOrUnreachableDatabaseIsOneClearLine() async throws {
        let binary = try builtExecutable("ticketsyncd")
        let bad = try run(binary, ["status", "--database", "mysql://root:hunter2@127.0.0.1/x"])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("is not a postgres:// URL") && !bad.stderr.contains("hunter2"), "\(bad.stderr)")

        // Port 1 on loopback: nothing listens there.
        let down = try run(binary, ["station", "list", "--database", "postgres://postgres:hunter2@127.0.0.1:1/x?sslmode=disable"])
        #expect(down.status == 74)
        #expect(down.stderr.contains("cannot reach PostgreSQL at postgres://postgres@127.0.0.1:1/x"), "\(down.stderr)")
        #expect(!down.stderr.contains("hunter2") && down.stderr.split(separator: "\n").count == 1)

        let cluster = try await PostgresTestCluster.shared()
        let missing = try run(binary, ["status", "--database", cluster.url(database: "no_such_database")])
        #expect(missing.status == 74)
        #expect(missing.stderr.contains("no such database") || missing.stderr.contains("does not exist"), "\(missing.stderr)")
    }
}
