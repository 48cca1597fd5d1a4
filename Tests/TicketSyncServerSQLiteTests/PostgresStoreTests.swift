import Foundation
import Logging
import Testing
import TicketModel
import TicketSyncServer
import TicketSyncServerPostgres
import TicketTestSupport

/// What only the PostgreSQL back end has: its URL, its schema versions, its connection errors.
@Suite struct PostgresURLTests {
    @Test func parsesTheURLAndNeverShowsThePassword() throws {
        let url = try DatabaseURL(parsing: "postgres://ticketsync:s3cr%40t@db.internal:6543/fulfil?sslmode=require", environment: [:])
        #expect(url.user == "ticketsync" && url.password == "s3cr@t" && url.host == "db.internal")
        #expect(url.port == 6543 && url.database == "fulfil" && url.tls == .require)
        #expect(url.description == "postgres://ticketsync@db.internal:6543/fulfil?sslmode=require")
        #expect(!"\(url)".contains("s3cr"))

        let plain = try DatabaseURL(parsing: "postgresql://app@127.0.0.1/tickets", environment: ["PGPASSWORD": "from-env"])
        #expect(plain.port == 5432 && plain.tls == .prefer && plain.password == "from-env")
        #expect(try DatabaseURL(parsing: "postgres://app@[::1]:5433/t", environment: [:]).host == "::1")
    }

    @Test(arguments: [
        ("mysql://a@h/db", "not a postgres:// URL"), ("postgres://h/db", "no user"), ("postgres://a@h", "no database"),
        ("postgres://a@h/db?sslmode=maybe", "sslmode 'maybe'"), ("postgres://a@h/db?pool=3", "unknown parameter 'pool'"),
        ("postgres://a:hunter2@h/db?x=1", "unknown parameter"),
    ])
    func aBadURLIsRefusedWithTheReason(_ text: String, _ reason: String) {
        let error = #expect(throws: ServerError.self) { try DatabaseURL(parsing: text, environment: [:]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("hunter2") == false)
    }
}

@Suite(.enabled(if: PostgresTestCluster.isAvailable)) struct PostgresSchemaTests {
    @Test func migratesOnceAndNodesStartingTogetherAgree() async throws {
        let location = try await PostgresLocation()
        let stores = try await withThrowingTaskGroup(of: ReplicaID.self) { group in
            for _ in 0..<3 { group.addTask { try await location.openPostgres().serverReplica() } }
            var replicas: [ReplicaID] = []
            for try await replica in group { replicas.append(replica) }
            return replicas
        }
        #expect(Set(stores).count == 1, "nodes made different server replicas")
        let store = try await location.openPostgres()
        #expect(try await store.open() == (from: 3, to: 3))
        #expect(try await store.schemaVersion() == (database: 3, build: 3))
        let cluster = try await PostgresTestCluster.shared()
        let name = String(location.url.split(separator: "/").last!.split(separator: "?").first!)
        #expect(try await cluster.psql("SELECT string_agg(version::text, ',' ORDER BY version) FROM ticketsync_schema", database: name) == "1,2,3\n")
    }

    @Test func aDatabaseWrittenByANewerVersionIsRefused() async throws {
        let location = try await PostgresLocation()
        _ = try await location.openPostgres()
        let cluster = try await PostgresTestCluster.shared()
        let name = String(location.url.split(separator: "/").last!.split(separator: "?").first!)
        try await cluster.psql("INSERT INTO ticketsync_schema (version) VALUES (99)", database: name)
        let error = await #expect(throws: ServerError.self) { try await location.openPostgres() }
        #expect(error?.code == .storage)
        #expect(error?.message.contains("schema version 99") == true && error?.message.contains("newer") == true, "\(error?.message ?? "")")
    }

    /// A server that is not there, and a database that does not exist: storage errors that say so.
    @Test func anUnreachableServerOrMissingDatabaseIsReportedClearly() async throws {
        let cluster = try await PostgresTestCluster.shared()
        let missing = PostgresServerStore(
            database: try DatabaseURL(parsing: cluster.url(database: "no_such_db"), environment: [:]), logger: .init(label: "test")
        )
        let run = Task { try? await missing.run() }
        defer { run.cancel() }
        let error = await #expect(throws: ServerError.self) { try await missing.open() }
        #expect(error?.code == .storage)
        #expect(error?.message.contains("no_such_db") == true, "\(error?.message ?? "")")
    }
}
